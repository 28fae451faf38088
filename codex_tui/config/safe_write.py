"""Replacing a file the person owns (config.yaml) without ever leaving it half
written: a temporary file in the same folder, fsynced, then renamed over it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: Path, data: bytes, *, new_mode: int = 0o644) -> None:
    """Replace the file `path` names (a symlink's target, not the link), keeping its
    permission bits; a file that does not exist yet gets `new_mode`."""
    target = Path(os.path.realpath(path))
    mode = target.stat().st_mode & 0o7777 if target.exists() else new_mode
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
