"""Workspace path rules: relative to the root, never leaving it (symlinks included),
never inside `.git/`, never the commit journal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from codex_tui.patch.errors import PathError
from codex_tui.patch.journal import RESERVED_NAMES

__all__ = ["WorkspacePath", "link_entry", "resolve_path"]

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True, slots=True)
class WorkspacePath:
    """A checked path: `display` is the normalised relative form (`src/a.py`),
    `lexical` the path as named (a symlink stays a symlink), `resolved` the
    file it reaches with every symlink followed."""

    display: str
    lexical: Path
    resolved: Path


def _is_git_dir(parts: tuple[str, ...] | list[str]) -> bool:
    # Case-insensitive: on macOS and Windows `.GIT/config` is the same file.
    return any(part.lower() == ".git" for part in parts)


def _is_journal(parts: tuple[str, ...] | list[str]) -> bool:
    return len(parts) == 1 and parts[0].lower() in RESERVED_NAMES


def resolve_path(root: Path, raw: str) -> WorkspacePath:
    """Check `raw` (as written in a patch) against the rules; `root` must be resolved.

    Raises PathError naming the path and the rule it breaks.
    """
    if "\0" in raw:
        raise PathError(repr(raw), "contains a NUL byte")
    if raw.startswith("~"):
        raise PathError(
            raw, "home-relative paths are not allowed; use a path relative to the workspace"
        )
    if PurePosixPath(raw).is_absolute() or _DRIVE.match(raw) or raw.startswith("\\\\"):
        raise PathError(raw, "absolute paths are not allowed; use a path relative to the workspace")
    parts: list[str] = []
    for part in raw.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathError(raw, "leaves the workspace ('..' above its root)")
            parts.pop()
        else:
            parts.append(part)
    if not parts:
        raise PathError(raw, "names the workspace root, not a file")
    if _is_git_dir(parts):
        raise PathError(raw, "is inside .git/, which patches may not touch")
    lexical = root.joinpath(*parts)
    try:
        resolved = lexical.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise PathError(raw, f"cannot be resolved ({exc})") from None
    if not resolved.is_relative_to(root):
        raise PathError(raw, "resolves outside the workspace through a symbolic link")
    if _is_git_dir(resolved.relative_to(root).parts):
        raise PathError(raw, "resolves into .git/ through a symbolic link")
    if _is_journal(parts) or _is_journal(resolved.relative_to(root).parts):
        raise PathError(raw, "is the name of codex-tui's commit journal")
    return WorkspacePath("/".join(parts), lexical, resolved)


def link_entry(root: Path, wp: WorkspacePath) -> Path:
    """The entry `wp` names itself (a symlink not followed) with its directory resolved:
    what deleting a symlink removes. Raises PathError when that directory is outside the
    workspace or in `.git/`."""
    try:
        parent = wp.lexical.parent.resolve()
    except (OSError, RuntimeError) as exc:
        raise PathError(wp.display, f"cannot be resolved ({exc})") from None
    if not parent.is_relative_to(root):
        raise PathError(wp.display, "is in a directory outside the workspace (a symbolic link)")
    entry = parent / wp.lexical.name
    if _is_git_dir(entry.relative_to(root).parts):
        raise PathError(wp.display, "resolves into .git/ through a symbolic link")
    return entry
