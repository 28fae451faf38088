"""Directories of a workspace reached one name at a time from a descriptor of its root,
never through a symbolic link, so what is done relative to them stays inside the root
whatever renames and symlinks appear meanwhile."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path
from types import TracebackType

__all__ = ["DIR_FLAGS", "RelDir", "WorkspaceDirs", "entry_exists", "same_entry"]

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

RelDir = tuple[str, ...]  # a directory as names below the root; () is the root

# A patch can touch thousands of directories; keep at most this many open at once.
_MAX_OPEN = 256


class WorkspaceDirs:
    """Descriptors of the root and of directories below it, opened on demand.

    A descriptor from `get` is valid until the next call of `get`, `make` or `close`
    (others may be closed to stay under the limit); use it at once.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._open: dict[RelDir, int] = {}

    def __enter__(self) -> WorkspaceDirs:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._open.values():
            os.close(fd)
        self._open.clear()
        os.close(self.root_fd)  # also drops the lock, if taken

    def lock(self, *, wait: bool = True) -> bool:
        """Take the workspace's commit lock (on the root directory itself: no file is
        created); False when `wait` is off and another process holds it."""
        try:
            fcntl.flock(self.root_fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP):
                raise
            # A file system without locks (some network mounts): go on unlocked, as
            # commits did before there was a lock.
        return True

    def get(self, rel: RelDir) -> int | None:
        """The directory `rel`, or None when some part of it does not exist.

        Raises OSError (ENOTDIR) when a part is a symbolic link or not a directory.
        """
        if not rel:
            return self.root_fd
        fd = self._open.get(rel)
        if fd is not None:
            self._open[rel] = self._open.pop(rel)  # most recently used last
            return fd
        parent = self.get(rel[:-1])
        if parent is None:
            return None
        try:
            fd = os.open(rel[-1], DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                raise not_a_directory(parent, rel) from None
            raise
        self._keep(rel, fd)
        return fd

    def make(self, rel: RelDir) -> None:
        """Create the directory `rel`, whose parent exists (ENOTDIR as `get` says)."""
        parent = self.get(rel[:-1])
        if parent is None:
            raise FileNotFoundError(errno.ENOENT, f"{'/'.join(rel[:-1])}: no such directory")
        os.mkdir(rel[-1], dir_fd=parent)

    def _keep(self, rel: RelDir, fd: int) -> None:
        while len(self._open) >= _MAX_OPEN:
            oldest = next(iter(self._open))
            os.close(self._open.pop(oldest))
        self._open[rel] = fd


def not_a_directory(parent: int, rel: RelDir) -> OSError:
    """The error for a path component that cannot be walked through."""
    shown = "/".join(rel)
    try:
        mode = os.stat(rel[-1], dir_fd=parent, follow_symlinks=False).st_mode
    except OSError:
        mode = 0
    what = "is a symbolic link" if stat.S_ISLNK(mode) else "is not a directory"
    return NotADirectoryError(errno.ENOTDIR, f"{shown} {what}")


def entry_exists(dir_fd: int, name: str) -> bool:
    """Whether `name` exists in the directory (a dangling symlink counts)."""
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def same_entry(dir_fd: int, first: str, second: str) -> bool:
    """Whether two names in the directory are links to one inode."""
    with contextlib.suppress(FileNotFoundError):
        a = os.stat(first, dir_fd=dir_fd, follow_symlinks=False)
        b = os.stat(second, dir_fd=dir_fd, follow_symlinks=False)
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
    return False
