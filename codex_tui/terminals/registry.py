"""A session's background terminals: numbered from 1, at most `max_sessions`
running at once, all stopped with the session (and, synchronously, from a
signal handler or at interpreter exit, so nothing outlives codex-tui)."""

from __future__ import annotations

import atexit
from collections.abc import Callable, Sequence
from pathlib import Path

from codex_tui.sandbox.output import OutputLimits
from codex_tui.terminals.terminal import Terminal

__all__ = ["Terminals"]

# Every registry alive in this process, for the atexit / signal sweep.
_LIVE: set[Terminals] = set()


def stop_everything() -> None:
    """SIGKILL every background terminal of every session (no event loop needed)."""
    for registry in list(_LIVE):
        for terminal in registry.terminals.values():
            if terminal.running:
                terminal.stop_now()


atexit.register(stop_everything)


class Terminals:
    def __init__(
        self,
        *,
        max_sessions: int = 8,
        limits: OutputLimits | None = None,
        on_change: Callable[[Terminal], None] | None = None,
    ) -> None:
        self.max_sessions = max_sessions
        self.limits = limits or OutputLimits(
            head_lines=200, tail_lines=400, head_bytes=16_000, tail_bytes=32_000
        )
        self.on_change = on_change
        self.terminals: dict[int, Terminal] = {}
        self._next = 1
        _LIVE.add(self)

    @property
    def running(self) -> list[Terminal]:
        return [t for t in self.terminals.values() if t.running]

    def full(self) -> bool:
        return len(self.running) >= self.max_sessions

    async def start(
        self,
        argv: Sequence[str],
        *,
        command: Sequence[str],
        cwd: Path,
        env: dict[str, str],
        tty: bool,
    ) -> Terminal:
        terminal = Terminal(
            self._next, tuple(command), cwd, tty, self.limits, on_change=self.on_change
        )
        await terminal.start(argv, env)  # OSError: the caller reports it
        self.terminals[self._next] = terminal
        self._next += 1
        if self.on_change is not None:
            self.on_change(terminal)
        return terminal

    def get(self, session_id: int) -> Terminal | None:
        return self.terminals.get(session_id)

    async def close(self) -> None:
        for terminal in self.running:
            await terminal.stop()
        _LIVE.discard(self)

    def still_running(self) -> str:
        """A line for the model at the start of a turn, or "" when none runs."""
        running = self.running
        if not running:
            return ""
        parts = [
            f"session {t.session_id}: {' '.join(t.command)[:80]} (pid {t.pid},"
            f" {int(t.runtime_s // 60)} min {int(t.runtime_s % 60)} s)"
            for t in running
        ]
        return "Background terminals still running: " + "; ".join(parts)
