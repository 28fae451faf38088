"""A tool result as the text the model gets back (`function_call_output`).

Text blocks are kept as they are; structured content is added as JSON unless a
text block already says the same; images are described and also handed over as
images (`result_images`: the model sees them with the next request); audio is
described (its type and size); embedded resources give their text, or their type
and size when binary; resource links their name and URI. The caller caps and
redacts the whole, as it does for command output.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from codex_tui.tools.files import MAX_OUTPUT_CHARS


def _size(data: object) -> int:
    if not isinstance(data, str):
        return 0
    try:
        return len(base64.b64decode(data, validate=False))
    except (binascii.Error, ValueError):
        return len(data)


def block_text(block: Any) -> str:
    """One content block of a result, as text (duck-typed on the SDK's models)."""
    kind = getattr(block, "type", "")
    if kind == "text":
        return str(getattr(block, "text", ""))
    if kind in ("image", "audio"):
        mime = getattr(block, "mime_type", None) or kind
        return f"[{kind} {mime}, {_size(getattr(block, 'data', ''))} bytes]"
    if kind == "resource_link":
        name = getattr(block, "name", "") or ""
        return f"[resource link {name} {getattr(block, 'uri', '')}]".replace("  ", " ")
    if kind == "resource":
        resource = getattr(block, "resource", None)
        uri = getattr(resource, "uri", "")
        text = getattr(resource, "text", None)
        if isinstance(text, str):
            return f"[resource {uri}]\n{text}"
        mime = getattr(resource, "mime_type", None) or "binary"
        return f"[resource {uri}: {mime}, {_size(getattr(resource, 'blob', ''))} bytes]"
    return f"[{kind or 'unknown'} content]"


def result_text(content: list[Any], structured: object | None) -> str:
    """The whole result as one text, capped at the command-output budget."""
    parts = [block_text(b) for b in content]
    if structured is not None:
        try:
            shown = json.dumps(structured, ensure_ascii=False)
        except (TypeError, ValueError):
            shown = str(structured)
        if not any(_same_json(p, structured) for p in parts):
            parts.append(shown)
    text = "\n".join(parts) if parts else "(no content)"
    if len(text) > MAX_OUTPUT_CHARS:
        cut = len(text) - MAX_OUTPUT_CHARS
        text = text[:MAX_OUTPUT_CHARS] + f"\n[… {cut} more characters not shown]"
    return text


def _same_json(text: str, value: object) -> bool:
    try:
        return bool(json.loads(text) == value)
    except (ValueError, RecursionError):
        return False


def result_images(content: list[Any]) -> list[bytes]:
    """The bytes of each image a result carries (image blocks, and embedded
    resources with an image type); data that is not base64 is left out."""
    found = []
    for block in content:
        kind = getattr(block, "type", "")
        if kind == "image":
            data = getattr(block, "data", None)
        elif kind == "resource":
            resource = getattr(block, "resource", None)
            mime = str(getattr(resource, "mime_type", None) or "")
            data = getattr(resource, "blob", None) if mime.startswith("image/") else None
        else:
            continue
        if isinstance(data, str):
            try:
                found.append(base64.b64decode(data, validate=True))
            except (binascii.Error, ValueError):
                continue
    return found
