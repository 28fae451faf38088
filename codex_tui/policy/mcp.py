"""The decision for a call to an MCP server's tool.

An MCP tool runs in its server, outside our sandbox, so a tool that may change
something is treated like a command that has to leave the sandbox: it asks
under every policy but `never`, where it is refused (nothing asks there). The
server's configuration can say otherwise per tool or for all its tools:

| mode \\ policy       | untrusted | on-failure | on-request | never  |
|---------------------|-----------|------------|------------|--------|
| approve             | run       | run        | run        | run    |
| prompt              | ask       | ask        | ask        | refuse |
| auto, read-only     | run       | run        | run        | run    |
| auto, may write     | ask       | ask        | ask        | refuse |

"Read-only" is the tool's own annotation: `readOnlyHint` true and
`destructiveHint` not true. A tool approved for the session runs.
"""

from __future__ import annotations

from typing import Literal

from codex_tui.policy.approvals import SessionApprovals
from codex_tui.policy.decision import Action, Decision, PolicyRules

__all__ = ["McpApprovalMode", "decide_tool"]

McpApprovalMode = Literal["auto", "prompt", "approve"]


def decide_tool(
    rules: PolicyRules,
    *,
    server: str,
    tool: str,
    mode: McpApprovalMode,
    read_only: bool,
    approvals: SessionApprovals | None = None,
) -> Decision:
    """Run, ask or refuse a call of `tool` on `server`."""
    label = f"`{tool}` of MCP server `{server}`"
    if mode == "approve":
        return Decision(Action.RUN_UNSANDBOXED, "mcp-approve", f"{label} is set to approve",
                        subject="tool")  # fmt: skip
    if approvals is not None and approvals.tool_approved(server, tool):
        return Decision(Action.RUN_UNSANDBOXED, "session", f"{label} was approved for this session",
                        subject="tool")  # fmt: skip
    if mode == "auto" and read_only:
        return Decision(Action.RUN_UNSANDBOXED, "mcp-read-only",
                        f"{label} says it only reads", subject="tool")  # fmt: skip
    if mode == "prompt":
        reason = f"{label} is set to prompt: every call asks"
    else:
        reason = f"{label} may change things, and MCP tools run outside the sandbox"
    if rules.approval_policy == "never":
        return Decision(
            Action.REFUSE,
            "mcp-never",
            reason,
            model_message=f"Refused: {reason}, and the approval policy is `never`. "
            "Do without this tool.",
            subject="tool",
        )
    return Decision(Action.ASK, f"mcp-{mode}", reason, subject="tool")
