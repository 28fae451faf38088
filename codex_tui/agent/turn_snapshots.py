"""Snapshots around the turns that write, for undo.

The first call of a turn that can write (a patch, or a command the policy does
not know to be read-only) waits for a snapshot of every root first: the
workspace and the other writable roots the sandbox grants. The turn's end takes
another. Both are announced as `SnapshotTaken` events, which the session file
records (ids, not contents), so undo works after a resume or a crash. A
snapshot that fails is one `SnapshotFailed` event and the turn goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.snapshots import (
    Limits,
    SnapshotError,
    Snapshotter,
    parse_ref,
    prune_refs,
    ref_name,
    session_prefix,
)

__all__ = ["TurnSnapshots"]


class TurnSnapshots:
    """The snapshots of one session's turns (one instance per agent)."""

    def __init__(
        self,
        roots: Callable[[], Sequence[Path]],
        home: Path,
        session_id: str,
        emit: Callable[[ev.Event], None],
        *,
        keep_turns: int = 50,
        limits: Limits | None = None,
    ) -> None:
        self._roots = roots
        self._home = home
        self.session_id = session_id
        self._emit = emit
        self._keep = keep_turns
        self._limits = limits or Limits()
        self._snapshotters: list[Snapshotter] | None = None
        self._lock = asyncio.Lock()
        self._turn = ""
        self._seq = 0
        self._taken = False
        self._failed = False

    def begin_turn(self, turn_id: str) -> None:
        self._turn, self._taken, self._failed = turn_id, False, False

    async def before_write(self) -> None:
        """Snapshot the roots unless this turn already did (or tried)."""
        if not self._turn or self._taken or self._failed:
            return
        async with self._lock:
            if not (self._taken or self._failed):
                self._taken = await self._take("start")
                self._failed = not self._taken

    async def end_turn(self) -> None:
        """The turn is over: snapshot what it left, if it wrote at all."""
        turn, taken = self._turn, self._taken
        self._turn, self._taken = "", False
        if not turn or not taken:
            return
        async with self._lock:
            await self._take("end", turn)

    async def _take(self, phase: ev.SnapshotPhase, turn: str = "") -> bool:
        turn = turn or self._turn
        started = time.monotonic()
        try:
            roots, uncovered = await asyncio.to_thread(self._take_all, phase)
        except (SnapshotError, OSError) as exc:
            message = str(exc) if isinstance(exc, SnapshotError) else (exc.strerror or str(exc))
            self._emit(ev.SnapshotFailed(turn_id=turn, phase=phase, message=message))
            return False
        self._emit(
            ev.SnapshotTaken(
                turn_id=turn,
                phase=phase,
                roots=roots,
                not_covered=uncovered,
                duration_s=time.monotonic() - started,
            )
        )
        return True

    def _take_all(
        self, phase: ev.SnapshotPhase
    ) -> tuple[tuple[ev.SnapshotRoot, ...], tuple[str, ...]]:
        """Blocking: one snapshot per root, kept alive by this session's refs."""
        if self._snapshotters is None:
            roots = [r for r in dict.fromkeys(self._roots()) if r != Path("/")]
            self._snapshotters = [Snapshotter.open(r, self._home, self._limits) for r in roots]
            self._seq = max((self._last_seq(s) for s in self._snapshotters), default=0)
        if phase == "start":
            self._seq += 1
        taken: list[ev.SnapshotRoot] = []
        uncovered: list[str] = []
        several = len(self._snapshotters) > 1
        for snapshotter in self._snapshotters:
            ref = ref_name(self.session_id, self._seq, phase)
            snap = snapshotter.take(ref)
            taken.append(
                ev.SnapshotRoot(
                    root=snap.root, commit=snap.commit, git_dir=snapshotter.store.git_dir
                )
            )
            prefix = f"{snap.root}/" if several else ""
            uncovered += [prefix + p for p in snap.manifest.not_covered]
            if phase == "end":
                prune_refs(snapshotter.store, self.session_id, self._keep)
        return tuple(taken), tuple(uncovered)

    def _last_seq(self, snapshotter: Snapshotter) -> int:
        """The highest turn number this session's refs already use (a resumed session)."""
        refs = snapshotter.store.refs(session_prefix(self.session_id))
        return max((parse_ref(r)[0] for r in refs), default=0)
