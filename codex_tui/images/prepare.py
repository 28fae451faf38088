"""Turn an image file into bytes a model accepts.

PNG, JPEG, GIF and WebP go as they are when they are small enough; anything
Pillow can read besides (BMP, TIFF, ICO…) becomes PNG; an image whose long side
passes `MAX_SIDE` is scaled down, aspect kept. The file is untrusted (a
repository's, a server's): Pillow's decompression-bomb guard is kept, and every
decoding error becomes one `ImageError` line.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = ["MAX_FILE_BYTES", "MAX_SIDE", "ImageError", "Prepared", "prepare_bytes"]

# What the OpenAI models take comfortably; larger images are scaled down.
MAX_SIDE = 2048
# More pixels than this are refused before decoding (Pillow's own guard only
# warns below twice its limit): 40M is an 8K screen's four times over.
MAX_PIXELS = 40_000_000
# Files beyond this are refused before decoding (a screenshot is a few MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
# Sent as they are; the rest is converted to PNG.
SENT_AS_IS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# Above this, an as-is image is re-encoded even when its size in pixels is fine.
MAX_SENT_BYTES = 8 * 1024 * 1024


class ImageError(ValueError):
    """An image that cannot be used; the message is one line for the person."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Prepared:
    data: bytes
    mime: str
    width: int
    height: int
    # The size in pixels before any scaling.
    original: tuple[int, int]


def prepare_bytes(raw: bytes, name: str) -> Prepared:
    """`raw` (a whole image file called `name`) as bytes to send."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImageError(f"{name}: {len(raw) // 1_048_576} MB is too large for an image")
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings(), Image.open(io.BytesIO(raw)) as img:
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our cap says it
            fmt = img.format or ""
            original = img.size
            if original[0] * original[1] > MAX_PIXELS:  # before a byte is decoded
                w, h = original
                raise ImageError(f"{name}: {w}×{h} is too many pixels for an image")
            too_big = max(img.size) > MAX_SIDE or len(raw) > MAX_SENT_BYTES
            if fmt in SENT_AS_IS and not too_big:
                img.verify()  # a truncated or corrupt file fails here, not at the server
                return Prepared(
                    data=raw, mime=SENT_AS_IS[fmt], width=original[0], height=original[1],
                    original=original,
                )  # fmt: skip
            img.load()
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            return _encode(upright, jpeg=fmt == "JPEG", original=original)
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{name}: not an image codex-tui can read ({_reason(exc)})") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(f"{name}: a damaged image ({_reason(exc)})") from None


def _encode(img: PILImage, *, jpeg: bool, original: tuple[int, int]) -> Prepared:
    out = io.BytesIO()
    if jpeg:
        img.convert("RGB").save(out, "JPEG", quality=90)
        mime = "image/jpeg"
    else:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            img = img.convert("RGBA")
        img.save(out, "PNG", optimize=False)
        mime = "image/png"
    return Prepared(
        data=out.getvalue(), mime=mime, width=img.width, height=img.height, original=original
    )


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
