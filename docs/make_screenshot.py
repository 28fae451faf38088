"""Regenerate docs/screenshot.svg from the demo session (`codex-tui --demo`).

    python docs/make_screenshot.py

Runs the demo headless at 140×42 up to the patch approval dialog and saves what
the screen shows."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from codex_tui.config import Config
from codex_tui.scripted import ScriptedModelServer
from codex_tui.ui import demo
from codex_tui.ui.app import CodexApp, Launch
from codex_tui.ui.approval import ApprovalScreen

OUT = Path(__file__).resolve().parent / "screenshot.svg"


async def main() -> None:
    import os

    os.environ.setdefault("CODEX_TUI_HOME", tempfile.mkdtemp(prefix="codex-tui-shot-"))
    root = demo.make_workspace()
    try:
        with ScriptedModelServer(demo.script()) as server:
            config = demo.demo_config(Config(), server)
            app = CodexApp(Launch(config, root, prompt=demo.PROMPT))
            async with app.run_test(size=(140, 42)) as pilot:
                while not isinstance(app.screen, ApprovalScreen):
                    await pilot.pause(0.05)
                await pilot.pause(0.5)
                app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
