"""What the model may do: approval decisions, the command classifier, secret
redaction and the audit log. Pure Python, no I/O except the audit writer."""

from codex_tui.policy.approvals import SessionApprovals
from codex_tui.policy.audit import AuditLog, AuditRecord, audit_flags
from codex_tui.policy.commands import Classification, CommandKind, classify, is_known_safe
from codex_tui.policy.decision import (
    Action,
    ApprovalPolicy,
    Decision,
    PolicyRules,
    SandboxMode,
    decide_after_failure,
    decide_command,
    decide_patch,
)
from codex_tui.policy.failure import looks_sandbox_caused
from codex_tui.policy.mcp import McpApprovalMode, decide_tool
from codex_tui.policy.modes import MODES, Mode, allowed_in_plan, next_mode, patch_in_mode
from codex_tui.policy.prefixes import Prefix, approval_prefix, parse_prefixes, session_prefixes
from codex_tui.policy.redact import redact, redact_json

__all__ = [
    "MODES",
    "Action",
    "ApprovalPolicy",
    "AuditLog",
    "AuditRecord",
    "Classification",
    "CommandKind",
    "Decision",
    "McpApprovalMode",
    "Mode",
    "PolicyRules",
    "Prefix",
    "SandboxMode",
    "SessionApprovals",
    "allowed_in_plan",
    "approval_prefix",
    "audit_flags",
    "classify",
    "decide_after_failure",
    "decide_command",
    "decide_patch",
    "decide_tool",
    "is_known_safe",
    "looks_sandbox_caused",
    "next_mode",
    "parse_prefixes",
    "patch_in_mode",
    "redact",
    "redact_json",
    "session_prefixes",
]
