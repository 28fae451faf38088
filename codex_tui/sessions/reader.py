"""Read a session file back: its metadata, the model history (from the last
compaction on), and the visible transcript as agent events, so a front end can
replay it through its usual event handling.

Reads ours and Codex CLI's files (the same envelope). A torn or corrupt line is
skipped and counted; only a file without a `session_meta` first line is refused.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.agent.context import is_user_request, rewind_index
from codex_tui.agent.items import HistoryItem, message_text
from codex_tui.sessions import history as hist
from codex_tui.sessions.errors import SessionReadError
from codex_tui.sessions.event_codec import ReadState, decode
from codex_tui.sessions.files import (
    ORIGINATOR,
    UNTITLED,
    Source,
    clean_text,
    codex_home,
    make_title,
    parse_line,
    parse_lines,
    parse_stamp,
    text_or_none,
)
from codex_tui.sessions.images import item_from_file


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
    history: list[HistoryItem]
    # UserMessage, AgentMessage, AgentMessageCutOff, Reasoning, ExecBegin/End,
    # PatchBegin/End, ToolCallEnd, PlanUpdated, TokenCount, Compacted,
    # TurnComplete/Aborted/Failed, WarningEvent, Error.
    transcript: list[ev.Event]
    # The last response the server kept (conversation_state: server), if any.
    previous_response_id: str | None
    # Lines skipped as torn or corrupt.
    torn_lines: int
    total_usage: ev.TokenUsage = field(default_factory=ev.TokenUsage)
    last_usage: ev.TokenUsage = field(default_factory=ev.TokenUsage)
    context_window: int | None = None


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


KEPT_ON_REWIND = (ev.SnapshotTaken, ev.SnapshotFailed, ev.UndoApplied, ev.TerminalChanged)


# Without a transcript, the event kinds that still matter: turns and the title,
# token usage, rewinds (the history loses turns), the server's last response.
# (A rename is read before any event is decoded.)
HISTORY_EVENTS = frozenset({"user_message", "token_count", "thread_rolled_back", "response_stored"})
_WANTED_EVENTS = HISTORY_EVENTS | {"session_renamed"}


def read_session(path: Path, *, transcript: bool = True) -> SessionData:
    """Everything in one session file. Raises SessionReadError for a file that is
    missing, unreadable, or does not start with a session_meta line.

    `transcript=False`: what continuing the session needs, for `exec resume`: the
    transcript comes back empty, only the events in HISTORY_EVENTS are decoded,
    and the lines of other events this program wrote are not decoded at all
    (their time is read; half of a long session's bytes are answers and turn ends
    shown again in events: a 20,000-item session reads in ~0.35 s, not ~0.6 s). A
    Codex CLI session is read whole all the same: continuing it writes its
    transcript into a new file."""
    path = Path(path)
    chunks = [chunk for chunk in read_bytes(path).split(b"\n") if chunk.strip()]
    # The first whole line is the session's meta; torn ones before it are counted.
    torn = 0
    builder: _Builder | None = None
    while builder is None:
        if torn == len(chunks):
            raise SessionReadError(f"{path}: empty session file")
        line = parse_line(chunks[torn])
        if line is None:
            torn += 1
        elif line["type"] != "session_meta" or not line["payload"].get("id"):
            raise SessionReadError(f"{path}: not a session file (no session_meta first)")
        else:
            builder = _Builder(path, line, transcript)
    rest = chunks[torn + 1 :]
    if not builder.full_transcript:
        rest = builder.skip_unused_events(rest)
    for line in parse_lines(rest):
        if line is None:
            torn += 1
        else:
            builder.add(line)
    builder.add_last_usage()
    return builder.finish(torn)


# An event line as this program writes it (encode_line's key order, compact),
# up to its kind: the timestamp and the kind.
_EVENT_HEAD = re.compile(
    rb'\{"timestamp":"([0-9A-Za-z:.+-]{1,40})","type":"event_msg","payload":\{"type":"([a-z_]{1,60})"'
)


class _Builder:
    """Folds the lines of one file into SessionData."""

    def __init__(self, path: Path, first: dict[str, Any], transcript: bool = True) -> None:
        meta = first["payload"]
        self.path = path
        self.meta = meta
        self.source = source_of(meta)
        self.read_only = self.source == "codex" or in_codex_home(path)
        # Without it, only UserMessage events are kept (a rewind counts them).
        self.full_transcript = transcript or self.read_only
        created = parse_stamp(meta.get("timestamp")) or parse_stamp(first.get("timestamp"))
        self.created = created or datetime.fromtimestamp(0, UTC)
        self.updated = self.created
        self.cwd = clean_text(meta.get("cwd"))
        self.model: str | None = text_or_none(meta.get("model"))
        self.history: list[HistoryItem] = []
        self.transcript: list[ev.Event] = []
        self.first_request: str | None = None
        self.first_item_request: str | None = None
        self.renamed: str | None = None
        self.turns = 0
        self.total = ev.TokenUsage()
        self.last = ev.TokenUsage()
        self.window: int | None = None
        self.response_id: str | None = None
        # Codex CLI files carry tool calls only as items: pair them to show cells.
        self.calls: dict[str, dict[str, Any]] = {}
        self.shown_calls: set[str] = set()
        self.state = ReadState(cwd=self.cwd)
        # Without a transcript: token_count lines set aside (skip_unused_events).
        self.usage_lines: list[bytes] = []

    def skip_unused_events(self, chunks: list[bytes]) -> list[bytes]:
        """The lines still to decode, without a transcript: an event line whose
        kind is not wanted is only timed, and of the token counts only the last
        that holds one will be decoded (each replaces the one before). A line
        skipped so is taken at its word: one torn after its kind is not counted."""
        kept = []
        for chunk in chunks:
            head = _EVENT_HEAD.match(chunk)
            if head is not None:
                kind = head[2]
                if kind == b"token_count":
                    self.usage_lines.append(chunk)
                elif kind.decode() in _WANTED_EVENTS:
                    kept.append(chunk)
                    continue
                stamp = parse_stamp(head[1].decode())
                if stamp is not None and stamp > self.updated:
                    self.updated = stamp
            else:
                kept.append(chunk)
        return kept

    def add_last_usage(self) -> None:
        """The token count of the last set-aside line that holds one."""
        for chunk in reversed(self.usage_lines):
            line = parse_line(chunk)
            counts = [] if line is None else decode(line["payload"], self.state)
            for count in reversed(counts):
                if isinstance(count, ev.TokenCount):
                    self.add_decoded(count)
                    return

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
                self.model = text_or_none(payload.get("model")) or self.model
            case "compacted":
                self.compacted(payload)

    def add_item(self, payload: dict[str, Any]) -> None:
        item = hist.normalize_item(item_from_file(payload), self.source)
        if item is not None:
            self.history.append(item)
            wanted = self.first_item_request is None and not hist.is_context_item(item)
            if wanted and is_user_request(item):
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
        summary = clean_text(payload.get("message"))
        replacement = payload.get("replacement_history")
        if isinstance(replacement, list):
            items = [
                hist.normalize_item(item_from_file(i), self.source)
                for i in replacement
                if isinstance(i, dict)
            ]
            self.history = [i for i in items if i is not None]
        else:
            self.history = hist.compacted_history(self.history, summary)
        # The server's chain no longer matches the history we send from here on.
        self.response_id = None
        self.state.summary = summary
        self.transcript.append(ev.Compacted(summary=summary, automatic=False))

    def add_event(self, p: dict[str, Any]) -> None:
        kind = p.get("type")
        if kind == "session_renamed":
            title = clean_text(p.get("title"))
            if title.strip():
                self.renamed = title
            return
        if not self.full_transcript and kind not in HISTORY_EVENTS:
            return
        for event in decode(p, self.state):
            self.add_decoded(event)

    def add_decoded(self, event: ev.Event) -> None:
        out = self.transcript
        match event:
            case ev.UserMessage(text=text):
                self.turns += 1
                if self.first_request is None and text.strip():
                    self.first_request = text
            case ev.ExecEnd(call_id=call_id) | ev.PatchEnd(call_id=call_id):
                self.shown_calls.add(call_id)
            case ev.ToolCallEnd(call_id=call_id):
                self.shown_calls.add(call_id)
            case ev.TokenCount(total=total, last=last, context_window=window):
                self.total, self.last, self.window = total, last, window
            case ev.Compacted() if out and isinstance(out[-1], ev.Compacted):
                # The `compacted` line came first and carried the summary.
                out[-1] = dataclasses.replace(event, summary=out[-1].summary)
                return
            case ev.ResponseStored(response_id=response_id):
                self.response_id = response_id
                return
            case ev.ThreadRolledBack(num_turns=turns):
                self.roll_back(turns)
                return
        if self.full_transcript or isinstance(event, ev.UserMessage):
            out.append(event)

    def roll_back(self, turns: int) -> None:
        """A rewind: the last `turns` requests leave the history and the transcript."""
        index = rewind_index(self.history, turns)
        if index is not None:
            del self.history[index:]
        self.response_id = None  # the server's chain holds what was cut
        seen = 0
        for at in range(len(self.transcript) - 1, -1, -1):
            if isinstance(self.transcript[at], ev.UserMessage):
                seen += 1
                if seen == turns:
                    # What was done to the files stays known: a conversation-only
                    # rewind leaves them changed, and undo must still reach them.
                    kept = [e for e in self.transcript[at:] if isinstance(e, KEPT_ON_REWIND)]
                    self.transcript[at:] = kept
                    self.turns = max(0, self.turns - turns)
                    break

    def finish(self, torn: int) -> SessionData:
        git = self.meta.get("git") if isinstance(self.meta.get("git"), dict) else {}
        request = self.first_request or self.first_item_request
        title = self.renamed or (make_title(request) if request else UNTITLED)
        forked = self.meta.get("forked_from")
        meta = SessionMeta(
            id=clean_text(str(self.meta["id"])),
            path=self.path,
            title=title,
            cwd=self.cwd,
            branch=text_or_none(git.get("branch")),
            commit=text_or_none(git.get("commit_hash")),
            model=self.model,
            provider=text_or_none(self.meta.get("model_provider")),
            created=self.created,
            updated=self.updated,
            turns=self.turns,
            tokens=self.total.total_tokens,
            source=self.source,
            read_only=self.read_only,
            forked_from=text_or_none(forked.get("id")) if isinstance(forked, dict) else None,
        )
        return SessionData(
            meta=meta,
            history=hist.close_unanswered(self.history),
            transcript=self.transcript if self.full_transcript else [],
            previous_response_id=self.response_id,
            torn_lines=torn,
            total_usage=self.total,
            last_usage=self.last,
            context_window=self.window,
        )
