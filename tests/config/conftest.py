from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty $CODEX_TUI_HOME; write `home / "config.yaml"` to configure."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("CODEX_TUI_HOME", str(path))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return path
