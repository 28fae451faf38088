"""The session's private /tmp: a host directory that sandboxed commands see as /tmp.

Made on first use (mode 0700, in the host's temp directory), kept for the whole
session so what one command leaves in /tmp is there for the next, and removed
by `close()` — or, if nobody closes it, when the holder is collected or Python
exits. A sandbox rebuilt mid-session shares its predecessor's holder.

A codex-tui killed outright cannot remove its directory, so the owner holds a
lock on it (flock on the directory) for as long as it lives, and the first
private /tmp a process makes sweeps away the unlocked ones left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

__all__ = ["PREFIX", "PrivateTmp", "sweep_stale"]

PREFIX = "codex-tui-tmp-"
_STALE_AFTER_S = 60.0  # younger directories may be between mkdtemp and their lock
_swept = False


def _lock(path: Path) -> int | None:
    """A descriptor holding an exclusive lock on `path`; None when someone holds it."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep_stale(parent: Path) -> int:
    """Remove our private directories under `parent` whose owner is gone; how many."""
    removed = 0
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(parent) as entries:
        for entry in entries:
            if not entry.name.startswith(PREFIX):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != os.geteuid() or now - info.st_ctime < _STALE_AFTER_S:
                    continue
                fd = _lock(Path(entry.path))
                if fd is not None:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    os.close(fd)
                    removed += 1
    return removed


def _remove(path: Path, fd: int) -> None:
    shutil.rmtree(path, ignore_errors=True)  # never follows symlinks
    with contextlib.suppress(OSError):
        os.close(fd)


class PrivateTmp:
    """One private temp directory, made lazily, removed once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._remove: weakref.finalize[[Path, int], PrivateTmp] | None = None
        self.closed = False

    @property
    def path(self) -> Path | None:
        """The directory, or None while no command has needed it."""
        return self._path

    def ensure(self) -> Path:
        """The directory, made now if needed. Raises RuntimeError once closed."""
        global _swept
        with self._lock:
            if self.closed:
                raise RuntimeError("the sandbox was closed; its private /tmp is gone")
            if self._path is None:
                if not _swept:
                    _swept = True
                    sweep_stale(Path(tempfile.gettempdir()))
                path = Path(tempfile.mkdtemp(prefix=PREFIX))
                fd = _lock(path)
                assert fd is not None  # nobody else knows it yet
                self._remove = weakref.finalize(self, _remove, path, fd)
                self._path = path
            return self._path

    def close(self) -> None:
        """Remove the directory (idempotent); later `ensure()` calls fail."""
        with self._lock:
            self.closed = True
            if self._remove is not None:
                self._remove()
