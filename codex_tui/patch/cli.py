"""`codex-tui apply-patch [-C DIR] [--dry-run] [FILE|-]`: apply a patch to the workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from codex_tui.cli_context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Apply a patch (the apply_patch format, or a unified diff such as `git diff` "
        "output) to the workspace: every file or none."
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the unified diff the patch would make; change nothing",
    )
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the patch file (relative to the current directory, not to -C); '-' or none: stdin",
    )


def run(ctx: Context) -> int:
    from codex_tui.patch import PatchError, build_patch_plan, commit, recover_unfinished_commit

    try:
        text = _read_patch(ctx.args.file)
        if not ctx.args.dry_run:
            # A commit cut short here before is undone first, so the patch is checked
            # against the tree as it was.
            recovered = recover_unfinished_commit(ctx.cwd)
            if recovered is not None:
                _write(sys.stderr, f"note: {recovered.message()}\n")
        plan = build_patch_plan(text, ctx.cwd)
        if ctx.args.dry_run:
            _write(sys.stdout, plan.diff)
            return 0
        result = commit(plan)
    except (PatchError, _InputError) as exc:
        return _fail(str(exc))
    except Exception as exc:  # a bug must still end in one line, never a traceback
        return _fail(f"internal error: {type(exc).__name__}: {exc}")
    _write(sys.stdout, result.summary() + "\n")
    for f in result.files:
        if f.overwritten:
            _write(sys.stderr, f"note: {f.path}: an existing file was replaced\n")
    return 0


class _InputError(Exception):
    pass


def _read_patch(name: str) -> str:
    if name == "-":
        if sys.stdin.isatty():
            _write(sys.stderr, "reading the patch from stdin (end with Ctrl-D)\n")
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise _InputError(f"cannot read patch file {name}: {exc.strerror or exc}") from None
    # surrogateescape: patch lines for a non-UTF-8 file still match its bytes.
    return data.decode("utf-8", "surrogateescape")


def _fail(message: str) -> int:
    one_line = message.replace("\r", "\\r").replace("\n", "\\n")
    _write(sys.stderr, f"error: {one_line}\n")
    return 1


def _write(stream: TextIO, text: str) -> None:
    """Write text carrying undecodable bytes back out as those same bytes."""
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
    else:
        stream.write(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
