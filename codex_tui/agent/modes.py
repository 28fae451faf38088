"""The agent's working mode (default / auto-edit / plan; see `policy.modes`).

Plan mode is enforced where the work happens: the tool list offered to the model
leaves out every tool that writes, a call to one anyway is refused, and the
sandbox and policy switch to read-only / never while the mode lasts (restored on
leaving it). The model is also told, so it answers with a plan instead of trying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codex_tui.agent import events as ev
from codex_tui.policy import Mode, allowed_in_plan, is_known_safe

if TYPE_CHECKING:
    from codex_tui.agent.controller import Agent
    from codex_tui.agent.tool_calls import ToolEnv
    from codex_tui.tools.registry import ToolCall

__all__ = ["PLAN_INSTRUCTIONS", "plan_refusal", "set_mode", "tools_for_mode"]

PLAN_INSTRUCTIONS = """

# Plan mode
The person switched on plan mode: the workspace is read-only for you. Explore with
read_file, search_files, git and read-only commands; do not try to edit anything.
End with a concrete, ordered plan recorded with update_plan, plus a short summary
of it. The person will review it and switch modes to have it carried out."""

GO_PROMPT = "Execute the plan."


async def set_mode(agent: Agent, mode: Mode) -> None:
    """Switch modes (safe mid-turn: it holds from the next request and tool call)."""
    env = agent.tools.env
    old = env.mode
    if mode == old:
        return
    if mode == "plan":
        config = agent.config
        if config is not None:
            env.saved_settings = (config.approval_policy, config.sandbox_mode)
            await agent.override(approval_policy="never", sandbox_mode="read-only")
    elif old == "plan" and env.saved_settings is not None:
        policy, sandbox = env.saved_settings
        env.saved_settings = None
        await agent.override(approval_policy=policy, sandbox_mode=sandbox)
    env.mode = mode
    agent.emit(ev.ModeChanged(mode=mode))


def tools_for_mode(tools: list[dict[str, Any]], env: ToolEnv) -> list[dict[str, Any]]:
    """The function tools offered in the current mode."""
    if env.mode != "plan":
        return tools
    mcp = env.mcp
    kept = []
    for tool in tools:
        name = tool.get("name", "")
        found = mcp.tool(name) if mcp is not None and name.startswith("mcp__") else None
        if allowed_in_plan(name, read_only=found is not None and found.tool.read_only):
            kept.append(tool)
    return kept


def plan_refusal(env: ToolEnv, call: ToolCall) -> bool:
    """Whether plan mode refuses this call before it runs (a writing tool, a
    request to leave the sandbox, or, with no sandbox here, any command not
    known to be read-only)."""
    if env.mode != "plan":
        return False
    mcp = env.mcp
    found = mcp.tool(call.name) if mcp is not None and call.name.startswith("mcp__") else None
    if not allowed_in_plan(call.name, read_only=found is not None and found.tool.read_only):
        return True
    if call.name == "shell":
        if call.args.get("with_escalated_permissions"):
            return True
        argv = call.args.get("command") or []
        return not env.sandbox.enforced and not is_known_safe(list(argv))
    return False
