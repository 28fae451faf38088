"""The composer's input history, kept in $CODEX_TUI_HOME/history.jsonl.

One JSON object a line: {"ts": <unix seconds>, "text": ..., "cwd": ...}. The file is only
appended to, each line with a single write, so two running instances do not interleave
halves of lines; a torn or corrupt line is skipped when reading. No Textual here: the
composer calls `load` and `flush` from worker threads.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Literal

__all__ = ["DEFAULT_LIMIT", "HistoryStore", "Persistence", "default_history_path"]

Persistence = Literal["save-all", "none"]

DEFAULT_LIMIT = 1000
# Reading starts this far from the end and goes back further only while fewer than `limit`
# lines were found: a years-old history file costs no more than a recent one.
_CHUNK = 256 * 1024


def default_history_path() -> Path:
    from codex_tui.config.paths import home

    return home() / "history.jsonl"


def _parse_line(line: bytes) -> str | None:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # also UnicodeDecodeError; nested too deep
        return None
    if not isinstance(record, dict):
        return None
    text = record.get("text")
    return text if isinstance(text, str) and text.strip() else None


def _tail_lines(path: Path, limit: int) -> list[bytes]:
    """The last `limit` complete-looking lines of `path` (fewer if the file is shorter)."""
    with path.open("rb") as f:
        end = f.seek(0, os.SEEK_END)
        start = end
        data = b""
        while start > 0 and data.count(b"\n") <= limit:
            start = max(0, start - _CHUNK)
            f.seek(start)
            data = f.read(end - start)
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # begins mid-line
    return [line for line in lines if line.strip()][-limit:]


class HistoryStore:
    """Submitted prompts, oldest first, shared by the composer and (optionally) the disk.

    `persistence="none"` keeps the history of this run in memory only: nothing is read from
    or written to the file. Thread-safe: `load` and `flush` run in worker threads while the
    UI thread calls `add` and reads `entries`.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        persistence: Persistence = "save-all",
        cwd: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        self.path = path if path is not None else default_history_path()
        self.persistence: Persistence = persistence
        self.cwd = cwd if cwd is not None else os.getcwd()
        self.limit = limit
        self.loaded = False
        self._entries: list[str] = []
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()

    @property
    def saving(self) -> bool:
        return self.persistence == "save-all"

    @property
    def entries(self) -> list[str]:
        """A snapshot of the history, oldest first."""
        with self._lock:
            return list(self._entries)

    def load(self) -> None:
        """Read the file's last `limit` entries (blocking). Entries added before are kept after
        them. Calling it again does nothing."""
        if self.loaded:
            return
        loaded: list[str] = []
        if self.saving:
            try:
                lines = _tail_lines(self.path, self.limit)
            except OSError:
                lines = []
            for line in lines:
                text = _parse_line(line)
                if text is not None and (not loaded or loaded[-1] != text):
                    loaded.append(text)
        with self._lock:
            if loaded and self._entries and loaded[-1] == self._entries[0]:
                loaded.pop()
            self._entries = (loaded + self._entries)[-self.limit :]
            self.loaded = True

    def add(self, text: str, *, persist: bool = True) -> bool:
        """Remember `text`; with `persist` (and "save-all") it is queued for `flush`.

        Blank text and a repeat of the newest entry are ignored; returns whether it was added.
        """
        if not text.strip():
            return False
        with self._lock:
            if self._entries and self._entries[-1] == text:
                return False
            self._entries.append(text)
            del self._entries[: -self.limit]
            if persist and self.saving:
                record = {"ts": int(time.time()), "text": text, "cwd": self.cwd}
                self._pending.append(json.dumps(record, ensure_ascii=False))
        return True

    @property
    def has_pending(self) -> bool:
        with self._lock:
            return bool(self._pending)

    def flush(self) -> None:
        """Append the entries added since the last flush to the file (blocking).

        Lines go out in the order they were added, whichever thread flushes. Write errors
        are swallowed: losing history must never break the composer.
        """
        with self._write_lock:
            with self._lock:
                lines, self._pending = self._pending, []
            if not lines:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError:
                return
            try:
                # A crash mid-write can leave a line without its newline; start on a fresh
                # line so the torn one stays the only casualty.
                size = os.fstat(fd).st_size
                prefix = b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b""
                for i, line in enumerate(lines):
                    data = line.encode("utf-8") + b"\n"
                    os.write(fd, prefix + data if i == 0 else data)
            except OSError:
                pass
            finally:
                os.close(fd)
