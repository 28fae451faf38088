"""`view_image`: the model looks at an image file of the workspace.

The same path rules as `read_file` (inside the workspace, links not followed
out of it, regular files only); the image is prepared like an attachment and
goes to the model as image input with the next request.
"""

from __future__ import annotations

from pathlib import Path

from codex_tui.config.safe_read import UnreadableFile, open_regular
from codex_tui.images.prepare import MAX_FILE_BYTES, ImageError
from codex_tui.images.store import Attachment, attach_bytes
from codex_tui.tools.registry import ToolArgumentError
from codex_tui.tools.workspace import resolve_inside, shown

__all__ = ["view_image"]


def view_image(root: Path, path: str) -> tuple[str, Attachment]:
    """(the path as shown, the prepared image); ToolArgumentError for the model."""
    full = resolve_inside(root, path)
    try:
        opened = open_regular(full, beneath=root)
    except FileNotFoundError:
        raise ToolArgumentError(f"{path}: no such file") from None
    except UnreadableFile as exc:
        raise ToolArgumentError(f"{path}: {exc}") from None
    with opened:
        if opened.size > MAX_FILE_BYTES:
            raise ToolArgumentError(f"{path}: {opened.size} bytes is too large for an image")
        raw = opened.file.read(MAX_FILE_BYTES + 1)
    name = shown(root, full)
    try:
        return name, attach_bytes(raw, Path(name).name)
    except ImageError as exc:
        raise ToolArgumentError(str(exc)) from None
