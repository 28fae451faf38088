"""Errors of the sessions package: each one reads as one line for the person."""

from __future__ import annotations


class SessionError(Exception):
    """Base class; `str(exc)` is the message to show."""


class SessionReadError(SessionError):
    """The file is missing, unreadable, or not a session file."""


class SessionNotFound(SessionError):
    def __init__(self, prefix: str) -> None:
        super().__init__(f"no session matches `{prefix}` (codex-tui sessions --all lists them)")
        self.prefix = prefix


class AmbiguousSession(SessionError):
    def __init__(self, prefix: str, candidates: list[str]) -> None:
        shown = ", ".join(candidates[:8]) + (", …" if len(candidates) > 8 else "")
        super().__init__(f"`{prefix}` matches {len(candidates)} sessions: {shown}")
        self.prefix = prefix
        self.candidates = candidates


class ReadOnlySession(SessionError):
    """A Codex CLI session: we read it, never write or delete it."""
