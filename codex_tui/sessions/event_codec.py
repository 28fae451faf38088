"""Agent events as session-file `event_msg` payloads and back: one entry per kind,
its encoder beside its decoder, so the recorder and the reader cannot drift apart.

Payloads use Codex CLI's shapes where it has one (so either tool reads the
other's files). Decoding reads untrusted JSON: a field of the wrong type falls
back to an empty value instead of failing the whole file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.sessions.codec_base import (
    E,
    EventKind,
    Payload,
    ReadState,
    WriteState,
    pick,
    seconds,
    text,
    whole,
)
from codex_tui.sessions.codec_features import feature_kinds
from codex_tui.sessions.images import attachments_from, attachments_payload
from codex_tui.tools.plan import PlanStatus, PlanStep

__all__ = [
    "BY_EVENT",
    "BY_NAME",
    "KINDS",
    "Payload",
    "ReadState",
    "WriteState",
    "decode",
    "encode",
    "plan_event",
    "usage_from",
    "usage_json",
]

EXEC_STATUSES: dict[str, ev.ExecStatus] = {
    s: s
    for s in ("completed", "failed", "declined", "refused", "aborted", "timed_out", "background")
}
PATCH_STATUSES: dict[str, ev.PatchStatus] = {
    s: s for s in ("completed", "failed", "declined", "refused", "aborted")
}
PLAN_STATUSES: dict[str, PlanStatus] = {s: s for s in ("pending", "in_progress", "completed")}
CHANGE_KINDS: dict[str, ev.ChangeKind] = {s: s for s in ("add", "delete", "update", "move")}
CUT_OFF_REASONS: dict[str, ev.CutOffReason] = {s: s for s in ("interrupted", "failed", "dropped")}


def usage_json(usage: ev.TokenUsage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "cached_input_tokens": usage.cached_input_tokens,
        "output_tokens": usage.output_tokens,
        "reasoning_output_tokens": usage.reasoning_tokens,
        "total_tokens": usage.total_tokens,
    }


def usage_from(data: object) -> ev.TokenUsage:
    if not isinstance(data, dict):
        return ev.TokenUsage()
    return ev.TokenUsage(
        input_tokens=whole(data, "input_tokens"),
        cached_input_tokens=whole(data, "cached_input_tokens"),
        output_tokens=whole(data, "output_tokens"),
        reasoning_tokens=whole(data, "reasoning_output_tokens"),
    )


def plan_event(args: Payload) -> ev.PlanUpdated:
    """An update_plan's arguments (or a plan_update payload) as the event."""
    raw_steps = args.get("plan")
    steps = tuple(
        PlanStep(
            step=str(raw.get("step", "")), status=pick(PLAN_STATUSES, raw.get("status"), "pending")
        )
        for raw in (raw_steps if isinstance(raw_steps, list) else [])
        if isinstance(raw, dict)
    )
    explanation = args.get("explanation")
    return ev.PlanUpdated(
        explanation=explanation if isinstance(explanation, str) else None, plan=steps
    )


# --- one pair per kind --------------------------------------------------------------


def _agent_message(e: ev.AgentMessage, _: WriteState) -> Payload:
    return {"type": "agent_message", "message": e.text}


def _read_agent_message(p: Payload, state: ReadState) -> list[ev.Event]:
    return [ev.AgentMessage(item_id=state.next_id(), text=text(p, "message"))]


def _cut_off(e: ev.AgentMessageCutOff, _: WriteState) -> Payload:
    return {"type": "agent_message_cut_off", "message": e.text, "reason": e.reason}


def _read_cut_off(p: Payload, state: ReadState) -> list[ev.Event]:
    message = text(p, "message")
    if not message.strip():
        return []
    reason = pick(CUT_OFF_REASONS, p.get("reason"), "interrupted")
    return [ev.AgentMessageCutOff(item_id=state.next_id(), text=message, reason=reason)]


def _reasoning(e: ev.Reasoning, _: WriteState) -> Payload:
    return {"type": "agent_reasoning", "text": e.text}


def _read_reasoning(p: Payload, state: ReadState) -> list[ev.Event]:
    return [ev.Reasoning(item_id=state.next_id(), text=text(p, "text"))]


