"""Start the full-screen app from the command line (plain, resumed or --demo)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from codex_tui.cli_context import decode_arg

if TYPE_CHECKING:
    from codex_tui.cli_context import Context


def run(ctx: Context, resume: Path | None = None) -> int:
    """Run the app until it quits; returns the exit code."""
    from codex_tui.ui.app import CodexApp, Launch

    if getattr(ctx.args, "demo", False):
        return run_demo(ctx)
    prompt = decode_arg(ctx.args.prompt) if ctx.args.prompt else None
    from codex_tui.images.cli import attach_images

    images = tuple(attach_images(ctx.args, ctx.cwd))
    launch = Launch(ctx.config, ctx.cwd, prompt=prompt, resume=resume, images=images)
    from codex_tui.ui.image_view import prepare_graphics

    # Before Textual owns the terminal: textual-image asks it about pixels once.
    prepare_graphics(ctx.config.tui.images)
    app = CodexApp(launch)
    app.run()
    line = app.goodbye()
    if line:
        print(line)
    return app.return_code or 0


def run_demo(ctx: Context) -> int:
    from codex_tui.scripted import ScriptedModelServer
    from codex_tui.ui import demo
    from codex_tui.ui.app import CodexApp, Launch

    root = demo.make_workspace()
    try:
        with ScriptedModelServer(demo.script()) as server:
            config = demo.demo_config(ctx.config, server)
            banner = demo.BANNER.format(root=root)
            launch = Launch(config, root, prompt=demo.PROMPT, banner=banner, record=False)
            app = CodexApp(launch)
            app.run()
            return app.return_code or 0
    finally:
        shutil.rmtree(root, ignore_errors=True)
