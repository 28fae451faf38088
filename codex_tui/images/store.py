"""Attachments by content: `$CODEX_TUI_HOME/attachments/<sha256>.<ext>`.

A session file names an image by this file and its hash instead of carrying
megabytes of base64, so resume finds the very bytes that were sent, and the
same screenshot attached twice is kept once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from codex_tui.config.paths import home
from codex_tui.config.safe_write import write_atomically
from codex_tui.images.prepare import MAX_FILE_BYTES, ImageError, Prepared, prepare_bytes

__all__ = [
    "Attachment",
    "attach_bytes",
    "attach_file",
    "attachments_dir",
    "data_url",
    "is_stored_name",
    "load_stored",
    "split_data_url",
    "store",
]

_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
_MIME = {ext: mime for mime, ext in _EXT.items()}
_STORED = re.compile(r"[0-9a-f]{64}\.(png|jpg|gif|webp)")
_DATA_URL = re.compile(r"data:(image/(?:png|jpeg|gif|webp));base64,", re.ASCII)


def attachments_dir() -> Path:
    return home() / "attachments"


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    """An image ready to send: the stored file, what it shows, where it came from."""

    name: str
    stored: str  # the file's name under attachments_dir()
    mime: str
    width: int
    height: int
    size: int  # bytes sent
    original: tuple[int, int]

    @property
    def path(self) -> Path:
        return attachments_dir() / self.stored

    @property
    def sha256(self) -> str:
        return self.stored.split(".", 1)[0]

    def label(self) -> str:
        """`shot.png 1280×720 84 KB`: the chip's and the transcript's words."""
        return f"{self.name} {self.width}×{self.height} {_size(self.size)}"

    def url(self) -> str:
        """The data URL sent to the model (read from the store)."""
        return data_url(self.path.read_bytes(), self.mime)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1_048_576:
        return f"{round(n / 1024)} KB"
    return f"{n / 1_048_576:.1f} MB"


def store(data: bytes, mime: str) -> str:
    """Keep `data` under its hash (once); the stored file's name."""
    ext = _EXT.get(mime)
    if ext is None:
        raise ImageError(f"cannot keep an image of type {mime}")
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    path = attachments_dir() / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(path, data, new_mode=0o600)
    return name


def attach_bytes(raw: bytes, name: str) -> Attachment:
    """Prepare `raw` (an image file's bytes) and keep it; ImageError when unusable."""
    prepared: Prepared = prepare_bytes(raw, name)
    stored = store(prepared.data, prepared.mime)
    return Attachment(
        name=name,
        stored=stored,
        mime=prepared.mime,
        width=prepared.width,
        height=prepared.height,
        size=len(prepared.data),
        original=prepared.original,
    )


def attach_file(path: Path) -> Attachment:
    """The image at `path`, prepared and kept; ImageError with one line when not."""
    try:
        if not path.is_file():
            raise ImageError(f"{path}: no such file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImageError(f"{path.name}: too large for an image")
        raw = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{path}: {exc.strerror or exc}") from None
    return attach_bytes(raw, path.name)


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def split_data_url(url: str) -> tuple[bytes, str] | None:
    """(bytes, mime) of an image data URL; None for anything else."""
    match = _DATA_URL.match(url)
    if match is None:
        return None
    try:
        return base64.b64decode(url[match.end() :], validate=True), match.group(1)
    except (binascii.Error, ValueError):
        return None


def is_stored_name(name: str) -> bool:
    """A name `store` could have given (a session file's claim is checked with it)."""
    return _STORED.fullmatch(name) is not None


def load_stored(stored: str, sha256: str | None = None) -> tuple[bytes, str] | None:
    """(bytes, mime) of a stored attachment named in a session file; None when the
    name is not one of ours, the file is gone, or its bytes no longer match."""
    if not _STORED.fullmatch(stored):
        return None
    try:
        data = (attachments_dir() / stored).read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if digest != stored.split(".", 1)[0] or (sha256 is not None and sha256 != digest):
        return None
    return data, _MIME[stored.rsplit(".", 1)[1]]
