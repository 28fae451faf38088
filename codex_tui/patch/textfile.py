"""File bytes <-> lines: line endings, a UTF-8 BOM and undecodable bytes survive unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["TextFile", "decode", "encode_lines", "split_lines"]

UTF8_BOM = b"\xef\xbb\xbf"

# Bytes decoded at a time (then a little more, to the next newline), and lines
# encoded at a time: a big file's whole text is never held beside its lines.
_PIECE = 1 << 20
_LINES_A_PIECE = 1 << 14


@dataclass(frozen=True, slots=True)
class TextFile:
    """A decoded file: `lines` keep their endings (only the last may lack one)."""

    lines: list[str]
    bom: bool = False
    eol: str = "\n"  # the ending given to lines the patch adds
    mixed: bool = False  # some lines end with `\n`, others with `\r\n`

    @property
    def text(self) -> str:
        return "".join(self.lines)


# Each line with its `\n`, then a last line without one.
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
# str.splitlines also splits at these, which are content here; in a text
# without them it splits as _LINE does, in two thirds of the time.
_OTHER_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def split_lines(text: str) -> list[str]:
    """Split on `\\n` only, keeping the endings."""
    if any(char in text for char in _OTHER_BREAKS):
        return _LINE.findall(text)
    return text.splitlines(keepends=True)


def decode(data: bytes) -> TextFile:
    """Decode UTF-8; bytes that are not UTF-8 are carried through (surrogateescape).

    Pieces end at a newline, which no multi-byte sequence contains, so decoding
    them one by one gives what decoding the whole would.
    """
    bom = data.startswith(UTF8_BOM)
    start = len(UTF8_BOM) if bom else 0
    lines: list[str] = []
    crlf = 0
    while start < len(data):
        end = data.find(b"\n", start + _PIECE) + 1 or len(data)
        text = data[start:end].decode("utf-8", "surrogateescape")
        lines += split_lines(text)
        if "\r" in text:
            crlf += text.count("\r\n")
        start = end
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    ended = len(lines) - (not data.endswith(b"\n")) if lines else 0
    return TextFile(lines, bom, eol, mixed=0 < crlf < ended)


def encode_lines(lines: Sequence[str], bom: bool = False) -> Iterator[bytes]:
    """The file's bytes, in pieces: a big file's text is never held whole again."""
    if bom:
        yield UTF8_BOM
    for a in range(0, len(lines), _LINES_A_PIECE):
        yield "".join(lines[a : a + _LINES_A_PIECE]).encode("utf-8", "surrogateescape")
