"""Is a paste a dropped image file? Terminals paste a dropped file as its path:
quoted ('/a b.png', "/a b.png"), backslash-escaped (/a\\ b.png) or as a
file:// URI, several separated by spaces or lines. Only a paste that is wholly
such paths, each naming an existing image file, counts; anything else is text.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["IMAGE_SUFFIXES", "is_image_name", "pasted_image_paths"]

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico"}
)
MAX_PASTE = 4096


def is_image_name(name: str) -> bool:
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def pasted_image_paths(text: str, cwd: Path) -> list[Path] | None:
    """The image files a paste names, or None when it is text to insert."""
    text = text.strip()
    if not text or len(text) > MAX_PASTE:
        return None
    try:
        words = shlex.split(text, posix=True)
    except ValueError:  # an unbalanced quote: text
        return None
    paths = []
    for word in words:
        if word.startswith("file://"):
            word = unquote(urlparse(word).path)
        try:
            path = Path(word).expanduser()
        except RuntimeError:  # ~nosuchuser/...: no home to expand to, so text
            return None
        if not path.is_absolute():
            path = cwd / path
        if not is_image_name(path.name):
            return None
        try:
            if not path.is_file():
                return None
        except OSError:
            return None
        paths.append(path)
    return paths or None
