"""Putting back what one turn changed, and only that.

A turn is known by two manifests: `start` (before its first write) and `end`
(after it, or the present when the process died mid-turn). Undo sets every path
the turn changed back to `start`; redo sets it to `end` again. Paths the person
changed since (`now` differs from what the turn left) are conflicts: listed, and
overwritten only when asked to. Paths the turn did not touch are never written,
so edits made elsewhere after the turn survive an undo.

Writes never follow a symlink out of the root: every folder on the way to a
path is opened one name at a time without following links, and every write,
rename and removal goes through that folder's descriptor (so a symlink swapped
in by a process still running cannot redirect it); files are written to a
temporary name and renamed into place; nothing under `.git` is touched.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codex_tui.snapshots.gitstore import GitStore, SnapshotError
from codex_tui.snapshots.snapshot import Item, Manifest

__all__ = ["Change", "RestorePlan", "apply_plan", "diff_text", "plan_restore"]

PREVIEW_BYTES = 256 * 1024  # larger files are summarised in the preview


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    now: Item | None
    target: Item | None


@dataclass(frozen=True)
class RestorePlan:
    root: Path
    changes: tuple[Change, ...]
    make_dirs: tuple[str, ...]  # folders the turn removed (or undo needs)
    drop_dirs: tuple[str, ...]  # folders the turn made, removed when left empty
    conflicts: tuple[str, ...]  # changed by someone else since the turn
    not_covered: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.changes or self.make_dirs or self.drop_dirs)


def _git_path(path: str) -> bool:
    return ".git" in path.split("/")


def plan_restore(
    root: Path, *, target: Manifest, left: Manifest, other: Manifest, now: Manifest
) -> RestorePlan:
    """Set the paths that differ between `target` and `left` back to `target`.

    Undo: target = the turn's start, left = its end. Redo: the other way round.
    `other` is the side being undone (to list what was not covered by either).
    """
    touched = {
        p
        for p in target.items.keys() | left.items.keys()
        if target.items.get(p) != left.items.get(p)
    }
    # A path either side did not cover (too big, in a heavy ignored folder) is left
    # as it is: its absence from a snapshot says nothing about the file.
    uncovered_entries = set(target.not_covered) | set(left.not_covered)
    folders = tuple(e for e in uncovered_entries if e.endswith("/"))
    touched = {
        p
        for p in touched
        if not _git_path(p) and p not in uncovered_entries and not p.startswith(folders or ("\0",))
    }
    conflicts = sorted(p for p in touched if now.items.get(p) != left.items.get(p))
    changes = tuple(
        Change(p, now.items.get(p), target.items.get(p))
        for p in sorted(touched)
        if now.items.get(p) != target.items.get(p)
    )
    make = sorted(d for d in target.dirs - left.dirs if d not in now.dirs and not _git_path(d))
    drop = sorted(
        (d for d in left.dirs - target.dirs if d in now.dirs and not _git_path(d)),
        key=lambda d: -d.count("/"),
    )
    uncovered = tuple(sorted(set(target.not_covered) | set(other.not_covered)))
    return RestorePlan(root, changes, tuple(make), tuple(drop), tuple(conflicts), uncovered)


# --- applying ---------------------------------------------------------------------


class RestoreError(Exception):
    pass


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _open_dir(root: Path, rel: str, create: bool) -> int:
    """A descriptor of the folder `root/rel`, reached one name at a time without
    following a symlink (made as needed when `create`; a symlink or file in the
    way, which the turn put there, is replaced). Every later step works through
    it, so a symlink swapped in meanwhile cannot send a write elsewhere."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in [p for p in rel.split("/") if p]:
            if part in (".", "..", ".git"):
                raise RestoreError(f"refusing path {rel!r}")
            try:
                inner = os.open(part, DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, dir_fd=fd)
                inner = os.open(part, DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                    raise
                if not create:
                    raise RestoreError(f"{rel} is no longer a folder") from None
                st = os.stat(part, dir_fd=fd, follow_symlinks=False)
                if not (stat.S_ISLNK(st.st_mode) or stat.S_ISREG(st.st_mode)):
                    raise RestoreError(
                        f"{rel}: something that is not a file is in the way"
                    ) from None
                os.unlink(part, dir_fd=fd)
                os.mkdir(part, dir_fd=fd)
                inner = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = inner
        return fd
    except BaseException:
        os.close(fd)
        raise


def _remove(root: Path, rel: str) -> None:
    parent, _, name = rel.rpartition("/")
    try:
        fd = _open_dir(root, parent, create=False)
    except (FileNotFoundError, RestoreError):
        return  # its folder is gone or replaced: nothing of it left to remove
    try:
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            raise RestoreError(f"{rel} is a folder now")
        os.unlink(name, dir_fd=fd)
    finally:
        os.close(fd)


def _write(root: Path, rel: str, item: Item, data: bytes) -> None:
    parent, _, name = rel.rpartition("/")
    if name in ("", ".", "..", ".git"):
        raise RestoreError(f"refusing path {rel!r}")
    fd = _open_dir(root, parent, create=True)
    try:
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                os.rmdir(name, dir_fd=fd)  # a folder the turn put there, emptied already
        temp = f".{name[:40]}.codex-tui-undo-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=fd)
        if item.kind == "link":
            os.symlink(os.fsdecode(data), temp, dir_fd=fd)
        else:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            out = os.open(temp, flags, 0o600, dir_fd=fd)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(out, view) :]
                os.fchmod(out, item.perm)
            finally:
                os.close(out)
        os.replace(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)


