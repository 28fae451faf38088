"""`codex-tui resume [--last | ID]`: open the app on a recorded session, with the
model getting its history back."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.cli_context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "session",
        nargs="?",
        metavar="ID",
        help="the session's id (a unique prefix is enough) or its file",
    )
    parser.add_argument(
        "--last", action="store_true", help="the most recent session of this repository"
    )


def run(ctx: Context) -> int:
    from codex_tui.sessions.cli import resolve_session

    target = resolve_session(ctx.cwd, ctx.args.session, ctx.args.last, "resume")
    ctx.config  # noqa: B018 - validate the config before the screen takes over
    from codex_tui.ui.launch import run as launch

    return launch(ctx, resume=target)