def _exec_end(e: ev.ExecEnd, turn: WriteState) -> Payload:
    from codex_tui.policy.redaction import redact, redact_json  # writing only: reading needs none

    begin = turn.exec_begins.pop(e.call_id, None)
    secs = max(0.0, e.duration_s)
    return {
        "type": "exec_command_end",
        "call_id": e.call_id,
        "turn_id": turn.turn_id,
        "command": redact_json(list(e.command)),
        "cwd": str(begin.cwd) if begin else None,
        "sandboxed": begin.sandboxed if begin else None,
        "stdout": "",
        "stderr": "",
        "aggregated_output": redact(e.output),
        "exit_code": e.exit_code,
        "duration": {"secs": int(secs), "nanos": int((secs % 1) * 1e9)},
        "formatted_output": "",
        "status": e.status,
        **_feedback(e.feedback),
        **({"terminal": e.terminal} if e.terminal is not None else {}),
    }


def _feedback(feedback: str) -> Payload:
    """What the person said when declining a call (only when they said something)."""
    return {"feedback": feedback} if feedback else {}


def _read_exec_end(p: Payload, state: ReadState) -> list[ev.Event]:
    call_id = text(p, "call_id")
    command = p.get("command")
    if isinstance(command, list):
        argv = tuple(str(c) for c in command)
    else:
        argv = (command,) if isinstance(command, str) and command else ()
    code = p.get("exit_code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    ended: ev.ExecStatus = "completed" if code == 0 else "failed"
    status = pick(EXEC_STATUSES, p.get("status"), ended)
    output = text(p, "aggregated_output") or text(p, "stdout") + text(p, "stderr")
    cwd = Path(text(p, "cwd") or state.cwd or ".")
    return [
        ev.ExecBegin(call_id=call_id, command=argv, cwd=cwd, sandboxed=bool(p.get("sandboxed"))),
        ev.ExecEnd(
            call_id=call_id,
            command=argv,
            exit_code=code,
            output=output,
            duration_s=seconds(p.get("duration")),
            status=status,
            feedback=text(p, "feedback"),
            terminal=whole(p, "terminal") or None,
        ),
    ]


def _change_json(change: ev.ChangedFile) -> Payload:
    kind = "update" if change.kind == "move" else change.kind
    body: Payload = {"type": kind}
    if kind == "update":
        body["unified_diff"] = ""
        body["move_path"] = change.move_path
    else:
        body["content"] = ""
    body["added"] = change.added
    body["removed"] = change.removed
    return body


def _read_change(path: str, body: object) -> ev.ChangedFile:
    body = body if isinstance(body, dict) else {}
    move_path = text(body, "move_path") or None
    kind = pick(CHANGE_KINDS, body.get("type"), "update")
    if kind == "update" and move_path:
        kind = "move"
    return ev.ChangedFile(
        path=path,
        kind=kind,
        added=whole(body, "added"),
        removed=whole(body, "removed"),
        move_path=move_path,
    )


def _patch_end(e: ev.PatchEnd, turn: WriteState) -> Payload:
    from codex_tui.policy.redaction import redact  # writing only: reading needs none

    return {
        "type": "patch_apply_end",
        "call_id": e.call_id,
        "turn_id": turn.turn_id,
        "stdout": redact(e.output) if e.success else "",
        "stderr": "" if e.success else redact(e.output),
        "success": e.success,
        "changes": {c.path: _change_json(c) for c in e.changes},
        "status": e.status,
        "diff": turn.patch_diffs.pop(e.call_id, ""),
        **_feedback(e.feedback),
    }


def _read_patch_end(p: Payload, _: ReadState) -> list[ev.Event]:
    call_id = text(p, "call_id")
    raw = p.get("changes")
    changes = (
        tuple(_read_change(str(k), v) for k, v in raw.items()) if isinstance(raw, dict) else ()
    )
    success = bool(p.get("success"))
    ended: ev.PatchStatus = "completed" if success else "failed"
    status = pick(PATCH_STATUSES, p.get("status"), ended)
    output = text(p, "stdout") if success else text(p, "stderr")
    return [
        ev.PatchBegin(call_id=call_id, changes=changes, diff=text(p, "diff")),
        ev.PatchEnd(
            call_id=call_id,
            changes=changes,
            success=success,
            output=output,
            status=status,
            feedback=text(p, "feedback"),
        ),
    ]


def _tool_call_end(e: ev.ToolCallEnd, turn: WriteState) -> Payload:
    from codex_tui.policy.redaction import redact, redact_json  # writing only: reading needs none

    return {
        "type": "tool_call_end",
        "call_id": e.call_id,
        "turn_id": turn.turn_id,
        "name": e.name,
        "arguments": redact_json(e.arguments),
        "output": redact(e.output),
        "success": e.success,
    }


def _read_tool_call_end(p: Payload, _: ReadState) -> list[ev.Event]:
    args = p.get("arguments")
    return [
        ev.ToolCallEnd(
            call_id=text(p, "call_id"),
            name=text(p, "name"),
            arguments=args if isinstance(args, dict) else {},
            output=text(p, "output"),
            success=bool(p.get("success", True)),
        )
    ]


def _plan_update(e: ev.PlanUpdated, _: WriteState) -> Payload:
    steps = [{"step": s.step, "status": s.status} for s in e.plan]
    return {"type": "plan_update", "explanation": e.explanation, "plan": steps}


def _read_plan_update(p: Payload, _: ReadState) -> list[ev.Event]:
    return [plan_event(p)]


def _token_count(e: ev.TokenCount, _: WriteState) -> Payload:
    info = {
        "total_token_usage": usage_json(e.total),
        "last_token_usage": usage_json(e.last),
        "model_context_window": e.context_window,
    }
    if e.estimated:
        info["estimated"] = True
    return {"type": "token_count", "info": info, "rate_limits": None}


def _read_token_count(p: Payload, _: ReadState) -> list[ev.Event]:
    info = p.get("info")
    if not isinstance(info, dict):
        return []
    window = info.get("model_context_window")
    return [
        ev.TokenCount(
            total=usage_from(info.get("total_token_usage")),
            last=usage_from(info.get("last_token_usage")),
            context_window=window if isinstance(window, int) else None,
            estimated=info.get("estimated") is True,
        )
    ]


def _compacted(e: ev.Compacted, _: WriteState) -> Payload:
    return {
        "type": "context_compacted",
        "automatic": e.automatic,
        "tokens_before": e.tokens_before,
        "tokens_after": e.tokens_after,
    }


def _read_compacted(p: Payload, state: ReadState) -> list[ev.Event]:
    return [
        ev.Compacted(
            summary=state.summary,
            automatic=bool(p.get("automatic", False)),
            tokens_before=whole(p, "tokens_before"),
            tokens_after=whole(p, "tokens_after"),
        )
    ]


def _response_stored(e: ev.ResponseStored, _: WriteState) -> Payload:
    return {"type": "response_stored", "response_id": e.response_id}


def _read_response_stored(p: Payload, _: ReadState) -> list[ev.Event]:
    response_id = text(p, "response_id")
    return [ev.ResponseStored(response_id=response_id)] if response_id else []


def _turn_complete(e: ev.TurnComplete, _: WriteState) -> Payload:
    return {
        "type": "task_complete",
        "turn_id": e.turn_id,
        "last_agent_message": e.last_message,
        "usage": usage_json(e.usage),
        "duration_s": round(e.duration_s, 3),
    }


def _read_turn_complete(p: Payload, _: ReadState) -> list[ev.Event]:
    last = p.get("last_agent_message")
    return [
        ev.TurnComplete(
            turn_id=text(p, "turn_id"),
            last_message=last if isinstance(last, str) else None,
            usage=usage_from(p.get("usage")),
            duration_s=_took(p),
        )
    ]


def _turn_end(kind: str, turn_id: str, duration_s: float, **why: str) -> Payload:
    return {"type": kind, "turn_id": turn_id, **why, "duration_s": round(duration_s, 3)}


def _turn_aborted(e: ev.TurnAborted, _: WriteState) -> Payload:
    return _turn_end("turn_aborted", e.turn_id, e.duration_s, reason=e.reason)


def _read_turn_aborted(p: Payload, _: ReadState) -> list[ev.Event]:
    turn_id, reason, took = text(p, "turn_id"), text(p, "reason") or "interrupted", _took(p)
    return [ev.TurnAborted(turn_id=turn_id, reason=reason, duration_s=took)]


def _turn_failed(e: ev.TurnFailed, _: WriteState) -> Payload:
    return _turn_end("turn_failed", e.turn_id, e.duration_s, message=e.message)


def _read_turn_failed(p: Payload, _: ReadState) -> list[ev.Event]:
    turn_id, message, took = text(p, "turn_id"), text(p, "message"), _took(p)
    return [ev.TurnFailed(turn_id=turn_id, message=message, duration_s=took)]


def _took(p: Payload) -> float:
    return seconds(p.get("duration_s"))


def _user_message(e: ev.UserMessage, _: WriteState) -> Payload:
    payload: Payload = {"type": "user_message", "message": e.text}
    if e.images:
        payload["attachments"] = attachments_payload(e.images)
    return payload


def _read_user_message(p: Payload, _: ReadState) -> list[ev.Event]:
    return [ev.UserMessage(text=text(p, "message"), images=attachments_from(p.get("attachments")))]


def _one_text(
    name: str, event: type[E], text_of: Callable[[E], str], make: Callable[[str], E]
) -> EventKind[E]:
    """A kind whose payload is its event's one text, under `message`."""

    def encode(e: E, _: WriteState) -> Payload:
        return {"type": name, "message": text_of(e)}

    def decode(p: Payload, _: ReadState) -> list[ev.Event]:
        return [make(text(p, "message"))]

    return EventKind(name, event, encode, decode)


def _kinds() -> Iterable[EventKind[Any]]:
    yield EventKind("user_message", ev.UserMessage, _user_message, _read_user_message)
    yield EventKind("agent_message", ev.AgentMessage, _agent_message, _read_agent_message)
    yield EventKind("agent_message_cut_off", ev.AgentMessageCutOff, _cut_off, _read_cut_off)
    yield EventKind("agent_reasoning", ev.Reasoning, _reasoning, _read_reasoning)
    yield EventKind("exec_command_end", ev.ExecEnd, _exec_end, _read_exec_end)
    yield EventKind("patch_apply_end", ev.PatchEnd, _patch_end, _read_patch_end)
    yield EventKind("tool_call_end", ev.ToolCallEnd, _tool_call_end, _read_tool_call_end)
    yield EventKind("plan_update", ev.PlanUpdated, _plan_update, _read_plan_update)
    yield EventKind("token_count", ev.TokenCount, _token_count, _read_token_count)
    yield EventKind("context_compacted", ev.Compacted, _compacted, _read_compacted)
    yield EventKind("response_stored", ev.ResponseStored, _response_stored, _read_response_stored)
    yield _one_text(
        "warning", ev.WarningEvent, lambda e: e.message, lambda t: ev.WarningEvent(message=t)
    )
    yield _one_text("error", ev.Error, lambda e: e.message, lambda t: ev.Error(message=t))
    yield EventKind("task_complete", ev.TurnComplete, _turn_complete, _read_turn_complete)
    yield EventKind("turn_aborted", ev.TurnAborted, _turn_aborted, _read_turn_aborted)
    yield EventKind("turn_failed", ev.TurnFailed, _turn_failed, _read_turn_failed)
    yield from feature_kinds()


KINDS: tuple[EventKind[Any], ...] = tuple(_kinds())
BY_EVENT: dict[type[ev.Event], EventKind[Any]] = {k.event: k for k in KINDS}
BY_NAME: dict[str, EventKind[Any]] = {k.name: k for k in KINDS}


def encode(event: ev.Event, turn: WriteState) -> Payload | None:
    """The event_msg payload recording `event`; None for events not recorded
    (deltas, approvals' progress, state the next session rebuilds)."""
    kind = BY_EVENT.get(type(event))
    return kind.encode(event, turn) if kind is not None else None


def decode(payload: Payload, state: ReadState) -> list[ev.Event]:
    """The events an event_msg payload stands for ([] for kinds we do not replay)."""
    name = payload.get("type")
    kind = BY_NAME.get(name) if isinstance(name, str) else None
    return kind.decode(payload, state) if kind is not None else []
