"""When the session's first tasks begin: after the first frame the agent is built,
prompt templates found and theme styles checked, ~0.1 s of Python, partly on
threads that compete for the interpreter's lock. Keys typed at once (type-ahead,
a first word) come first: the tasks begin once no key has arrived for QUIET_S,
LATEST_S after the first frame at the latest, and at once when a message is sent.
A key typed at once was drawn ~30 ms later than in a bare Textual app before."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

QUIET_S = 0.1
LATEST_S = 1.0


class FirstStart:
    """Calls `begin` once, when the keyboard has gone quiet after the first frame."""

    def __init__(
        self, set_timer: Callable[[float, Callable[[], Any]], object], begin: Callable[[], Any]
    ) -> None:
        self._set_timer = set_timer
        self._begin = begin
        self.begun = False
        self._latest: float | None = None
        self._last_key = 0.0

    def key_pressed(self) -> None:
        self._last_key = time.monotonic()

    def after_first_frame(self, *, at_once: bool = False) -> None:
        """Start waiting for a quiet keyboard; `at_once`: a message is waiting to go."""
        self._latest = time.monotonic() + LATEST_S
        if at_once:
            self.now()
        else:
            self._set_timer(QUIET_S, self._check)

    def now(self) -> None:
        """Begin now, if not begun yet (a message was sent)."""
        if not self.begun:
            self.begun = True
            self._begin()

    def _check(self) -> None:
        if self.begun or self._latest is None:
            return
        now = time.monotonic()
        quiet_at = self._last_key + QUIET_S
        if now >= quiet_at or now >= self._latest:
            self.now()
        else:
            self._set_timer(min(quiet_at, self._latest) - now, self._check)
