"""A `session/prompt`'s content blocks as the agent takes a message: text, and
images as stored attachments. Links to resources become mentions in the text
(a file inside the workspace by its relative path, so the model can read it);
embedded text resources (the editor's selection, an open buffer) follow the
message as context blocks."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from acp import RequestError
from acp.schema import (
    AudioContentBlock,
    BlobResourceContents,
    EmbeddedResourceContentBlock,
    ImageContentBlock,
    ResourceContentBlock,
    TextContentBlock,
    TextResourceContents,
)

if TYPE_CHECKING:
    from codex_tui.images.store import Attachment

    Block = (
        TextContentBlock
        | ImageContentBlock
        | AudioContentBlock
        | ResourceContentBlock
        | EmbeddedResourceContentBlock
    )

_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


async def read_prompt(blocks: Sequence[Block], root: Path) -> tuple[str, list[Attachment]]:
    """The message text and its images; RequestError (invalid params) for an
    image that cannot be used or a prompt with nothing in it."""
    inline: list[str] = []
    context: list[str] = []
    images: list[Attachment] = []
    for number, block in enumerate(blocks, 1):
        match block:
            case TextContentBlock(text=text):
                inline.append(text)
            case ImageContentBlock(data=data, mime_type=mime, uri=uri):
                name = _file_name(uri) or f"image-{number}.{_EXT.get(mime, 'png')}"
                images.append(await _attach(_decode(data, name), name))
            case ResourceContentBlock(name=name, uri=uri):
                inline.append(mention(name, uri, root))
            case EmbeddedResourceContentBlock(resource=TextResourceContents() as res):
                where = mention(_file_name(res.uri) or res.uri, res.uri, root)
                context.append(f"<context ref={where!r}>\n{res.text}\n</context>")
            case EmbeddedResourceContentBlock(resource=BlobResourceContents() as blob):
                name = _file_name(blob.uri) or f"attachment-{number}"
                if blob.mime_type in _EXT:
                    images.append(await _attach(_decode(blob.blob, name), name))
                else:
                    inline.append(mention(name, blob.uri, root))
            case AudioContentBlock():
                inline.append("[an audio clip was attached; codex-tui cannot use audio]")
    text = "".join(inline).strip()
    if context:
        text = "\n\n".join([text, *context]) if text else "\n\n".join(context)
    if not text and not images:
        raise RequestError.invalid_params({"details": "the prompt is empty"})
    return text, images


def mention(name: str, uri: str, root: Path) -> str:
    """`@src/app.py` for a file in the workspace, `@/etc/hosts` for one outside,
    `[name](uri)` for anything else."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return f"[@{name}]({uri})"
    path = Path(unquote(parsed.path))
    try:
        return f"@{path.relative_to(root)}"
    except ValueError:
        return f"@{path}"


def _file_name(uri: str | None) -> str | None:
    if not uri:
        return None
    name = Path(unquote(urlparse(uri).path)).name
    return name or None


def _decode(data: str, name: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise RequestError.invalid_params({"details": f"{name}: not base64 data"}) from None


async def _attach(raw: bytes, name: str) -> Attachment:
    from codex_tui.images.prepare import ImageError
    from codex_tui.images.store import attach_bytes

    try:
        # Decoding and downscaling take a moment: off the event loop.
        return await asyncio.to_thread(attach_bytes, raw, name)
    except ImageError as exc:
        raise RequestError.invalid_params({"details": f"{name}: {exc}"}) from None
