"""Session-file kinds of the newer capabilities: undo snapshots, rewinds, MCP tool
calls, hook decisions and background terminals (ids and one-line texts only;
contents stay in git, in the tools' own logs or nowhere)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.sessions.codec_base import (
    EventKind,
    Payload,
    ReadState,
    WriteState,
    pick,
    seconds,
    strings,
    text,
    whole,
)
from codex_tui.sessions.images import attachments_from, attachments_payload

__all__ = ["feature_kinds"]


def _tool_images(e: ev.ToolImages, _: WriteState) -> Payload:
    images = attachments_payload(e.images)
    return {"type": "tool_images", "call_id": e.call_id, "tool": e.tool, "attachments": images}


def _web_search(e: ev.WebSearchEnd, _: WriteState) -> Payload:
    return {
        "type": "web_search_end",
        "call_id": e.call_id,
        "query": e.query,
        "sources": list(e.sources),
        "status": e.status,
    }


def _read_web_search(p: Payload, _: ReadState) -> list[ev.Event]:
    from codex_tui.agent.wire_responses import web_url

    sources = tuple(s for s in strings(p, "sources") if web_url(s))
    status = text(p, "status") or "completed"
    return [
        ev.WebSearchEnd(
            call_id=text(p, "call_id"), query=text(p, "query"), sources=sources, status=status
        )
    ]


def _read_tool_images(p: Payload, _: ReadState) -> list[ev.Event]:
    images = attachments_from(p.get("attachments"))
    if not images:
        return []
    return [ev.ToolImages(call_id=text(p, "call_id"), tool=text(p, "tool"), images=images)]


def _took(p: Payload) -> float:
    return seconds(p.get("duration_s"))


SNAPSHOT_PHASES: dict[str, ev.SnapshotPhase] = {"start": "start", "end": "end"}
UNDO_DIRECTIONS: dict[str, ev.UndoDirection] = {"undo": "undo", "redo": "redo"}


def _snapshot(e: ev.SnapshotTaken, _: WriteState) -> Payload:
    roots = [{"root": str(r.root), "commit": r.commit, "git_dir": str(r.git_dir)} for r in e.roots]
    return {
        "type": "snapshot_taken",
        "turn_id": e.turn_id,
        "phase": e.phase,
        "roots": roots,
        "not_covered": list(e.not_covered),
        "duration_s": round(e.duration_s, 3),
    }


def _read_snapshot(p: Payload, _: ReadState) -> list[ev.Event]:
    roots = []
    listed = p.get("roots")
    for raw in listed if isinstance(listed, list) else []:
        if isinstance(raw, dict) and all(text(raw, k) for k in ("root", "commit", "git_dir")):
            root, commit, git_dir = (text(raw, k) for k in ("root", "commit", "git_dir"))
            roots.append(ev.SnapshotRoot(root=Path(root), commit=commit, git_dir=Path(git_dir)))
    return [
        ev.SnapshotTaken(
            turn_id=text(p, "turn_id"),
            phase=pick(SNAPSHOT_PHASES, p.get("phase"), "start"),
            roots=tuple(roots),
            not_covered=strings(p, "not_covered"),
            duration_s=_took(p),
        )
    ]


def _snapshot_failed(e: ev.SnapshotFailed, _: WriteState) -> Payload:
    return {"type": "snapshot_failed", "turn_id": e.turn_id, "phase": e.phase, "message": e.message}


def _read_snapshot_failed(p: Payload, _: ReadState) -> list[ev.Event]:
    phase = pick(SNAPSHOT_PHASES, p.get("phase"), "start")
    return [ev.SnapshotFailed(turn_id=text(p, "turn_id"), phase=phase, message=text(p, "message"))]


def _undo(e: ev.UndoApplied, _: WriteState) -> Payload:
    return {
        "type": "undo_applied",
        "turn_id": e.turn_id,
        "direction": e.direction,
        "restored": list(e.restored),
        "failed": list(e.failed),
    }


def _read_undo(p: Payload, _: ReadState) -> list[ev.Event]:
    return [
        ev.UndoApplied(
            turn_id=text(p, "turn_id"),
            direction=pick(UNDO_DIRECTIONS, p.get("direction"), "undo"),
            restored=strings(p, "restored"),
            failed=strings(p, "failed"),
        )
    ]


MCP_STATUSES: dict[str, ev.McpStatus] = {
    s: s for s in ("completed", "failed", "declined", "refused", "aborted")
}


def _mcp_end(e: ev.McpToolCallEnd, _: WriteState) -> Payload:
    from codex_tui.policy.redaction import redact, redact_json  # writing only

    secs = max(0.0, e.duration_s)
    ok = e.status == "completed"
    result: Payload = (
        {"Ok": {"content": [{"type": "text", "text": redact(e.result)}], "isError": False}}
        if ok
        else {"Err": redact(e.result)}
    )
    return {
        "type": "mcp_tool_call_end",
        "call_id": e.call_id,
        "invocation": {"server": e.server, "tool": e.tool, "arguments": redact_json(e.arguments)},
        "duration": {"secs": int(secs), "nanos": int((secs % 1) * 1e9)},
        "result": result,
        "status": e.status,
    }


def _read_mcp_end(p: Payload, _: ReadState) -> list[ev.Event]:
    raw_invocation, raw_result = p.get("invocation"), p.get("result")
    invocation: Payload = raw_invocation if isinstance(raw_invocation, dict) else {}
    result: Payload = raw_result if isinstance(raw_result, dict) else {}
    arguments = invocation.get("arguments")
    ok = result.get("Ok")
    ended: ev.McpStatus
    if isinstance(ok, dict):
        content = ok.get("content")
        blocks = content if isinstance(content, list) else []
        output = "\n".join(text(b, "text") for b in blocks if isinstance(b, dict))
        ended = "failed" if ok.get("isError") is True else "completed"
    else:
        output, ended = text(result, "Err"), "failed"
    return [
        ev.McpToolCallEnd(
            call_id=text(p, "call_id"),
            server=text(invocation, "server"),
            tool=text(invocation, "tool"),
            arguments=arguments if isinstance(arguments, dict) else {},
            result=output,
            status=pick(MCP_STATUSES, p.get("status"), ended),
            duration_s=seconds(p.get("duration")),
        )
    ]


HOOK_KINDS: dict[str, ev.HookNoteKind] = {
    s: s for s in ("blocked", "denied", "allowed", "asked", "stopped", "context", "warning")
}


def _hook(e: ev.HookNoted, _: WriteState) -> Payload:
    return {
        "type": "hook_noted",
        "event": e.event,
        "hook": e.label,
        "kind": e.kind,
        "message": e.text,
        "call_id": e.call_id,
    }


def _read_hook(p: Payload, _: ReadState) -> list[ev.Event]:
    return [
        ev.HookNoted(
            event=text(p, "event"),
            label=text(p, "hook"),
            kind=pick(HOOK_KINDS, p.get("kind"), "warning"),
            text=text(p, "message"),
            call_id=text(p, "call_id"),
        )
    ]


TERMINAL_STATES: dict[str, ev.TerminalState] = {s: s for s in ("running", "exited", "killed")}


def _terminal(e: ev.TerminalChanged, _: WriteState) -> Payload:
    from codex_tui.policy.redaction import redact, redact_json  # writing only

    return {
        "type": "terminal_changed",
        "session_id": e.session_id,
        "command": redact_json(list(e.command)),
        "pid": e.pid,
        "state": e.state,
        "exit_code": e.exit_code,
        "last_line": redact(e.last_line),
    }


def _read_terminal(p: Payload, _: ReadState) -> list[ev.Event]:
    command = p.get("command")
    code = p.get("exit_code")
    return [
        ev.TerminalChanged(
            session_id=whole(p, "session_id"),
            command=tuple(str(c) for c in command) if isinstance(command, list) else (),
            pid=whole(p, "pid"),
            state=pick(TERMINAL_STATES, p.get("state"), "exited"),
            exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            last_line=text(p, "last_line"),
        )
    ]


def _rolled_back(e: ev.ThreadRolledBack, _: WriteState) -> Payload:
    return {"type": "thread_rolled_back", "num_turns": e.num_turns}


def _read_rolled_back(p: Payload, _: ReadState) -> list[ev.Event]:
    turns = whole(p, "num_turns")
    return [ev.ThreadRolledBack(num_turns=turns)] if turns > 0 else []


def feature_kinds() -> Iterable[EventKind[Any]]:
    yield EventKind("snapshot_taken", ev.SnapshotTaken, _snapshot, _read_snapshot)
    yield EventKind("snapshot_failed", ev.SnapshotFailed, _snapshot_failed, _read_snapshot_failed)
    yield EventKind("undo_applied", ev.UndoApplied, _undo, _read_undo)
    yield EventKind("thread_rolled_back", ev.ThreadRolledBack, _rolled_back, _read_rolled_back)
    yield EventKind("mcp_tool_call_end", ev.McpToolCallEnd, _mcp_end, _read_mcp_end)
    yield EventKind("hook_noted", ev.HookNoted, _hook, _read_hook)
    yield EventKind("terminal_changed", ev.TerminalChanged, _terminal, _read_terminal)
    yield EventKind("tool_images", ev.ToolImages, _tool_images, _read_tool_images)
    yield EventKind("web_search_end", ev.WebSearchEnd, _web_search, _read_web_search)
