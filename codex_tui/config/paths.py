"""Where codex-tui keeps its files: $CODEX_TUI_HOME (default ~/.codex-tui)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The codex-tui home directory (not created here)."""
    env = os.environ.get("CODEX_TUI_HOME")
    return Path(env).expanduser() if env else Path.home() / ".codex-tui"


def config_file() -> Path:
    return home() / "config.yaml"


def sessions_dir() -> Path:
    return home() / "sessions"


def themes_dir() -> Path:
    return home() / "themes"


def log_dir() -> Path:
    return home() / "log"


def cache_dir() -> Path:
    """Derived data that is only ever a shortcut (see config.yaml_cache)."""
    return home() / "cache"
