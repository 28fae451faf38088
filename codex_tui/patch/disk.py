"""What is on disk at a path: captured while planning, compared again before committing."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codex_tui.patch.errors import FileStateError

__all__ = ["Snapshot", "take_snapshot"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A file (its bytes and permission bits), a directory, a symlink or something else."""

    kind: Literal["file", "dir", "link", "other"]
    mode: int = 0
    data: bytes = b""
    target: str = ""  # where a symlink points


def take_snapshot(path: Path, display: str) -> Snapshot | None:
    """The entry at `path` itself (a symlink is not followed); None when absent."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise FileStateError(display, f"cannot inspect: {exc.strerror}") from None
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return Snapshot("link", mode, target=os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return Snapshot("dir", mode)
    if not stat.S_ISREG(st.st_mode):
        return Snapshot("other", mode)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileStateError(display, f"cannot read: {exc.strerror}") from None
    return Snapshot("file", mode, data)
