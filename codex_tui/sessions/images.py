"""Images in session files: by reference, never as base64.

History items carry images as data URLs (what the model is sent); a session
file names each by its stored attachment (`<sha256>.<ext>` under
`$CODEX_TUI_HOME/attachments/`) and hash instead, so a file with screenshots
stays small and a resumed session sends the very same bytes. A reference whose
file is gone, or whose bytes no longer match, reads back as a line saying so.
Attachment records in events are checked field by field (the file is untrusted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codex_tui.images.store import (
    Attachment,
    data_url,
    is_stored_name,
    load_stored,
    split_data_url,
    store,
)

__all__ = ["attachments_from", "attachments_payload", "item_for_file", "item_from_file"]

MISSING = "[an image that is no longer stored: {name}]"


def item_for_file(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """`item` as a session file holds it: data-URL images become references."""
    content = item.get("content")
    if item.get("type") != "message" or not isinstance(content, list):
        return item
    if not any(isinstance(p, dict) and p.get("type") == "input_image" for p in content):
        return item
    parts: list[Any] = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "input_image":
            url = part.get("image_url", "")
            decoded = split_data_url(url) if isinstance(url, str) else None
            if decoded is not None:
                try:
                    name = store(*decoded)
                except OSError:
                    name = None
                if name is not None:
                    part = {"type": "input_image", "attachment": name, "sha256": name[:64]}
        parts.append(part)
    return {**item, "content": parts}


def item_from_file(raw: dict[str, Any]) -> dict[str, Any]:
    """A session file's item with its image references turned back into data URLs."""
    if raw.get("type", "message") != "message":
        return raw
    content = raw.get("content")
    if not isinstance(content, list):
        return raw
    if not any(isinstance(p, dict) and "attachment" in p for p in content):
        return raw
    parts: list[object] = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "input_image" and "attachment" in part:
            stored, digest = part.get("attachment"), part.get("sha256")
            found = (
                load_stored(stored, digest if isinstance(digest, str) else None)
                if isinstance(stored, str)
                else None
            )
            if found is None:
                part = {"type": "input_text", "text": MISSING.format(name=str(stored)[:80])}
            else:
                part = {"type": "input_image", "image_url": data_url(*found)}
        parts.append(part)
    return {**raw, "content": parts}


def attachments_payload(images: tuple[Attachment, ...]) -> list[dict[str, object]]:
    """Attachment records for an event line."""
    return [
        {
            "name": a.name,
            "file": a.stored,
            "mime": a.mime,
            "width": a.width,
            "height": a.height,
            "bytes": a.size,
            "original": list(a.original),
        }
        for a in images
    ]


def attachments_from(raw: object) -> tuple[Attachment, ...]:
    """Attachment records read back; a malformed record is left out."""
    if not isinstance(raw, list):
        return ()
    out = []
    for record in raw:
        if not isinstance(record, dict):
            continue
        name, stored, mime = record.get("name"), record.get("file"), record.get("mime")
        numbers = [record.get(k) for k in ("width", "height", "bytes")]
        if not (isinstance(name, str) and isinstance(stored, str) and isinstance(mime, str)):
            continue
        if not is_stored_name(stored):  # never a path: `../../x` names no attachment
            continue
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
            continue
        original = record.get("original")
        size: tuple[int, int] = (numbers[0], numbers[1])  # type: ignore[assignment]
        if (
            isinstance(original, list)
            and len(original) == 2
            and all(isinstance(n, int) for n in original)
        ):
            size = (original[0], original[1])
        out.append(
            Attachment(
                name=name[:200],
                stored=stored,
                mime=mime,
                width=numbers[0],  # type: ignore[arg-type]
                height=numbers[1],  # type: ignore[arg-type]
                size=numbers[2],  # type: ignore[arg-type]
                original=size,
            )
        )
    return tuple(out)
