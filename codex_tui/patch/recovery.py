"""Undo or finish a commit from its journal: after a crash (on the next commit in the
workspace, or at start-up through `recover_unfinished_commit`) and after a failure
inside `commit`. Every step can be repeated: a crash while recovering is recovered too."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codex_tui.patch.checkpoints import checkpoint
from codex_tui.patch.dirs import RelDir, WorkspaceDirs, entry_exists, same_entry
from codex_tui.patch.errors import CommitError
from codex_tui.patch.journal import JOURNAL_NAMES, WRITING_NAME, Journal, Step, find_journal

__all__ = ["Recovery", "finish", "recover", "recover_unfinished_commit", "undo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Recovery:
    """An unfinished commit found in a workspace, and what was done with it.

    `outcome`: "rolled back" (the files are as before that commit) or "finished"
    (it had reached its commit point: the files are as the patch left them).
    """

    outcome: Literal["rolled back", "finished"]
    files: int
    started: str  # when that commit began (UTC, ISO 8601)
    pid: int  # the process that was committing

    def message(self) -> str:
        """One line for a person: `an interrupted patch commit (…) was rolled back`."""
        what = "rolled back" if self.outcome == "rolled back" else "completed"
        return (
            f"an interrupted patch commit (started {self.started} by process {self.pid}, "
            f"{self.files} files) was {what}"
        )


def recover_unfinished_commit(root: str | os.PathLike[str]) -> Recovery | None:
    """Undo (or complete) a commit that was cut short in the workspace at `root`.

    None when there is nothing to do, or when a commit is running there right now.
    Cheap when there is no journal (a few `stat`s); meant for start-up.
    Raises CommitError (one line) when a journal is there but cannot be acted on
    (unreadable, from another codex-tui version, or written for another directory).
    """
    try:
        with WorkspaceDirs(Path(root).resolve()) as dirs:
            leftover = entry_exists(dirs.root_fd, WRITING_NAME)
            if (find_journal(dirs) is None and not leftover) or not dirs.lock(wait=False):
                return None
            return recover(dirs)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise CommitError(
            f"{root}: cannot check for an unfinished commit: {exc.strerror}"
        ) from None


def recover(dirs: WorkspaceDirs) -> Recovery | None:
    """With the workspace lock held: act on the journal there, if any, and remove it."""
    with contextlib.suppress(FileNotFoundError):  # cut short while being written
        os.unlink(WRITING_NAME, dir_fd=dirs.root_fd)
    phase = find_journal(dirs)
    if phase is None:
        return None
    journal = Journal.load(dirs, phase)
    if phase == "done":
        problems = finish(dirs, journal)
    else:
        problems = undo(dirs, journal.steps, journal.made_dirs, renaming=phase == "renaming")
    if problems:
        raise CommitError(
            f"an unfinished commit could not be {'completed' if phase == 'done' else 'undone'}: "
            f"{'; '.join(problems[:3])}; {JOURNAL_NAMES[phase]} stays for the next try"
        )
    Journal.remove(dirs, phase)
    return Recovery(
        outcome="finished" if phase == "done" else "rolled back",
        files=len(journal.steps),
        started=journal.started,
        pid=journal.pid,
    )


def undo(
    dirs: WorkspaceDirs, steps: Sequence[Step], made_dirs: Sequence[RelDir], *, renaming: bool
) -> list[str]:
    """Put back every entry of `steps` as it was, remove their side files and the
    directories made; what could not be put back, one line each. `renaming`: steps may
    have been carried out (else only staged)."""
    problems = []
    for i, step in enumerate(reversed(steps)):
        checkpoint("undo", i)
        try:
            _undo_step(dirs, step, renaming)
        except OSError as exc:
            problems.append(f"{step.shown}: {exc.strerror or exc}")
    for rel in reversed(made_dirs):
        with contextlib.suppress(OSError):  # not empty: something else lives there now
            parent = dirs.get(rel[:-1])
            if parent is not None:
                os.rmdir(rel[-1], dir_fd=parent)
    return problems


def _undo_step(dirs: WorkspaceDirs, step: Step, renaming: bool) -> None:
    fd = dirs.get(step.dir)
    if fd is None:
        return  # the directory is not there: nothing of this commit is in it
    name, temp, backup = step.name, step.temp, step.backup
    if backup is not None and entry_exists(fd, backup):
        if temp is not None and same_entry(fd, backup, name):
            os.unlink(backup, dir_fd=fd)  # kept by a link, not replaced yet
        else:
            os.replace(backup, name, src_dir_fd=fd, dst_dir_fd=fd)
    elif backup is None and temp is not None and renaming and _ours(fd, temp, name):
        os.unlink(name, dir_fd=fd)
    if temp is not None and entry_exists(fd, temp):
        os.unlink(temp, dir_fd=fd)


def _ours(fd: int, temp: str, name: str) -> bool:
    """Whether a new file's name holds what the commit put there: the temp was renamed
    to it (gone) or linked (the same inode); a different file there is someone else's."""
    return entry_exists(fd, name) and (not entry_exists(fd, temp) or same_entry(fd, temp, name))


def finish(dirs: WorkspaceDirs, journal: Journal) -> list[str]:
    """After the commit point: remove the backups (and any temp file left)."""
    problems = []
    for i, step in enumerate(journal.steps):
        checkpoint("finish", i)
        try:
            fd = dirs.get(step.dir)
            for side in (step.temp, step.backup):
                if fd is not None and side is not None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(side, dir_fd=fd)
        except OSError as exc:
            problems.append(f"{step.shown}: {exc.strerror or exc}")
    return problems
