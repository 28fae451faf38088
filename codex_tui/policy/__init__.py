"""What the model may do: approval decisions, the command classifier, secret
redaction and the audit log. Pure Python, no I/O except the audit writer.

The names load on first use: reading a session file needs none of them. No name
may also be a submodule's (tests/test_lazy_names.py says why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codex_tui.lazy_names import lazy_getattr

if TYPE_CHECKING:
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
    from codex_tui.policy.redaction import redact, redact_json

_WHERE = {
    "SessionApprovals": "approvals",
    "AuditLog": "audit",
    "AuditRecord": "audit",
    "audit_flags": "audit",
    "Classification": "commands",
    "CommandKind": "commands",
    "classify": "commands",
    "is_known_safe": "commands",
    "Action": "decision",
    "ApprovalPolicy": "decision",
    "Decision": "decision",
    "PolicyRules": "decision",
    "SandboxMode": "decision",
    "decide_after_failure": "decision",
    "decide_command": "decision",
    "decide_patch": "decision",
    "looks_sandbox_caused": "failure",
    "McpApprovalMode": "mcp",
    "decide_tool": "mcp",
    "MODES": "modes",
    "Mode": "modes",
    "allowed_in_plan": "modes",
    "next_mode": "modes",
    "patch_in_mode": "modes",
    "Prefix": "prefixes",
    "approval_prefix": "prefixes",
    "parse_prefixes": "prefixes",
    "session_prefixes": "prefixes",
    "redact": "redaction",
    "redact_json": "redaction",
}

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


__getattr__ = lazy_getattr(__name__, _WHERE, globals())
