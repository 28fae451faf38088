"""Sessions: recorded as JSONL files as they happen, read back for the transcript
and for resuming, and indexed in SQLite for the sidebar and `codex-tui sessions`.

The names below load on first use: `codex_tui.sessions.display` (which the TUI's
first frame needs) must not bring the reader, the recorder and the agent's events
with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codex_tui.lazy_names import lazy_getattr

if TYPE_CHECKING:
    from codex_tui.sessions.errors import (
        AmbiguousSession,
        ReadOnlySession,
        SessionError,
        SessionNotFound,
        SessionReadError,
    )
    from codex_tui.sessions.index import RefreshReport, SessionIndex, SessionSummary
    from codex_tui.sessions.reader import SessionData, SessionMeta, read_session
    from codex_tui.sessions.recorder import SessionRecorder

_WHERE = {
    "AmbiguousSession": "errors",
    "ReadOnlySession": "errors",
    "SessionError": "errors",
    "SessionNotFound": "errors",
    "SessionReadError": "errors",
    "RefreshReport": "index",
    "SessionIndex": "index",
    "SessionSummary": "index",
    "SessionData": "reader",
    "SessionMeta": "reader",
    "read_session": "reader",
    "SessionRecorder": "recorder",
}

__all__ = [
    "AmbiguousSession",
    "ReadOnlySession",
    "RefreshReport",
    "SessionData",
    "SessionError",
    "SessionIndex",
    "SessionMeta",
    "SessionNotFound",
    "SessionReadError",
    "SessionRecorder",
    "SessionSummary",
    "read_session",
]


__getattr__ = lazy_getattr(__name__, _WHERE, globals())
