"""Write a plan to disk all-or-nothing: temporary files beside their targets, renamed
into place; on any failure every file already touched is put back."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codex_tui.patch.disk import Snapshot, take_snapshot
from codex_tui.patch.errors import CommitError, StaleFileError
from codex_tui.patch.model import FileChange, PatchPlan
from codex_tui.patch.textfile import encode

__all__ = ["CommitResult", "CommittedFile", "commit"]

SUCCESS_HEADER = "Success. Updated the following files:"


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

    Raises StaleFileError (nothing written) when a file changed since the plan
    was made, CommitError (everything restored) when the file system refuses.
    """
    if root is not None and Path(root).resolve() != plan.root:
        raise ValueError(f"plan was made for {plan.root}, not {root}")
    _check_unchanged(plan)
    txn = _Transaction(plan.root)
    step = ""  # what was being done, for the error message
    try:
        for change in plan.files:
            if change._detail.write_to is not None:
                step = f"{change.path}: cannot write"
                txn.stage(change)
        for change in plan.files:
            if change._detail.write_to is not None:
                step = f"{change.path}: cannot write"
                txn.replace(change)
        for change in plan.files:
            if change._detail.remove is not None:
                step = f"{change.old_path}: cannot remove"
                txn.remove(change)
    except OSError as exc:
        problems = txn.rollback()
        reason = exc.strerror or str(exc)
        outcome = f"restoring failed: {'; '.join(problems)}" if problems else "nothing was changed"
        raise CommitError(f"{step} ({reason}); {outcome}") from None
    return CommitResult(
        tuple(
            CommittedFile(
                c.action, c.path, c.old_path if c.old_path != c.path else None, c.overwritten
            )
            for c in plan.files
        )
    )


def _check_unchanged(plan: PatchPlan) -> None:
    for change in plan.files:
        for path, before in change._detail.expect:
            if take_snapshot(path, change.path) != before:
                shown = path.relative_to(plan.root).as_posix()
                raise StaleFileError(
                    f"{shown}: changed on disk since the patch was checked; nothing was written"
                )


@dataclass
class _Transaction:
    """Steps done so far, so that they can be undone in reverse."""

    root: Path
    created_dirs: list[Path] = field(default_factory=list)
    temps: dict[Path, Path] = field(default_factory=dict)  # target -> staged temp file
    done: list[tuple[Path, Snapshot | None]] = field(default_factory=list)  # path, what was there

    def stage(self, change: FileChange) -> None:
        target = change._detail.write_to
        assert target is not None and change.new_text is not None
        self._make_parents(target)
        data = encode(change.new_text, change._detail.bom)
        perms = change._detail.create_perms if change.new_mode is None else 0o600
        self.temps[target] = _write_temp(target, data, perms, change.new_mode)

    def replace(self, change: FileChange) -> None:
        target = change._detail.write_to
        assert target is not None
        before = dict(change._detail.expect).get(target)
        os.replace(self.temps[target], target)
        del self.temps[target]
        self.done.append((target, before))

    def remove(self, change: FileChange) -> None:
        path = change._detail.remove
        assert path is not None
        before = dict(change._detail.expect).get(path)
        os.unlink(path)
        self.done.append((path, before))

    def _make_parents(self, target: Path) -> None:
        missing = []
        for parent in target.parents:
            if parent == self.root or parent.is_dir():
                break
            missing.append(parent)
        for parent in reversed(missing):
            os.mkdir(parent)
            self.created_dirs.append(parent)

    def rollback(self) -> list[str]:
        """Undo every step; returns what could not be restored (ideally nothing)."""
        problems = []
        for path, before in reversed(self.done):
            try:
                _restore(path, before)
            except OSError as exc:
                problems.append(f"{path.relative_to(self.root).as_posix()}: {exc.strerror or exc}")
        for temp in self.temps.values():
            with contextlib.suppress(OSError):  # a temp that never got created
                os.unlink(temp)
        for directory in reversed(self.created_dirs):
            with contextlib.suppress(OSError):  # not empty: something else lives there now
                os.rmdir(directory)
        return problems


def _write_temp(target: Path, data: bytes, perms: int, mode: int | None) -> Path:
    """A flushed temporary file beside `target` (same file system, so the rename is atomic)."""
    temp = target.with_name(f".{target.name[:180]}.{secrets.token_hex(4)}.codex-tui.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, perms)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(temp, mode)
    except OSError:
        os.unlink(temp)
        raise
    return temp


def _restore(path: Path, before: Snapshot | None) -> None:
    if before is None:
        os.unlink(path)
    elif before.kind == "link":
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink(before.target, path)
    else:
        os.replace(_write_temp(path, before.data, 0o600, before.mode), path)
