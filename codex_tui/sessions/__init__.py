"""Sessions: recorded as JSONL files as they happen, read back for the transcript
and for resuming, and indexed in SQLite for the sidebar and `codex-tui sessions`."""

from __future__ import annotations

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
