"""YAML files as last parsed, kept as JSON in $CODEX_TUI_HOME/cache: a start whose
config.yaml and theme files have not changed skips importing PyYAML (~12 ms, 4 %
of the TUI's start-up) and parsing them. Each entry holds its file's whole text,
so any edit is a miss; a value JSON cannot carry exactly (dates, keys that are
not text) is never kept. The cache is only as trusted as the files beside it:
same folder, same owner."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from codex_tui.config import paths

VERSION = 1
MAX_BYTES = 4 << 20  # config.yaml is capped at 256 KiB, a theme at 64 KiB


def cache_file(name: str) -> Path:
    return paths.cache_dir() / f"{name}.json"


class ParseCache:
    """Parsed texts by label (a file's path). Read at the first `get`, written by
    `save` only if something changed; failing to read or write it is never an
    error, only a parse that is not skipped."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._entries: dict[str, Any] | None = None
        self._seen: set[str] = set()
        self._changed = False

    def get(self, label: str, text: str) -> tuple[bool, Any]:
        """(True, value) if `text` was parsed to `value` before; (False, None) if not."""
        self._seen.add(label)
        entry = self._load().get(label)
        if isinstance(entry, dict) and entry.get("text") == text and "value" in entry:
            return True, entry["value"]
        return False, None

    def put(self, label: str, text: str, value: Any) -> None:
        self._seen.add(label)
        try:
            encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
            exact = repr(json.loads(encoded)) == repr(value)  # repr: 1 and True differ
        except (TypeError, ValueError, RecursionError):
            exact = False
        entries = self._load()
        if exact:
            entries[label] = {"text": text, "value": value}
        else:
            entries.pop(label, None)
        self._changed = True

    def save(self, *, only_seen: bool = False) -> None:
        """Write the entries back if they changed; with `only_seen`, drop those of
        files not asked about since it was read (a theme file deleted)."""
        entries = self._load()
        if only_seen:
            for label in [label for label in entries if label not in self._seen]:
                del entries[label]
                self._changed = True
        if not self._changed:
            return
        body = json.dumps({"version": VERSION, "entries": entries}, ensure_ascii=False).encode()
        if len(body) > MAX_BYTES:
            return
        from codex_tui.config.safe_write import write_atomically

        # A failed write leaves the old entries, which name other texts: misses.
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomically(self.file, body, new_mode=0o600)
        self._changed = False

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = {}
            try:
                with open(self.file, "rb") as file:
                    raw = file.read(MAX_BYTES + 1)
                stored = json.loads(raw) if len(raw) <= MAX_BYTES else None
            except (OSError, ValueError, RecursionError):
                stored = None
            if isinstance(stored, dict) and stored.get("version") == VERSION:
                entries = stored.get("entries")
                if isinstance(entries, dict):
                    self._entries = entries
        return self._entries
