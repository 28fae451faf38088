"""Undo and redo of one turn: prepare (what would change, what conflicts), then apply.

Preparing reads the turn's snapshots and the present state and writes nothing
to the workspace; applying writes only the paths the turn changed. Both block
(git and file I/O): the app runs them in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.snapshots import (
    Limits,
    RestorePlan,
    SnapshotError,
    Snapshotter,
    apply_plan,
    diff_text,
    plan_restore,
)
from codex_tui.undo.history import TurnSnapshots

__all__ = ["Prepared", "UndoError", "apply", "prepare", "turn_title"]


class UndoError(Exception):
    """Nothing was written; the message says why, on one line."""


def turn_title(turn: TurnSnapshots) -> str:
    first = turn.request.strip().splitlines()[0] if turn.request.strip() else ""
    return f"“{first[:60]}{'…' if len(first) > 60 else ''}”" if first else f"turn {turn.turn_id}"


@dataclass(frozen=True)
class RootPlan:
    snapshotter: Snapshotter
    plan: RestorePlan


@dataclass(frozen=True)
class Prepared:
    turn: TurnSnapshots
    direction: ev.UndoDirection
    roots: tuple[RootPlan, ...]

    def _paths(self, field: str) -> list[str]:
        several = len(self.roots) > 1
        out: list[str] = []
        for r in self.roots:
            prefix = f"{r.plan.root}/" if several else ""
            out += [prefix + p for p in getattr(r.plan, field)]
        return out

    @property
    def changes(self) -> list[str]:
        several = len(self.roots) > 1
        return [
            (f"{r.plan.root}/" if several else "") + c.path
            for r in self.roots
            for c in r.plan.changes
        ]

    @property
    def conflicts(self) -> list[str]:
        return self._paths("conflicts")

    @property
    def not_covered(self) -> list[str]:
        return self._paths("not_covered")

    @property
    def empty(self) -> bool:
        return all(r.plan.empty for r in self.roots)

    def diff(self) -> str:
        return "".join(diff_text(r.snapshotter.store, r.plan) for r in self.roots)


def prepare(
    turn: TurnSnapshots, direction: ev.UndoDirection, home: Path, limits: Limits | None = None
) -> Prepared:
    """What undoing (or redoing) `turn` would do now; UndoError when it cannot."""
    title = turn_title(turn)
    if not turn.start:
        why = f": {turn.failed}" if turn.failed else ""
        raise UndoError(f"{title} cannot be undone: no snapshot was taken before it{why}")
    if direction == "redo" and turn.end is None:
        raise UndoError(f"{title} cannot be redone: it never finished, so nothing recorded its end")
    plans: list[RootPlan] = []
    try:
        for i, start_root in enumerate(turn.start):
            root = start_root.root
            if not root.is_dir():
                raise UndoError(f"{title} cannot be undone: {root} is gone")
            snap = Snapshotter.at(root, start_root.git_dir, home, limits)
            start = snap.load(start_root.commit)
            now = snap.current()
            end = now
            if turn.end is not None and i < len(turn.end):
                end = snap.load(turn.end[i].commit)
            if direction == "undo":
                plan = plan_restore(root, target=start, left=end, other=end, now=now)
            else:
                plan = plan_restore(root, target=end, left=start, other=start, now=now)
            plans.append(RootPlan(snap, plan))
    except SnapshotError as exc:
        raise UndoError(f"{title} cannot be {direction}ne: {exc}") from None
    return Prepared(turn, direction, tuple(plans))


def apply(prepared: Prepared, *, force: bool = False) -> ev.UndoApplied:
    """Carry out a prepared undo or redo. Conflicts stop it (nothing written)
    unless `force`; paths that could not be written are listed in `failed`."""
    if prepared.conflicts and not force:
        shown = ", ".join(prepared.conflicts[:5])
        more = f" and {len(prepared.conflicts) - 5} more" if len(prepared.conflicts) > 5 else ""
        raise UndoError(f"changed since the turn: {shown}{more} (force to overwrite)")
    failed: list[str] = []
    try:
        for r in prepared.roots:
            failed += apply_plan(r.snapshotter.store, r.plan)
    except SnapshotError as exc:
        failed.append(str(exc))
    return ev.UndoApplied(
        turn_id=prepared.turn.turn_id,
        direction=prepared.direction,
        restored=tuple(prepared.changes),
        failed=tuple(failed),
    )
