"""Paths the model names, resolved inside the workspace or refused."""

from __future__ import annotations

from pathlib import Path

from codex_tui.tools.registry import ToolArgumentError


def resolve_inside(root: Path, path: str) -> Path:
    """`path` (relative to root, or absolute inside it) resolved; refuses escapes."""
    if not path or "\x00" in path:
        raise ToolArgumentError("`path` must be a non-empty path")
    candidate = Path(path).expanduser()
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    base = root.resolve()
    if full != base and base not in full.parents:
        raise ToolArgumentError(f"{path}: outside the workspace ({base})")
    return full


def shown(root: Path, path: Path) -> str:
    """A path as the model should see it: relative to the workspace when inside."""
    try:
        return path.relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)
