"""Write a plan to disk all-or-nothing, and never outside the workspace.

Every directory is reached from a descriptor of the root without following a symlink
(dirs.py); new content is staged in temporary files beside each target; a journal
(journal.py) says what goes where before anything the patch names is touched; then
each entry is put in place, the old one kept as a backup until the commit point. A
failure is undone at once, a crash on the next commit or start-up (recovery.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn

from codex_tui.patch.checkpoints import checkpoint
from codex_tui.patch.dirs import RelDir, WorkspaceDirs, entry_exists
from codex_tui.patch.disk import Snapshot, take_snapshot, write_new_file
from codex_tui.patch.errors import CommitError, FileStateError, StaleFileError
from codex_tui.patch.journal import (
    BACKUP_SUFFIX,
    JOURNAL_NAMES,
    TEMP_SUFFIX,
    WRITING_NAME,
    Journal,
    Phase,
    Step,
    side_name,
)
from codex_tui.patch.model import FileChange, PatchPlan
from codex_tui.patch.recovery import finish, recover, undo
from codex_tui.patch.textfile import encode_lines

__all__ = ["CommitResult", "CommittedFile", "commit"]

SUCCESS_HEADER = "Success. Updated the following files:"

# link() refusals that mean "this file system (or policy) does not do hard links".
_NO_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS})

# An entry's identity: the inode, and what a link() leaves alone (an inode number is
# reused at once by the next file made, so the number alone does not tell).
Identity = tuple[int, int, int, int, int]


def _identity(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class CommittedFile:
    """One line of the summary: `A`dded, `M`odified (moves too) or `D`eleted.

    `overwritten`: an existing file was replaced (Add over a file, Move onto one).
    """

    action: Literal["A", "M", "D"]
    path: str
    old_path: str | None = None
    overwritten: bool = False


@dataclass(frozen=True, slots=True)
class CommitResult:
    files: tuple[CommittedFile, ...]

    def summary(self) -> str:
        """`Success. Updated the following files:` then `A`, `M`, `D` lines, in that order."""
        lines = [SUCCESS_HEADER]
        for action in "AMD":
            lines += [f"{f.action} {f.path}" for f in self.files if f.action == action]
        return "\n".join(lines)


def commit(plan: PatchPlan, root: str | os.PathLike[str] | None = None) -> CommitResult:
    """Apply `plan` atomically; `root`, if given, must be the plan's workspace.

    An unfinished commit left in the workspace by a crash is undone first. Raises
    StaleFileError (nothing written) when a file changed since the plan was made or a
    directory on the way became a symlink, CommitError (everything restored) when the
    file system refuses.
    """
    if root is not None and Path(root).resolve() != plan.root:
        raise ValueError(f"plan was made for {plan.root}, not {root}")
    try:
        dirs = WorkspaceDirs(plan.root)
    except OSError as exc:
        raise CommitError(
            f"{plan.root}: cannot open the workspace ({exc.strerror}); nothing was written"
        ) from None
    with dirs:
        try:
            dirs.lock()
            recovered = recover(dirs) is not None
        except OSError as exc:
            raise CommitError(
                f"{plan.root}: cannot check for an unfinished commit ({exc.strerror or exc}); "
                "nothing was written"
            ) from None
        seen = _check_unchanged(plan, dirs, recovered)
        _Commit(plan, dirs, seen).run()
    return CommitResult(
        tuple(
            CommittedFile(
                c.action, c.path, c.old_path if c.old_path != c.path else None, c.overwritten
            )
            for c in plan.files
        )
    )


def _check_unchanged(plan: PatchPlan, dirs: WorkspaceDirs, recovered: bool) -> dict[Path, Identity]:
    """Compare every entry the plan relies on with the disk, reached as the commit will
    reach it; the identity of each existing one, to be sure it is the one replaced."""
    seen: dict[Path, Identity] = {}
    for change in plan.files:
        for path, before in change._detail.expect:
            rel = path.relative_to(plan.root).parts
            shown = "/".join(rel)
            try:
                fd = dirs.get(rel[:-1])
                found = None if fd is None else _inspect(fd, rel[-1], shown, before)
                if found is not None:
                    seen[path] = found[0]
            except NotADirectoryError as exc:  # a symlink (or a file) on the way
                raise StaleFileError(
                    f"{shown}: changed on disk since the patch was checked ({exc.strerror} "
                    "now); nothing was written"
                ) from None
            except OSError as exc:
                raise CommitError(
                    f"{shown}: cannot inspect ({exc.strerror or exc}); nothing was written"
                ) from None
            except FileStateError as exc:
                raise CommitError(f"{exc}; nothing was written") from None
            if (None if found is None else found[1]) != before:
                note = " (an interrupted commit was rolled back first)" if recovered else ""
                raise StaleFileError(
                    f"{shown}: changed on disk since the patch was checked{note}; "
                    "nothing was written"
                )
    return seen


def _inspect(
    fd: int, name: str, shown: str, like: Snapshot | None
) -> tuple[Identity, Snapshot | None] | None:
    """The entry's identity, then what it holds (an entry swapped in between fails one
    of the two checks); None when there is none."""
    try:
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return _identity(st), take_snapshot(name, shown, fd, like)


@dataclass(frozen=True, slots=True)
class _Item:
    """A step with what it needs: the change it comes from, the entry it expects."""

    step: Step
    doing: str  # for an error message: "<path>: cannot write"
    change: FileChange | None  # what to write; None: a removal
    identity: Identity | None  # the entry the plan replaces or removes


class _Commit:
    def __init__(self, plan: PatchPlan, dirs: WorkspaceDirs, seen: dict[Path, Identity]) -> None:
        self.dirs = dirs
        self.items: list[_Item] = []
        for change in plan.files:
            if change._detail.write_to is not None:
                self._add(plan.root, change._detail.write_to, change, seen, change)
        for change in plan.files:
            if change._detail.remove is not None:
                self._add(plan.root, change._detail.remove, change, seen, None)
        self.made: list[RelDir] = []  # directories made so far
        self.reached = 0  # steps that may have a side file so far

    def _add(
        self,
        root: Path,
        path: Path,
        change: FileChange,
        seen: dict[Path, Identity],
        content: FileChange | None,
    ) -> None:
        *parent, name = path.relative_to(root).parts
        identity = seen.get(path)
        temp = side_name(name, os.urandom(4).hex(), TEMP_SUFFIX) if content else None
        backup = side_name(name, os.urandom(4).hex(), BACKUP_SUFFIX) if identity else None
        step = Step(tuple(parent), name, temp, backup)
        doing = f"{change.path}: cannot write" if content else f"{change.old_path}: cannot remove"
        self.items.append(_Item(step, doing, content, identity))

    def run(self) -> None:
        if not self.items:
            return
        phase: Phase | None = None
        journal: Journal | None = None
        doing = "cannot look up the directories"
        try:
            made = self._missing_dirs()
            journal = Journal.new(self.dirs, made, [item.step for item in self.items])
            doing = "cannot write the commit journal"
            journal.write(self.dirs)
            phase = "staging"
            checkpoint("journal", 0)
            for rel in made:
                doing = f"{'/'.join(rel)}: cannot create the directory"
                self.dirs.make(rel)
                self.made.append(rel)
                self._dir(rel)  # open it now: a symlink put there meanwhile fails the commit
            for i, item in enumerate(self.items):
                if item.change is not None:
                    checkpoint("stage", i)
                    doing = item.doing
                    self.reached = i + 1
                    self._stage(item.step, item.change)
            self.reached = len(self.items)
            doing = "cannot update the commit journal"
            Journal.advance(self.dirs, "staging", "renaming")
            phase = "renaming"
            os.fsync(self.dirs.root_fd)
            for i, item in enumerate(self.items):
                checkpoint("rename", i)
                doing = item.doing
                self._place(item)
            doing = "cannot flush the directories"
            for rel in {item.step.dir for item in self.items} | {d[:-1] for d in made}:
                os.fsync(self._dir(rel))
            doing = "cannot update the commit journal"
            # The commit point: from here on, the patch is applied. (Not flushed: lost to a
            # power cut, it makes recovery undo the whole commit, which is still all or none.)
            Journal.advance(self.dirs, "renaming", "done")
            phase = "done"
        except OSError as exc:
            self._fail(exc, doing, phase)
        except BaseException:  # Ctrl-C, or a bug of ours: undo now, not at the next start
            if phase != "done":
                self._undo(phase)
            raise
        assert journal is not None
        checkpoint("committed", 0)
        # Leftover backups are harmless and the next commit or start-up removes them.
        if not finish(self.dirs, journal):
            with contextlib.suppress(OSError):
                Journal.remove(self.dirs, "done")

    def _missing_dirs(self) -> list[RelDir]:
        """Directories to create for the new files, parents first."""
        made: dict[RelDir, None] = {}
        for item in self.items:
            rel = item.step.dir
            for depth in range(1, len(rel) + 1):
                if rel[:depth] not in made and self.dirs.get(rel[:depth]) is None:
                    made[rel[:depth]] = None
        return list(made)

    def _dir(self, rel: RelDir) -> int:
        fd = self.dirs.get(rel)
        if fd is None:
            raise FileNotFoundError(errno.ENOENT, f"{'/'.join(rel)}: no longer there")
        return fd

    def _stage(self, step: Step, change: FileChange) -> None:
        lines = change._detail.new_lines
        assert step.temp is not None and lines is not None
        data = encode_lines(lines, change._detail.bom)
        perms = change._detail.create_perms if change.new_mode is None else 0o600
        write_new_file(self._dir(step.dir), step.temp, data, perms, change.new_mode)

    def _place(self, item: _Item) -> None:
        step = item.step
        fd = self._dir(step.dir)
        if step.temp is None:  # a removal: the entry becomes the backup
            assert step.backup is not None
            os.rename(step.name, step.backup, src_dir_fd=fd, dst_dir_fd=fd)
            _expect(fd, step.backup, item.identity)
        elif step.backup is None:
            _put_new(fd, step.temp, step.name)
        else:
            _keep_old(fd, step.name, step.backup)
            _expect(fd, step.backup, item.identity)
            os.replace(step.temp, step.name, src_dir_fd=fd, dst_dir_fd=fd)

    def _undo(self, phase: Phase | None) -> list[str]:
        """Undo what this commit did so far; what could not be undone, one line each
        (then the journal stays, for the next recovery to try again)."""
        if phase is None:
            with contextlib.suppress(OSError):  # the journal was being written
                os.unlink(WRITING_NAME, dir_fd=self.dirs.root_fd)
            return []
        steps = [item.step for item in self.items[: self.reached]]
        problems = undo(self.dirs, steps, self.made, renaming=phase == "renaming")
        if not problems:
            with contextlib.suppress(OSError):
                Journal.remove(self.dirs, phase)
        return problems

    def _fail(self, exc: OSError, doing: str, phase: Phase | None) -> NoReturn:
        problems = self._undo(phase)
        reason = exc.strerror or str(exc)
        if problems:
            outcome = (
                f"restoring failed: {'; '.join(problems[:3])}; "
                f"{JOURNAL_NAMES[phase or 'renaming']} is left for the next try"
            )
        else:
            outcome = "nothing was changed"
        raise CommitError(f"{doing} ({reason}); {outcome}") from None


def _put_new(fd: int, temp: str, name: str) -> None:
    """Give the staged file its name, which must still be free (link: no clobbering)."""
    try:
        os.link(temp, name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "created on disk since the patch was checked") from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if entry_exists(fd, name):
            raise FileExistsError(
                errno.EEXIST, "created on disk since the patch was checked"
            ) from None
        os.rename(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
        return
    os.unlink(temp, dir_fd=fd)


def _keep_old(fd: int, name: str, backup: str) -> None:
    """Keep the entry about to be replaced under its backup name: a second link to it,
    so the name never goes missing (or, without hard links, the entry itself)."""
    try:
        os.link(name, backup, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        os.rename(name, backup, src_dir_fd=fd, dst_dir_fd=fd)


def _expect(fd: int, backup: str, identity: Identity | None) -> None:
    """The entry now kept as `backup` must be the one checked (not, say, a symlink put
    there since)."""
    st = os.stat(backup, dir_fd=fd, follow_symlinks=False)
    if identity is None or _identity(st) != identity:
        raise OSError(errno.ESTALE, "changed on disk since the patch was checked")