def _rmdir(root: Path, folder: str) -> None:
    parent, _, name = folder.rpartition("/")
    fd = _open_dir(root, parent, create=False)
    try:
        os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)


def apply_plan(
    store: GitStore, plan: RestorePlan, progress: Callable[[str], None] | None = None
) -> list[str]:
    """Carry out `plan`; the paths that could not be restored (empty when all were)."""
    root = plan.root
    failed: list[str] = []
    writes = [c for c in plan.changes if c.target is not None]
    blobs = dict(store.blobs([c.target.sha for c in writes if c.target is not None]))
    # Removals first, deepest first, so a file can take the place of a folder.
    for change in sorted(plan.changes, key=lambda c: -c.path.count("/")):
        if change.now is None:
            continue
        if change.target is None or change.target.kind != change.now.kind:
            try:
                _remove(root, change.path)
            except (OSError, RestoreError) as exc:
                failed.append(f"{change.path}: {_why(exc)}")
    for folder in plan.drop_dirs:
        with contextlib.suppress(OSError, RestoreError):
            _rmdir(root, folder)
    for folder in plan.make_dirs:
        try:
            os.close(_open_dir(root, folder, create=True))
        except (OSError, RestoreError) as exc:
            failed.append(f"{folder}/: {_why(exc)}")
    for change in writes:
        assert change.target is not None
        try:
            _write(root, change.path, change.target, blobs[change.target.sha])
        except (OSError, RestoreError, KeyError) as exc:
            failed.append(f"{change.path}: {_why(exc)}")
        else:
            if progress is not None:
                progress(change.path)
    return failed


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if isinstance(exc, KeyError):
        return "its snapshot content is missing"
    return str(exc)


# --- the preview ------------------------------------------------------------------


def _text(data: bytes) -> list[str] | None:
    if b"\0" in data[:8192] or len(data) > PREVIEW_BYTES:
        return None
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def diff_text(store: GitStore, plan: RestorePlan) -> str:
    """What applying `plan` does, as git-style unified diff text (now → restored)."""
    shas = [i.sha for c in plan.changes for i in (c.now, c.target) if i is not None]
    try:
        blobs = dict(store.blobs(shas))
    except SnapshotError:
        blobs = {}
    out: list[str] = []
    for change in plan.changes:
        path, now, target = change.path, change.now, change.target
        out.append(f"diff --git a/{path} b/{path}\n")
        if now is None and target is not None:
            out.append(f"new file mode {_mode(target)}\n")
        elif target is None and now is not None:
            out.append(f"deleted file mode {_mode(now)}\n")
        elif now is not None and target is not None and _mode(now) != _mode(target):
            out.append(f"old mode {_mode(now)}\nnew mode {_mode(target)}\n")
        old = _lines(blobs, now)
        new = _lines(blobs, target)
        if old is None or new is None:
            if (now and target and now.sha != target.sha) or (now is None) != (target is None):
                out.append(f"Binary files a/{path} and b/{path} differ\n")
            continue
        body = list(
            difflib.unified_diff(
                old,
                new,
                "/dev/null" if now is None else f"a/{path}",
                "/dev/null" if target is None else f"b/{path}",
                n=3,
            )
        )
        for line in body:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _mode(item: Item) -> str:
    if item.kind == "link":
        return "120000"
    return f"100{item.perm:o}"


def _lines(blobs: dict[str, bytes], item: Item | None) -> list[str] | None:
    if item is None:
        return []
    data = blobs.get(item.sha)
    if data is None:
        return None
    if item.kind == "link":
        return [os.fsdecode(data) + "\n"]
    return _text(data)
