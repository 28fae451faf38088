"""Fixtures for driving the real app with Textual's pilot against the scripted server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from codex_tui.scripted import ScriptedModelServer
from codex_tui.ui.app import CodexApp, Launch
from tests.agent.conftest import fast_client, scripted_config, workspace  # noqa: F401


def make_app(
    server: ScriptedModelServer, root: Path, prompt: str | None = None, **overrides
) -> CodexApp:
    """The real app on `root`, talking to `server` (no retries wait long)."""
    config = scripted_config(server, **overrides)
    return CodexApp(Launch(config, root, prompt=prompt, client=fast_client(config)))


async def wait_for(pilot, predicate: Callable[[], object], timeout: float = 10.0, what: str = ""):
    """Let the app run until `predicate()` is true; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def screen_text(app: CodexApp, view=None) -> str:
    """Everything a conversation view (the app's by default) shows, as plain text
    (mounted cells only; not the welcome header, which names the test's folder)."""
    from textual.widgets import Static

    from codex_tui.ui.markdown import MarkdownView
    from codex_tui.ui.one_layout import GrowingStatic
    from codex_tui.ui.welcome import WelcomeCell

    parts: list[str] = []
    for widget in (view or app.conversation).query("*"):
        if any(isinstance(a, WelcomeCell) for a in (widget, widget.parent)):
            continue
        if isinstance(widget, MarkdownView):
            parts.append(widget.source)
        elif type(widget) in (Static, GrowingStatic):
            parts.append(str(widget.content))
    return "\n".join(parts)


@pytest.fixture
def app_factory(scripted_server: ScriptedModelServer, workspace: Path):  # noqa: F811
    def factory(prompt: str | None = None, **overrides) -> CodexApp:
        return make_app(scripted_server, workspace, prompt, **overrides)

    return factory
