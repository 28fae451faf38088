"""Read a session file back: its metadata, the model history (from the last
compaction on), and the visible transcript as agent events, so a front end can
replay it through its usual event handling.

Reads ours and Codex CLI's files (the same envelope). A torn or corrupt line is
skipped and counted; only a file without a `session_meta` first line is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.agent.context import is_user_request, message_text
from codex_tui.sessions import history as hist
from codex_tui.sessions.errors import SessionReadError
from codex_tui.sessions.files import ORIGINATOR, Source, codex_home, parse_stamp

TITLE_CHARS = 120
UNTITLED = "(no request yet)"


@dataclass(frozen=True)
class SessionMeta:
    id: str
    path: Path
    # The first real request (or the name given by a rename), on one line.
    title: str
    cwd: str
    branch: str | None
    commit: str | None
    model: str | None
    provider: str | None
    created: datetime
    updated: datetime
    turns: int
    tokens: int
    source: Source
    # Codex CLI's sessions: never written; continuing one starts a new session.
    read_only: bool
    forked_from: str | None = None


@dataclass
class SessionData:
    meta: SessionMeta
    # Model items to continue from: the last compaction's history plus what followed.
    history: list[dict[str, Any]]
    # UserMessage, AgentMessage, Reasoning, ExecBegin/End, PatchBegin/End, ToolCallEnd,
    # PlanUpdated, TokenCount, Compacted, TurnComplete/Aborted/Failed, WarningEvent, Error.
    transcript: list[ev.Event]
    # The last response the server kept (conversation_state: server), if any.
    previous_response_id: str | None
    # Lines skipped as torn or corrupt.
    torn_lines: int
    total_usage: ev.TokenUsage = field(default_factory=ev.TokenUsage)
    last_usage: ev.TokenUsage = field(default_factory=ev.TokenUsage)
    context_window: int | None = None


def make_title(text: str) -> str:
    line = " ".join(text.split())
    if len(line) > TITLE_CHARS:
        line = line[: TITLE_CHARS - 1].rstrip() + "…"
    return line


def split_lines(raw: bytes) -> Iterator[dict[str, Any] | None]:
    """Each non-empty line as an envelope dict, or None when it is torn or corrupt."""
    for chunk in raw.split(b"\n"):
        if not chunk.strip():
            continue
        yield parse_line(chunk)


def parse_line(chunk: bytes) -> dict[str, Any] | None:
    try:
        line = json.loads(chunk)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(line, dict) or not isinstance(line.get("payload"), dict):
        return None
    if not isinstance(line.get("type"), str):
        return None
    return line


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SessionReadError(f"{path}: no such session file") from None
    except OSError as exc:
        raise SessionReadError(f"{path}: {exc.strerror or exc}") from None


def source_of(meta: dict[str, Any]) -> Source:
    return "codex-tui" if meta.get("originator") == ORIGINATOR else "codex"


def in_codex_home(path: Path) -> bool:
    try:
        return path.resolve().is_relative_to((codex_home() / "sessions").resolve())
    except OSError:
        return False


def usage_from(data: Any) -> ev.TokenUsage:
    if not isinstance(data, dict):
        return ev.TokenUsage()

    def num(key: str) -> int:
        value = data.get(key)
        return value if isinstance(value, int) else 0

    return ev.TokenUsage(
        input_tokens=num("input_tokens"),
        cached_input_tokens=num("cached_input_tokens"),
        output_tokens=num("output_tokens"),
        reasoning_tokens=num("reasoning_output_tokens"),
    )


def seconds(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return float(value.get("secs", 0)) + float(value.get("nanos", 0)) / 1e9
    return 0.0


def read_session(path: Path) -> SessionData:
    """Everything in one session file. Raises SessionReadError for a file that is
    missing, unreadable, or does not start with a session_meta line."""
    path = Path(path)
    builder: _Builder | None = None
    torn = 0
    for line in split_lines(read_bytes(path)):
        if line is None:
            torn += 1
            continue
        if builder is None:
            if line["type"] != "session_meta" or not line["payload"].get("id"):
                raise SessionReadError(f"{path}: not a session file (no session_meta first)")
            builder = _Builder(path, line)
            continue
        builder.add(line)
    if builder is None:
        raise SessionReadError(f"{path}: empty session file")
    return builder.finish(torn)


class _Builder:
    """Folds the lines of one file into SessionData."""

    def __init__(self, path: Path, first: dict[str, Any]) -> None:
        meta = first["payload"]
        self.path = path
        self.meta = meta
        self.source = source_of(meta)
        self.read_only = self.source == "codex" or in_codex_home(path)
        created = parse_stamp(meta.get("timestamp")) or parse_stamp(first.get("timestamp"))
        self.created = created or datetime.fromtimestamp(0, UTC)
        self.updated = self.created
        self.cwd = str(meta.get("cwd") or "")
        self.model: str | None = meta.get("model")
        self.history: list[dict[str, Any]] = []
        self.transcript: list[ev.Event] = []
        self.first_request: str | None = None
        self.first_item_request: str | None = None
        self.renamed: str | None = None
        self.turns = 0
        self.total = ev.TokenUsage()
        self.last = ev.TokenUsage()
        self.window: int | None = None
        self.response_id: str | None = None
        self.summary = ""
        # Codex CLI files carry tool calls only as items: pair them to show cells.
        self.calls: dict[str, dict[str, Any]] = {}
        self.shown_calls: set[str] = set()
        self.ids = 0

    def next_id(self) -> str:
        self.ids += 1
        return f"replay-{self.ids}"

    def add(self, line: dict[str, Any]) -> None:
        stamp = parse_stamp(line.get("timestamp"))
        if stamp is not None and stamp > self.updated:
            self.updated = stamp
        payload = line["payload"]
        match line["type"]:
            case "response_item":
                self.add_item(payload)
            case "event_msg":
                self.add_event(payload)
            case "turn_context":
                if isinstance(payload.get("model"), str):
                    self.model = payload["model"]
            case "compacted":
                self.compacted(payload)

    def add_item(self, payload: dict[str, Any]) -> None:
        item = hist.normalize_item(payload, self.source)
        if item is not None:
            self.history.append(item)
            wanted = self.first_item_request is None and is_user_request(item)
            if wanted and not hist.is_context_item(item):
                self.first_item_request = message_text(item)
        if self.source != "codex":
            return
        kind = payload.get("type")
        call_id = payload.get("call_id") or payload.get("id")
        if kind in ("function_call", "custom_tool_call", "local_shell_call") and call_id:
            self.calls[call_id] = payload
        elif kind in ("function_call_output", "custom_tool_call_output"):
            call = self.calls.pop(payload.get("call_id", ""), None)
            if call is not None and payload.get("call_id") not in self.shown_calls:
                output = hist.output_text(payload.get("output"))
                self.transcript.extend(hist.tool_events(call, output, Path(self.cwd or ".")))

    def compacted(self, payload: dict[str, Any]) -> None:
        summary = str(payload.get("message") or "")
        replacement = payload.get("replacement_history")
        if isinstance(replacement, list):
            items = [
                hist.normalize_item(i, self.source) for i in replacement if isinstance(i, dict)
            ]
            self.history = [i for i in items if i is not None]
        else:
            self.history = hist.compacted_history(self.history, summary)
        # The server's chain no longer matches the history we send from here on.
        self.response_id = None
        self.summary = summary
        self.transcript.append(ev.Compacted(summary=summary, automatic=False))

    def add_event(self, p: dict[str, Any]) -> None:
        kind = p.get("type")
        out = self.transcript
        match kind:
            case "user_message":
                text = str(p.get("message") or "")
                self.turns += 1
                if self.first_request is None and text.strip():
                    self.first_request = text
                out.append(ev.UserMessage(text=text))
            case "agent_message":
                out.append(
                    ev.AgentMessage(item_id=self.next_id(), text=str(p.get("message") or ""))
                )
            case "agent_reasoning":
                out.append(ev.Reasoning(item_id=self.next_id(), text=str(p.get("text") or "")))
            case "exec_command_end":
                self.exec_end(p)
            case "patch_apply_end":
                self.patch_end(p)
            case "tool_call_end":
                call_id = str(p.get("call_id") or "")
                self.shown_calls.add(call_id)
                args = p.get("arguments") if isinstance(p.get("arguments"), dict) else {}
                out.append(
                    ev.ToolCallEnd(
                        call_id=call_id,
                        name=str(p.get("name") or ""),
                        arguments=args,
                        output=str(p.get("output") or ""),
                        success=bool(p.get("success", True)),
                    )
                )
            case "plan_update":
                out.append(hist.plan_event(p))
            case "token_count":
                info = p.get("info")
                if isinstance(info, dict):
                    self.total = usage_from(info.get("total_token_usage"))
                    self.last = usage_from(info.get("last_token_usage"))
                    window = info.get("model_context_window")
                    self.window = window if isinstance(window, int) else None
                    out.append(
                        ev.TokenCount(total=self.total, last=self.last, context_window=self.window)
                    )
            case "context_compacted":
                automatic = bool(p.get("automatic", False))
                if out and isinstance(out[-1], ev.Compacted):
                    out[-1] = ev.Compacted(summary=out[-1].summary, automatic=automatic)
                else:
                    out.append(ev.Compacted(summary=self.summary, automatic=automatic))
            case "task_complete":
                out.append(
                    ev.TurnComplete(
                        turn_id=str(p.get("turn_id") or ""),
                        last_message=p.get("last_agent_message"),
                        usage=usage_from(p.get("usage")),
                        duration_s=seconds(p.get("duration_s")),
                    )
                )
            case "turn_aborted":
                reason = str(p.get("reason") or "interrupted")
                out.append(
                    ev.TurnAborted(
                        turn_id=str(p.get("turn_id") or ""), reason=reason, duration_s=self.took(p)
                    )
                )
            case "turn_failed":
                message = str(p.get("message") or "")
                out.append(
                    ev.TurnFailed(
                        turn_id=str(p.get("turn_id") or ""),
                        message=message,
                        duration_s=self.took(p),
                    )
                )
            case "warning":
                out.append(ev.WarningEvent(message=str(p.get("message") or "")))
            case "error":
                out.append(ev.Error(message=str(p.get("message") or "")))
            case "response_stored":
                if isinstance(p.get("response_id"), str):
                    self.response_id = p["response_id"]
            case "session_renamed":
                if isinstance(p.get("title"), str) and p["title"].strip():
                    self.renamed = p["title"]

    @staticmethod
    def took(p: dict[str, Any]) -> float:
        return seconds(p.get("duration_s"))

    def exec_end(self, p: dict[str, Any]) -> None:
        call_id = str(p.get("call_id") or "")
        self.shown_calls.add(call_id)
        command = p.get("command") or []
        argv = tuple(str(c) for c in command) if isinstance(command, list) else (str(command),)
        code = p.get("exit_code")
        code = code if isinstance(code, int) else None
        status = p.get("status") or ("completed" if code == 0 else "failed")
        output = p.get("aggregated_output") or (p.get("stdout") or "") + (p.get("stderr") or "")
        cwd = Path(p.get("cwd") or self.cwd or ".")
        sandboxed = p.get("sandboxed")
        self.transcript.append(
            ev.ExecBegin(call_id=call_id, command=argv, cwd=cwd, sandboxed=bool(sandboxed))
        )
        self.transcript.append(
            ev.ExecEnd(
                call_id=call_id,
                command=argv,
                exit_code=code,
                output=str(output),
                duration_s=seconds(p.get("duration")),
                status=str(status),
            )
        )

    def patch_end(self, p: dict[str, Any]) -> None:
        call_id = str(p.get("call_id") or "")
        self.shown_calls.add(call_id)
        changes = []
        raw_changes = p.get("changes") if isinstance(p.get("changes"), dict) else {}
        for path, body in raw_changes.items():
            body = body if isinstance(body, dict) else {}
            kind = body.get("type", "update")
            if kind == "update" and body.get("move_path"):
                kind = "move"
            if kind not in ("add", "delete", "update", "move"):
                kind = "update"
            added = body.get("added") if isinstance(body.get("added"), int) else 0
            removed = body.get("removed") if isinstance(body.get("removed"), int) else 0
            changes.append(
                ev.ChangedFile(
                    path=path,
                    kind=kind,
                    added=added,
                    removed=removed,
                    move_path=body.get("move_path"),
                )
            )
        success = bool(p.get("success"))
        output = (p.get("stdout") if success else p.get("stderr")) or ""
        status = p.get("status") or ("completed" if success else "failed")
        diff = str(p.get("diff") or "")
        self.transcript.append(ev.PatchBegin(call_id=call_id, changes=tuple(changes), diff=diff))
        self.transcript.append(
            ev.PatchEnd(
                call_id=call_id,
                changes=tuple(changes),
                success=success,
                output=str(output),
                status=status,
            )
        )

    def finish(self, torn: int) -> SessionData:
        git = self.meta.get("git") if isinstance(self.meta.get("git"), dict) else {}
        request = self.first_request or self.first_item_request
        title = self.renamed or (make_title(request) if request else UNTITLED)
        forked = self.meta.get("forked_from")
        meta = SessionMeta(
            id=str(self.meta["id"]),
            path=self.path,
            title=title,
            cwd=self.cwd,
            branch=git.get("branch"),
            commit=git.get("commit_hash"),
            model=self.model,
            provider=self.meta.get("model_provider"),
            created=self.created,
            updated=self.updated,
            turns=self.turns,
            tokens=self.total.total_tokens,
            source=self.source,
            read_only=self.read_only,
            forked_from=forked.get("id") if isinstance(forked, dict) else None,
        )
        return SessionData(
            meta=meta,
            history=hist.close_unanswered(self.history),
            transcript=self.transcript,
            previous_response_id=self.response_id,
            torn_lines=torn,
            total_usage=self.total,
            last_usage=self.last,
            context_window=self.window,
        )
