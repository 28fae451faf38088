"""`codex-tui tools [--json]`: the tools the model is given."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from codex_tui.tools.registry import TOOLS, manifest

if TYPE_CHECKING:
    from codex_tui.cli_context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="the JSON tool manifest")


def run(ctx: Context) -> int:
    if ctx.args.json:
        print(manifest())
        return 0
    for spec in TOOLS.values():
        kind = "read-only" if spec.read_only else "acts"
        print(f"{spec.name:<13} {kind:<9} {spec.description.split('. ')[0].rstrip('.')}")
    return 0
