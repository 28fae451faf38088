"""What the first frame waits for: a fresh interpreter runs the real app and records
which modules are loaded when the composer is first drawn, and again once the agent
is built."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import asyncio, json, sys
from pathlib import Path

from codex_tui.config import load_config
from codex_tui.ui.app import CodexApp, Launch

# The patch engine, unidiff, the diff pane (made when the hidden column first shows).
WATCHED = (
    "openai",
    "codex_tui.agent",
    "pygments.styles",
    "codex_tui.patch.planner",
    "unidiff",
    "codex_tui.ui.diffview",
    "yaml",  # config.yaml and the theme files are parsed once, then read from a cache
)


def loaded():
    return sorted(m for m in sys.modules if m.startswith(WATCHED))


async def main():
    app = CodexApp(Launch(load_config().config, Path.cwd()))
    app.first_frame = None

    def after_display():  # Textual calls this after every display
        if app.first_frame is None and app.composer.is_mounted:
            app.first_frame = loaded()

    app.post_display_hook = after_display
    async with app.run_test() as pilot:
        while app.agent is None:
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        after = loaded()
        # Half a second after the agent is ready, the SDK is prepared on a thread.
        for _ in range(300):
            if app.agent.client._client is not None and sys.getswitchinterval() == 0.005:
                break
            await pilot.pause(0.02)
        warm = {
            "openai": "openai" in sys.modules,
            "client": app.agent.client._client is not None,
            "interval": sys.getswitchinterval(),
        }
    print(json.dumps({"first_frame": app.first_frame, "after": after, "warm": warm}))


asyncio.run(main())
"""


def test_the_first_frame_waits_for_neither_the_agent_nor_openai(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text("model: gpt-5-codex\n")
    env = {**os.environ, "CODEX_TUI_HOME": str(home), "OPENAI_API_KEY": "dummy"}
    env["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"  # never asked: nothing is sent
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", PROBE],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first_start, seen = runs
    # The first start in a home parses config.yaml and the themes with PyYAML; the
    # next ones find them in the cache.
    assert "yaml" in first_start["first_frame"]
    assert all(name.startswith("yaml") for name in first_start["first_frame"])
    assert seen["first_frame"] == []
    # The SDK's import and client are made on a worker thread once the agent is
    # ready, before any request, and the interpreter's switch interval is put back.
    assert seen["warm"] == {"openai": True, "client": True, "interval": 0.005}
    # The probe sees them once they load, after the first frame.
    assert "codex_tui.agent.session" in seen["after"]
    # Bundled themes' code styles are not asked about (a user's theme's would be):
    # pygments' styles load with the SDK's warm-up, not while the first keys arrive.
    assert "pygments.styles" not in seen["after"]
