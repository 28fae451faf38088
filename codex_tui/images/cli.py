"""`-i FILE[,FILE…]` on the command line (the app and `exec`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from codex_tui.cli_context import CliError, image_files
from codex_tui.images.prepare import ImageError
from codex_tui.images.store import Attachment, attach_file

__all__ = ["attach_images"]


def attach_images(args: argparse.Namespace, cwd: Path) -> list[Attachment]:
    """`-i` files prepared as attachments; CliError naming the first bad one."""
    try:
        return [attach_file(path) for path in image_files(args, cwd)]
    except ImageError as exc:
        raise CliError(f"-i: {exc}", 2) from None
    except OSError as exc:
        raise CliError(f"-i: cannot keep the image: {exc.strerror or exc}", 1) from None
