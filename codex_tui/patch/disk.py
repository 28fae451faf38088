"""What is on disk at a path: captured while planning, compared again before committing;
and the one way the engine creates a file (exclusively, never through a symlink, flushed)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from codex_tui.patch.errors import FileStateError

__all__ = ["Snapshot", "take_snapshot", "write_new_file"]

_PIECE = 1 << 20  # bytes read at a time when comparing


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A file (its bytes and permission bits), a directory, a symlink or something else."""

    kind: Literal["file", "dir", "link", "other"]
    mode: int = 0
    data: bytes = b""
    target: str = ""  # where a symlink points


def take_snapshot(
    path: Path | str, display: str, dir_fd: int | None = None, like: Snapshot | None = None
) -> Snapshot | None:
    """The entry at `path` (relative to `dir_fd` if given) itself: a symlink is not
    followed, a file is read only if it is still a regular file once open; None when
    absent. A file's bytes that are `like`'s are `like`'s own object: a big file
    checked against a snapshot is not held twice."""
    try:
        st = os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise FileStateError(display, f"cannot inspect: {exc.strerror}") from None
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISDIR(st.st_mode):
        return Snapshot("dir", mode)
    if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
        return Snapshot("other", mode)
    try:
        if stat.S_ISLNK(st.st_mode):
            return Snapshot("link", mode, target=os.readlink(path, dir_fd=dir_fd))
        # O_NONBLOCK: a FIFO put there since the stat must not hang us.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        fd = os.open(path, flags, dir_fd=dir_fd)
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return Snapshot("other", mode)
            data = f.read() if like is None else _read_like(f, like.data)
    except FileNotFoundError:
        return None  # removed since the stat
    except OSError as exc:
        raise FileStateError(display, f"cannot read: {exc.strerror}") from None
    return Snapshot("file", mode, data)


def _read_like(f: BinaryIO, like: bytes) -> bytes:
    """The rest of `f`, compared with `like` a piece at a time as it is read."""
    pos = 0
    while piece := f.read(_PIECE):
        if like[pos : pos + len(piece)] != piece:
            return like[:pos] + piece + f.read()
        pos += len(piece)
    return like if pos == len(like) else like[:pos]


def write_new_file(
    dir_fd: int, name: str, data: Iterable[bytes], perms: int, mode: int | None
) -> None:
    """Create `name` in the directory (it must not exist; a symlink there is not followed),
    write the pieces of `data`, set `mode` if given (else `perms` less the umask) and
    flush it to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(name, flags, perms, dir_fd=dir_fd)
    try:
        try:
            for piece in data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        os.unlink(name, dir_fd=dir_fd)
        raise
