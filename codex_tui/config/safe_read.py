"""Opening files that someone else may have made hostile (a repository's AGENTS.md,
its prompt templates, the files the model names): regular files only, never
blocking on a FIFO or opening a device, and inside a directory tree never through
a symbolic link that leaves it.

    data = read_regular(path, 1 << 20)                      # follows links (trusted place)
    data = read_regular(path, 1 << 20, beneath=repo_root)   # stays inside repo_root
    with open_regular(path, beneath=root) as opened: ...    # a file object to stream

FileNotFoundError means "absent"; every other refusal is `UnreadableFile`, whose
message is a few words that fit after the path ("is a named pipe (FIFO), not a
regular file").
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "OpenedFile",
    "UnreadableFile",
    "kind_of",
    "open_regular",
    "read_regular",
    "size_text",
]

_KINDS = {
    stat.S_IFDIR: "directory",
    stat.S_IFIFO: "named pipe (FIFO)",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFLNK: "symbolic link",
}
# O_NONBLOCK: were a FIFO swapped in between the check and the open, the open
# returns at once (and fstat then refuses it) instead of waiting for a writer.
_READ = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnreadableFile(Exception):
    """A file that was not read, and why ("is a socket, not a regular file")."""

    def __init__(self, reason: str, kind: str = "") -> None:
        super().__init__(reason)
        self.kind = kind  # "directory", "named pipe (FIFO)", ... for a wrong file type


@dataclass
class OpenedFile:
    """A regular file open for reading, and its size when opened."""

    file: BinaryIO
    size: int

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def size_text(limit: int) -> str:
    """`1048576` → "1 MiB"; for messages about a size cap."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale} {unit}"
    return f"{limit} bytes"


def read_regular(
    path: Path, limit: int, *, beneath: Path | None = None, truncate: bool = False
) -> bytes:
    """The bytes of regular file `path`, at most `limit` of them.

    A longer file raises UnreadableFile ("is larger than 1 MiB"), or with
    `truncate` gives its first `limit` bytes. See `open_regular` for `beneath`.
    """
    with open_regular(path, beneath=beneath) as opened:
        data = opened.file.read(limit + 1)
    if len(data) > limit:
        if not truncate:
            raise UnreadableFile(f"is larger than {size_text(limit)}")
        data = data[:limit]
    return data


def open_regular(path: Path, *, beneath: Path | None = None) -> OpenedFile:
    """`path` open for reading if it is a regular file; close the result.

    Without `beneath`, symbolic links are followed (for files in places the person
    owns, such as $CODEX_TUI_HOME). With `beneath` (a directory), `path` must lie
    in it once its links are resolved, and is then opened one component at a time
    without following any link, so a link changed in between cannot lead out.
    A file that is not regular is never opened. Raises FileNotFoundError when
    there is no such file, UnreadableFile for anything else.
    """
    try:
        if beneath is None:
            return _open_checked(str(path), None)
        return _open_beneath(path, beneath)
    except (FileNotFoundError, UnreadableFile):
        raise
    except OSError as exc:
        raise UnreadableFile(_os_reason(exc)) from None
    except (ValueError, RuntimeError) as exc:  # NUL in a name; a link loop (3.11)
        raise UnreadableFile(str(exc)) from None


def _open_beneath(path: Path, beneath: Path) -> OpenedFile:
    base = os.path.realpath(beneath)
    target = os.path.realpath(path, strict=True)  # absent: FileNotFoundError; loop: ELOOP
    if os.path.commonpath([base, target]) != base:
        raise UnreadableFile(f"is a symbolic link to {target}, outside {base}")
    parts = Path(target).relative_to(base).parts
    if not parts:
        raise UnreadableFile("is a directory, not a regular file", "directory")
    dir_fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            try:
                next_fd = os.open(part, _DIR, dir_fd=dir_fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, dir_fd):
                    raise UnreadableFile("changed while it was opened (a symbolic link)") from None
                raise
            os.close(dir_fd)
            dir_fd = next_fd
        return _open_checked(parts[-1], dir_fd)
    finally:
        os.close(dir_fd)


def _open_checked(name: str, dir_fd: int | None) -> OpenedFile:
    """Open `name` (relative to `dir_fd` without following a final link, or a
    plain path following links) if it is a regular file, checked before and after."""
    follow = dir_fd is None
    before = os.stat(name, dir_fd=dir_fd, follow_symlinks=follow)
    _require_regular(before.st_mode)
    flags = _READ if follow else _READ | os.O_NOFOLLOW
    fd = os.open(name, flags, dir_fd=dir_fd)
    try:
        after = os.fstat(fd)
        _require_regular(after.st_mode)
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise UnreadableFile("changed while it was opened")
        os.set_blocking(fd, True)
        return OpenedFile(os.fdopen(fd, "rb"), after.st_size)
    except BaseException:
        os.close(fd)
        raise


def kind_of(mode: int) -> str:
    """What a file of this `st_mode` is, in words: "named pipe (FIFO)"."""
    return _KINDS.get(stat.S_IFMT(mode), "regular file" if stat.S_ISREG(mode) else "special file")


def _require_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = kind_of(mode)
        raise UnreadableFile(f"is a {kind}, not a regular file", kind)


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop"
    return exc.strerror or str(exc)
