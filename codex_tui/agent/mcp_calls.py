"""A call to a tool of an MCP server, under the approval policy.

The decision is the policy's (`policy.mcp.decide_tool`, from the tool's
approval mode and annotations); an asked call shows the server, the tool and the
arguments. The call runs with the server's `tool_timeout_sec`; esc cancels it
(the task's cancellation reaches the server as notifications/cancelled). What
the server returns becomes text for the model (`mcp.results`), capped like
command output; the runner redacts secrets from it.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from codex_tui.agent import events as ev
from codex_tui.policy import Action, decide_tool

if TYPE_CHECKING:
    from codex_tui.agent.tool_calls import CallResult, ToolRunner
    from codex_tui.images.store import Attachment
    from codex_tui.mcp.manager import McpTool


async def run_mcp_call(
    runner: ToolRunner, call_id: str, name: str, args: dict[str, Any]
) -> CallResult:
    from codex_tui.agent.tool_calls import CallResult, declined
    from codex_tui.mcp.manager import McpCallError
    from codex_tui.mcp.results import result_text

    env = runner.env
    manager = env.mcp
    tool = manager.tool(name) if manager is not None else None
    if manager is None or tool is None:
        return CallResult(f"error: the MCP tool `{name}` is not available now", "invalid")
    decision = decide_tool(
        env.rules,
        server=tool.server,
        tool=tool.name,
        mode=manager.approval_mode(tool),
        read_only=tool.tool.read_only,
        approvals=env.approvals,
    )
    decision = runner.hook_permission(call_id, decision)
    if decision.action is Action.REFUSE:
        _end(runner, call_id, tool, args, decision.reason, "refused")
        return CallResult(decision.model_message, "refused")
    if decision.action is Action.ASK:
        request = ev.McpToolApprovalRequest(
            call_id=call_id,
            server=tool.server,
            tool=tool.name,
            arguments=args,
            reason=decision.reason,
            description=tool.tool.description,
        )
        answer = await runner.ask(request)
        if answer.decision is ev.ReviewDecision.DENY:
            _end(runner, call_id, tool, args, "declined", "declined")
            return CallResult(declined("tool call", answer.feedback), "declined")
        if answer.decision is ev.ReviewDecision.APPROVE_SESSION:
            env.approvals.approve_tool(tool.server, tool.name)
    if env.snapshots is not None and not tool.tool.read_only:
        await env.snapshots.before_write()  # a server's tool may write the workspace too
    runner.emit(
        ev.McpToolCallBegin(call_id=call_id, server=tool.server, tool=tool.name, arguments=args)
    )
    started = time.monotonic()
    try:
        result = await manager.call(tool, args)
    except McpCallError as exc:
        text = f"error: the MCP tool call failed: {exc}"
        _end(runner, call_id, tool, args, text, "failed", started)
        return CallResult(text, "failed")
    except BaseException:
        _end(runner, call_id, tool, args, "interrupted", "aborted", started)
        raise
    content = list(result.content)
    text = result_text(content, result.structured_content)
    images, unusable = await asyncio.to_thread(_prepare_images, content, tool.name)
    if images:
        text += f"\n[{len(images)} image(s) attached below]"
    for reason in unusable:
        text += f"\n[an image that could not be used: {reason}]"
    if result.is_error:
        text = f"error: {text}"
    _end(runner, call_id, tool, args, text, "failed" if result.is_error else "completed", started)
    return CallResult(text, "run" if not result.is_error else "failed", images=images)


# A result's images taken per call (a server could send thousands).
MAX_IMAGES = 10


def _prepare_images(content: list[Any], prefix: str) -> tuple[tuple[Attachment, ...], list[str]]:
    """A result's images, prepared like attachments (a server's bytes are not
    trusted: one that Pillow cannot read is named, not sent)."""
    from codex_tui.images.prepare import ImageError
    from codex_tui.images.store import attach_bytes
    from codex_tui.mcp.results import result_images

    images, unusable = [], []
    found = result_images(content)
    if len(found) > MAX_IMAGES:
        unusable.append(f"{len(found) - MAX_IMAGES} more images than the {MAX_IMAGES} taken")
        found = found[:MAX_IMAGES]
    for n, raw in enumerate(found, 1):
        try:
            images.append(attach_bytes(raw, f"{prefix}-{n}"))
        except (ImageError, OSError) as exc:
            unusable.append(str(exc))
    return tuple(images), unusable


def _end(
    runner: ToolRunner,
    call_id: str,
    tool: McpTool,
    args: dict[str, Any],
    result: str,
    status: ev.McpStatus,
    started: float | None = None,
) -> None:
    took = time.monotonic() - started if started is not None else 0.0
    runner.emit(
        ev.McpToolCallEnd(
            call_id=call_id,
            server=tool.server,
            tool=tool.name,
            arguments=args,
            result=result,
            status=status,
            duration_s=took,
        )
    )
