"""A session's undo history, from the events its file records.

Each turn that wrote has a start snapshot and (unless the process died first)
an end snapshot; `UndoApplied` events say which turns were undone or redone
since. `/undo` steps back through the turns that changed something, newest
first; `/redo` takes back the latest undo. A new turn that writes ends the redo
chain, as in an editor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codex_tui.agent import events as ev

__all__ = ["TurnSnapshots", "UndoHistory"]


@dataclass
class TurnSnapshots:
    """What is known of one turn's snapshots."""

    turn_id: str
    request: str = ""
    start: tuple[ev.SnapshotRoot, ...] = ()
    end: tuple[ev.SnapshotRoot, ...] | None = None  # None: the turn never finished
    failed: str = ""  # why a snapshot of this turn could not be taken
    not_covered: tuple[str, ...] = ()
    undone: bool = False
    # Which of the session's requests started it (0 = the first), for rewind.
    request_index: int = -1

    @property
    def changed(self) -> bool:
        """Whether the turn may have changed anything (unknown counts as yes)."""
        if self.end is None:
            return bool(self.start)
        return [r.commit for r in self.start] != [r.commit for r in self.end]


@dataclass
class UndoHistory:
    turns: list[TurnSnapshots] = field(default_factory=list)
    redo: list[str] = field(default_factory=list)  # undone turn ids, latest last
    _request: str = ""  # the person's last message (session files record no turn ids for it)
    requests: int = 0  # how many requests the session holds so far

    @classmethod
    def from_events(cls, events: Iterable[ev.Event]) -> UndoHistory:
        history = cls()
        for event in events:
            history.add(event)
        return history

    def _turn(self, turn_id: str) -> TurnSnapshots:
        for turn in reversed(self.turns):
            if turn.turn_id == turn_id:
                return turn
        turn = TurnSnapshots(turn_id, request=self._request, request_index=self.requests - 1)
        self.turns.append(turn)
        return turn

    def add(self, event: ev.Event) -> None:
        """Take in one event of the session (others are ignored)."""
        match event:
            case ev.TurnStarted(user_input=text) | ev.UserMessage(text=text):
                self._request = text
                self.requests += 1
            case ev.ThreadRolledBack(num_turns=turns):
                self.requests = max(0, self.requests - turns)
            case ev.SnapshotTaken(turn_id=turn_id, phase="start", roots=roots):
                turn = self._turn(turn_id)
                turn.start, turn.undone = roots, False
                self.redo.clear()
            case ev.SnapshotTaken(turn_id=turn_id, phase="end", roots=roots, not_covered=nc):
                turn = self._turn(turn_id)
                turn.end, turn.not_covered = roots, nc
            case ev.SnapshotFailed(turn_id=turn_id, message=message):
                self._turn(turn_id).failed = message
            case ev.UndoApplied(turn_id=turn_id, direction="undo", failed=()):
                self._turn(turn_id).undone = True
                self.redo.append(turn_id)
            case ev.UndoApplied(turn_id=turn_id, direction="redo", failed=()):
                self._turn(turn_id).undone = False
                if turn_id in self.redo:
                    self.redo.remove(turn_id)

    def next_undo(self) -> TurnSnapshots | None:
        """The newest turn that changed something and is not undone yet."""
        for turn in reversed(self.turns):
            if turn.undone:
                continue
            if turn.failed and not turn.start:
                return turn  # cannot be restored: the caller says so
            if turn.start and turn.changed:
                return turn
        return None

    def since_request(self, index: int) -> list[TurnSnapshots]:
        """Turns from request `index` on that changed files and are not undone, newest first."""
        return [
            t
            for t in reversed(self.turns)
            if t.request_index >= index and t.start and t.changed and not t.undone
        ]

    def next_redo(self) -> TurnSnapshots | None:
        return self._turn(self.redo[-1]) if self.redo else None

    def undoable(self) -> int:
        """How many turns /undo could still step back through."""
        return sum(1 for t in self.turns if t.start and t.changed and not t.undone)
