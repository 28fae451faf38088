"""Preparing images with Pillow: what goes as it is, what is converted or scaled,
and what is refused with one line (the bytes are untrusted)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from codex_tui.images.prepare import MAX_SIDE, ImageError, prepare_bytes
from codex_tui.images.store import attach_file, load_stored, split_data_url


def encoded(fmt: str, size: tuple[int, int], color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def png_claiming(side: int) -> bytes:
    """A 1×1 PNG whose header (CRC mended) claims side × side pixels."""
    import zlib

    out = io.BytesIO()
    Image.new("1", (1, 1)).save(out, "PNG")
    raw = bytearray(out.getvalue())
    raw[16:24] = side.to_bytes(4, "big") * 2
    raw[29:33] = zlib.crc32(bytes(raw[12:29])).to_bytes(4, "big")
    return bytes(raw)


def test_a_small_png_goes_byte_for_byte() -> None:
    raw = encoded("PNG", (64, 32))
    got = prepare_bytes(raw, "shot.png")
    assert (got.data, got.mime, got.width, got.height) == (raw, "image/png", 64, 32)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_other_formats_become_png(fmt: str) -> None:
    got = prepare_bytes(encoded(fmt, (40, 20)), f"scan.{fmt.lower()}")
    assert got.mime == "image/png"
    with Image.open(io.BytesIO(got.data)) as img:
        assert (img.format, img.size) == ("PNG", (40, 20))
        assert img.getpixel((3, 3))[:3] == (200, 30, 30)


def test_a_large_image_is_scaled_down_keeping_its_aspect() -> None:
    got = prepare_bytes(encoded("JPEG", (4096, 1024)), "wide.jpg")
    assert (got.width, got.height, got.original) == (MAX_SIDE, 512, (4096, 1024))
    assert got.mime == "image/jpeg"  # a photo stays a JPEG
    with Image.open(io.BytesIO(got.data)) as img:
        assert img.size == (MAX_SIDE, 512)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"not an image at all", "not an image codex-tui can read"),
        (encoded("PNG", (30, 30))[:60], "damaged"),
        (b"", "not an image"),
    ],
    ids=["text", "truncated png", "empty"],
)
def test_bad_bytes_are_one_line(raw: bytes, words: str) -> None:
    with pytest.raises(ImageError) as caught:
        prepare_bytes(raw, "x.png")
    message = str(caught.value)
    assert words in message and "\n" not in message and message.startswith("x.png: ")


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    # A PNG header claiming 100,000 × 100,000 pixels (10 G): Pillow's guard trips.
    with pytest.raises(ImageError, match="not an image codex-tui can read"):
        prepare_bytes(png_claiming(100_000), "bomb.png")


def test_attachments_are_kept_once_by_hash(tmp_path: Path, isolated_home: Path) -> None:
    picture = tmp_path / "a.png"
    picture.write_bytes(encoded("PNG", (8, 8)))
    first, second = attach_file(picture), attach_file(picture)
    assert first.stored == second.stored and first.path.parent == isolated_home / "attachments"
    assert list(first.path.parent.iterdir()) == [first.path]
    assert first.label() == "a.png 8×8 " + f"{first.size} B"
    data, mime = split_data_url(first.url()) or (b"", "")
    assert (data, mime) == (picture.read_bytes(), "image/png")
    assert load_stored(first.stored) == (data, mime)
    first.path.write_bytes(b"changed")  # no longer its hash: not used
    assert load_stored(first.stored) is None
    assert load_stored("../../etc/passwd") is None


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"nope\.png: no such file"):
        attach_file(tmp_path / "nope.png")


def test_too_many_pixels_are_refused_before_decoding() -> None:
    # 13,000 × 13,000 (169 M pixels): under Pillow's error threshold, over our cap.
    with pytest.raises(ImageError, match="13000×13000 is too many pixels"):
        prepare_bytes(png_claiming(13_000), "huge.png")
