"""Paths the model names, resolved inside the workspace or refused."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from codex_tui.tools.registry import ToolArgumentError

# Linux's PATH_MAX and NAME_MAX: a longer path or name cannot name a file anyway.
MAX_PATH_CHARS = 4096
MAX_NAME_BYTES = 255


def resolve_inside(root: Path, path: str) -> Path:
    """`path` (relative to root, or absolute inside it) resolved; refuses escapes.

    Whatever the text (`~nosuchuser/x`, a link loop, a 300-character name), the
    outcome is a path or a ToolArgumentError the model can act on."""
    if not path or "\x00" in path:
        raise ToolArgumentError("`path` must be a non-empty path")
    if len(path) > MAX_PATH_CHARS:
        raise ToolArgumentError(f"`path` is longer than {MAX_PATH_CHARS} characters")
    try:
        names = [os.fsencode(part) for part in path.split("/")]
    except UnicodeEncodeError:  # a lone surrogate ("\ud800") from the JSON
        raise ToolArgumentError("`path` is not valid Unicode text") from None
    if any(len(name) > MAX_NAME_BYTES for name in names):
        raise ToolArgumentError(f"{path}: a file name in it is longer than {MAX_NAME_BYTES} bytes")
    try:
        candidate = Path(path).expanduser()
    except RuntimeError:  # ~nosuchuser
        raise ToolArgumentError(f"{path}: no such user for `~`") from None
    try:
        full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    except RuntimeError:  # Python 3.11 reports a link loop this way
        raise ToolArgumentError(f"{path}: symbolic link loop") from None
    except OSError as exc:
        raise ToolArgumentError(f"{path}: {os_reason(exc)}") from None
    base = root.resolve()
    if full != base and base not in full.parents:
        raise ToolArgumentError(f"{path}: outside the workspace ({base})")
    return full


def os_reason(exc: OSError) -> str:
    """An OS error as a few words for the model ("File name too long")."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


def shown(root: Path, path: Path) -> str:
    """A path as the model should see it: relative to the workspace when inside."""
    try:
        return path.relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)
