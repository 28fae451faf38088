"""File bytes <-> lines: line endings, a UTF-8 BOM and undecodable bytes survive unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TextFile", "bodies", "decode", "encode", "split_lines"]

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class TextFile:
    """A decoded file: `lines` keep their endings (only the last may lack one)."""

    lines: list[str]
    bom: bool = False
    eol: str = "\n"  # the ending given to lines the patch adds

    @property
    def text(self) -> str:
        return "".join(self.lines)


# Each line with its `\n`, then a last line without one. (str.splitlines would
# also split on form feeds and other separators, which are content here.)
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Split on `\\n` only, keeping the endings."""
    return _LINE.findall(text)


def bodies(lines: list[str]) -> list[str]:
    """The lines without their endings: what patch lines are compared with."""
    text = "".join(lines)
    out = text.split("\n")
    if text.endswith("\n") or not text:
        out.pop()
    if "\r" in text:
        out = [b[:-1] if b.endswith("\r") else b for b in out]
    return out


def decode(data: bytes) -> TextFile:
    """Decode UTF-8; bytes that are not UTF-8 are carried through (surrogateescape)."""
    bom = data.startswith(UTF8_BOM)
    text = (
        data[len(UTF8_BOM) :].decode("utf-8", "surrogateescape")
        if bom
        else data.decode("utf-8", "surrogateescape")
    )
    lines = split_lines(text)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    return TextFile(lines, bom, eol)


def encode(text: str, bom: bool = False) -> bytes:
    data = text.encode("utf-8", "surrogateescape")
    return UTF8_BOM + data if bom else data
