"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codex_tui.scripted import ScriptedModelServer


@pytest.fixture
def scripted_server() -> Iterator[ScriptedModelServer]:
    """A started scripted model server with an empty script (``server.add(...)`` replies).

    Stopped after the test; a crash inside its request handlers fails the test.
    """
    with ScriptedModelServer() as server:
        yield server
    assert not server.errors, "scripted server handler crashed:\n" + "\n".join(server.errors)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own empty $CODEX_TUI_HOME; none reads the real one."""
    home = tmp_path_factory.mktemp("codex-tui-home")
    monkeypatch.setenv("CODEX_TUI_HOME", str(home))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return home
