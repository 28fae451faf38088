"""Bytes <-> lines in pieces: a big file is decoded, split, encoded and compared a piece
at a time, and every piece boundary must be invisible in the result."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.patch import disk, textfile
from codex_tui.patch.disk import take_snapshot
from codex_tui.patch.textfile import decode, encode_lines, split_lines

# Line breaks of every kind, a BOM, curly quotes, and bytes that are not UTF-8
# (a sequence cut short, a lone continuation byte, an encoded surrogate).
_BYTES = st.lists(
    st.sampled_from(
        [
            *(b"a", b" ", b"\n", b"\r\n", b"\r", b"\x0c", b"\xef\xbb\xbf", b"\xe2\x80\x99"),
            *(b"\xe2\x80", b"\x99", b"\xff", b"\xed\xa0\x80", b"\xc2\x85", b"\xe2\x80\xa8"),
        ]
    ),
    max_size=30,
).map(b"".join)


def _reference_decode(data: bytes) -> tuple[list[str], bool, str, bool]:
    """The whole text at once, split by a regular expression, endings looked at one by one."""
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    ended = [ln for ln in lines if ln.endswith("\n")]
    crlf = [ln for ln in ended if ln.endswith("\r\n")]
    return lines, bom, eol, 0 < len(crlf) < len(ended)


@settings(max_examples=300, deadline=None)
@given(_BYTES, st.integers(1, 8))
def test_decoding_in_pieces_is_decoding_the_whole(data: bytes, piece: int) -> None:
    with mock.patch.object(textfile, "_PIECE", piece):
        got = decode(data)
    assert (got.lines, got.bom, got.eol, got.mixed) == _reference_decode(data)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("a \n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\u2019"))))
def test_lines_split_at_newlines_only(text: str) -> None:
    assert split_lines(text) == re.findall(r"[^\n]*\n|[^\n]+\Z", text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(st.sampled_from(list("a\n\u2019\U0001f600\udcff\udc80")))),
    st.booleans(),
    st.integers(1, 4),
)
def test_encoding_in_pieces_is_encoding_the_whole(lines: list[str], bom: bool, step: int) -> None:
    with mock.patch.object(textfile, "_LINES_A_PIECE", step):
        got = b"".join(encode_lines(lines, bom))
    assert got == (b"\xef\xbb\xbf" if bom else b"") + "".join(lines).encode(
        "utf-8", "surrogateescape"
    )


def test_a_file_checked_against_its_snapshot_is_not_read_into_a_second_copy(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789" * 3)
    before = take_snapshot(path, "f")
    assert before is not None
    with mock.patch.object(disk, "_PIECE", 4):
        same = take_snapshot(path, "f", like=before)
        assert same == before and same.data is before.data
        for changed in (b"0123456789" * 2 + b"012345678X", b"01234", b"0123456789" * 4, b""):
            path.write_bytes(changed)
            seen = take_snapshot(path, "f", like=before)
            assert seen is not None and seen.data == changed and seen != before
