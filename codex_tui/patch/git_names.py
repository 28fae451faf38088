"""Git's quoting of unusual file names, read back. A leaf module: the diff view
reads `/diff` output with it and must not import the patch engine to do so."""

from __future__ import annotations

__all__ = ["unquote_git_path"]


def unquote_git_path(name: str) -> str:
    """Undo git's C-style quoting of unusual file names (`"caf\\303\\251.txt"`); a
    name not in quotes is returned as it is."""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        try:
            raw = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
            return raw.encode("latin-1").decode("utf-8")
        except (UnicodeError, ValueError):
            return name[1:-1]
    return name
