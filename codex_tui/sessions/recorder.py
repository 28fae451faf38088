"""Records one session as it happens: a JSONL file of whole lines in Codex CLI's
envelope (session_meta, response_item, event_msg, turn_context, compacted).

Command and tool output is written through the policy's secret redaction (the
model's own copy already is); messages are written as they are.

Every line goes to the file in a single `write` as soon as it is known, so a
process killed mid-turn leaves at most one torn last line; the file is fsynced at
the end of each turn. A new session's file is created with its first request, so
opening and closing the app leaves no empty sessions behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from codex_tui import __version__
from codex_tui.agent import events as ev
from codex_tui.agent.items import HistoryItem
from codex_tui.sessions.event_codec import Payload, WriteState, encode
from codex_tui.sessions.files import ORIGINATOR, encode_line, mark_folder, utc_stamp
from codex_tui.sessions.images import item_for_file


def meta_payload(
    session_id: str,
    cwd: Path,
    model: str,
    provider: str,
    git: dict[str, str],
    *,
    source: str = "cli",
    forked_from: dict[str, str] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": session_id,
        "timestamp": utc_stamp(),
        "cwd": str(cwd),
        "originator": ORIGINATOR,
        "cli_version": __version__,
        "instructions": None,
        "source": source,
        "model_provider": provider,
        "model": model,
        "git": git,
    }
    if forked_from:
        payload["forked_from"] = forked_from
    return payload


class SessionRecorder:
    """Writes one session file. Hook it up with `wrap(emit)` for events and the
    Conversation's `on_add` / `on_compact` for model items (see build_agent)."""

    def __init__(self, path: Path, session_id: str, *, exists: bool, pending: list[bytes]):
        self.path = path
        self.session_id = session_id
        # Fields of each turn_context line: cwd, approval_policy, sandbox_policy, model...
        self.describe_turn: Callable[[], dict[str, Any]] = dict
        # Set when a write failed: recording stops, the session goes on.
        self.failed: str | None = None
        self._exists = exists
        self._pending = pending
        self._fd: int | None = None
        self._turn = WriteState()
        self._warn: Callable[[ev.Event], None] | None = None

    @classmethod
    def create(cls, path: Path, meta: dict[str, Any]) -> SessionRecorder:
        """A new session; its file appears with the first request."""
        return cls(path, meta["id"], exists=False, pending=[encode_line("session_meta", meta)])

    @classmethod
    def append_to(cls, path: Path, session_id: str) -> SessionRecorder:
        """Go on recording an existing session of ours, at the end of its file."""
        return cls(path, session_id, exists=True, pending=[])

    # --- hooks -------------------------------------------------------------------------

    def wrap(self, emit: Callable[[ev.Event], None]) -> Callable[[ev.Event], None]:
        """`emit` that records each event first."""
        self._warn = emit

        def recording_emit(event: ev.Event) -> None:
            self.record_event(event)
            emit(event)

        return recording_emit

    def record_items(self, items: Iterable[HistoryItem]) -> None:
        self._write(b"".join(encode_line("response_item", item_for_file(item)) for item in items))

    def record_compacted(self, summary: str, replacement: list[HistoryItem]) -> None:
        kept = [item_for_file(item) for item in replacement]
        payload = {"message": summary, "replacement_history": kept}
        self._write(encode_line("compacted", payload))

    def record_event(self, event: ev.Event, *, replay: bool = False) -> None:
        """Write the line for `event`, if it has one. `replay` is for carrying an
        earlier transcript over, where the person's messages come as UserMessage."""
        turn = self._turn
        match event:
            case ev.TurnStarted(turn_id=turn_id, user_input=text, images=images):
                turn.turn_id = turn_id
                self._exists = True  # the first request creates the file
                context = {**self.describe_turn(), "turn_id": turn_id}
                request = encode(ev.UserMessage(text=text, images=images), turn)
                assert request is not None
                self._write(
                    encode_line("turn_context", context) + encode_line("event_msg", request)
                )
            case ev.UserMessage():
                if replay:
                    self._event(encode(event, turn))
            case ev.ExecBegin(call_id=call_id):
                turn.exec_begins[call_id] = event
            case ev.PatchBegin(call_id=call_id, diff=diff):
                turn.patch_diffs[call_id] = diff
            case ev.TurnComplete() | ev.TurnAborted() | ev.TurnFailed():
                self._event(encode(event, turn))
                self.sync()
            case _:
                self._event(encode(event, turn))

    def record_rename(self, title: str) -> None:
        self._event({"type": "session_renamed", "title": title})

    # --- writing -----------------------------------------------------------------------

    def _event(self, payload: Payload | None) -> None:
        if payload is not None:
            self._write(encode_line("event_msg", payload))

    def _write(self, data: bytes) -> None:
        if self.failed is not None or not data:
            return
        if not self._exists:
            self._pending.append(data)
            return
        try:
            if self._fd is None:
                self._fd = self._open()
            if self._pending:
                data = b"".join([*self._pending, data])
                self._pending.clear()
            view = memoryview(data)
            while view:  # one write; the loop only covers a short write
                view = view[os.write(self._fd, view) :]
            mark_folder(self.path)
        except OSError as exc:
            self._fail(exc)

    def _open(self) -> int:
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            return os.open(self.path, flags | os.O_CREAT, 0o600)
        fd = os.open(self.path, flags)
        try:
            mend_torn_tail(self.path, fd)
        except OSError:
            os.close(fd)
            raise
        return fd

    def _fail(self, exc: OSError) -> None:
        self.failed = f"{self.path}: {exc.strerror or exc}"
        self._close_fd()
        if self._warn is not None:
            self._warn(ev.WarningEvent(message=f"session recording stopped: {self.failed}"))

    def sync(self) -> None:
        """fsync, off the event loop when there is one."""
        if self._fd is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        try:
            if loop is None:
                os.fsync(self._fd)
            else:
                # A duplicate descriptor stays valid even if close() runs first.
                loop.run_in_executor(None, _fsync_and_close, os.dup(self._fd))
        except OSError as exc:
            self._fail(exc)

    def close(self) -> None:
        """Flush to disk and release the file (safe to call twice)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
        self._close_fd()

    def _close_fd(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def mend_torn_tail(path: Path, fd: int) -> None:
    """End a torn last line (a killed writer) so the next line starts clean."""
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as fh:
        fh.seek(size - 1)
        last = fh.read(1)
    if last != b"\n":
        os.write(fd, b"\n")


def append_lines(path: Path, lines: list[bytes]) -> None:
    """Append whole lines to an existing session file (renames, for example)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
    try:
        mend_torn_tail(path, fd)
        os.write(fd, b"".join(lines))
        os.fsync(fd)
    finally:
        os.close(fd)
    mark_folder(path)
