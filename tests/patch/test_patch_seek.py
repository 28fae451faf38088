"""Locating lines: exact first, then looser passes; anchors, hints and the end of file."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.patch.seek import _FOLD, LineIndex, _body, _canonical_all, canonical


def test_exact_match_wins_over_a_looser_earlier_one() -> None:
    index = LineIndex(["x = 1  ", "y", "x = 1", "y"])
    assert index.find(["x = 1", "y"]) == 2


def test_passes_loosen_in_order() -> None:
    index = LineIndex(["  value = 1\t", "\u201cquoted\u201d \u2014 dash", "last"])
    assert index.find(["  value = 1"]) == 0  # trailing whitespace ignored
    assert index.find(["value = 1"]) == 0  # leading whitespace ignored
    assert index.find(['"quoted" - dash']) == 1  # punctuation folded
    assert index.find(["value = 2"]) is None


def test_start_and_end_constraints() -> None:
    index = LineIndex(["a", "b", "a", "b"])
    assert index.find(["a", "b"], 1) == 2
    assert index.find(["a"], 3) is None
    assert index.find(["a", "b"], at_end=True) == 2
    assert index.find(["a"], at_end=True) is None
    assert index.find([], 2) == 2


def test_nearest_match_to_a_hint() -> None:
    index = LineIndex(["t", "x", "x", "t", "x", "x", "x", "t"])
    assert index.find(["t"], near=2) == 3
    assert index.find(["t"], near=1) == 0
    assert index.find(["t"], near=6) == 7
    assert index.find(["t"], 1, near=0) == 3


def test_a_tie_between_two_matches_goes_to_the_earlier() -> None:
    assert LineIndex(["t\n", "x\n", "t\n"]).find(["t"], near=1) == 0
    assert LineIndex(["t  \n", "x\n", "t\t\n"]).find(["t"], near=1) == 0  # a looser pass too


def test_longest_prefix_names_the_first_missing_line() -> None:
    index = LineIndex(["a", "b", "c", "d"])
    assert index.longest_prefix(["b", "c", "x"], 0) == 2
    assert index.longest_prefix(["zz"], 0) == 0
    assert index.longest_prefix(["c", "d"], 0) == 2


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(st.sampled_from(list("ab \t-'\"\u2014\u2019\u201c\u00a0\u3000\u2026")), max_size=8)
    )
)
def test_folding_a_whole_file_matches_folding_each_line(lines: list[str]) -> None:
    assert _canonical_all(lines) == [canonical(line) for line in lines]


# -- the keyed search finds what the straightforward one finds --------------

# Few letters, so that lines repeat; every kind of difference a pass forgives.
_CHARS = list("ab \t'\"-.\u2019\u201c\u2014\u2026\u00a0\u3000\r")
_LINE = st.text(st.sampled_from(_CHARS), max_size=6)


def _reference_find(
    bodies: list[str], pattern: list[str], start: int, at_end: bool, near: int | None
) -> int | None:
    """What LineIndex.find did before keys: every pass compares folded copies of the
    whole file, and every match is listed."""
    if not pattern:
        return start
    for fold in (None, str.rstrip, str.strip, canonical):
        view = bodies if fold is None else [fold(b) for b in bodies]
        wanted = pattern if fold is None else [fold(p) for p in pattern]
        m = len(wanted)
        matches = [i for i in range(start, len(view) - m + 1) if view[i : i + m] == wanted]
        if at_end:
            matches = [i for i in matches if i == len(view) - m]
        if matches:
            if near is None:
                return matches[0]
            return min(matches, key=lambda i: (abs(i - near), i))  # a tie: the earlier
    return None


def _reference_body(line: str) -> str:
    return line.removesuffix("\n").removesuffix("\r")


@st.composite
def _file_and_queries(draw: st.DrawFn) -> tuple[list[str], str | None, list[tuple]]:
    """Lines with their endings (all `\\n`, all `\\r\\n`, or mixed; the last maybe
    without), the ending to promise (None: let the index count), and queries whose
    patterns are pieces of the file retyped loosely, or not from it at all."""
    bodies = draw(st.lists(_LINE, min_size=1, max_size=14))
    style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    endings = [draw(st.sampled_from(["\n", "\r\n"])) if style == "mixed" else style for _ in bodies]
    if draw(st.booleans()):
        endings[-1] = ""
    lines = [b + e for b, e in zip(bodies, endings, strict=True)]
    # The endings as a reader of the file sees them: a body ending in "\r" followed
    # by "\n" is a "\r\n" line, so only such a file's true endings may be promised
    # (textfile.read calls a file with both kinds mixed, and promises nothing).
    seen = ["\r\n" if ln.endswith("\r\n") else "\n" for ln in lines[:-1]]
    uniform = len(set(seen)) == 1
    promise = seen[0] if uniform and draw(st.booleans()) else None
    queries = []
    for _ in range(draw(st.integers(1, 4))):
        a = draw(st.integers(0, len(bodies) - 1))
        piece = [_reference_body(ln) for ln in lines[a : a + draw(st.integers(1, 3))]]
        retyped = []
        for text in piece:
            how = draw(st.sampled_from(["same", "same", "pad", "indent", "ascii", "other"]))
            if how == "pad":
                text += draw(st.sampled_from([" ", "\t", "  ", "\u00a0"]))
            elif how == "indent":
                text = draw(st.sampled_from([" ", "\t", "\u3000"])) + text.lstrip()
            elif how == "ascii":
                text = text.translate({0x2019: "'", 0x201C: '"', 0x2014: "-", 0x2026: "..."})
            elif how == "other":
                text = draw(_LINE.filter(lambda s: "\r" not in s))
            retyped.append(text)
        start = draw(st.integers(0, len(lines)))
        near = draw(st.none() | st.integers(0, len(lines)))
        queries.append((retyped, start, draw(st.booleans()), near))
    return lines, promise, queries


@settings(max_examples=400, deadline=None)
@given(_file_and_queries())
def test_keyed_search_finds_what_comparing_whole_folded_copies_finds(
    case: tuple[list[str], str | None, list[tuple]],
) -> None:
    lines, promise, queries = case
    index = LineIndex(lines, promise)  # one index: later queries use the keys made earlier
    bodies = [_reference_body(ln) for ln in lines]
    for pattern, start, at_end, near in queries:
        got = index.find(pattern, start, at_end=at_end, near=near)
        assert got == _reference_find(bodies, pattern, start, at_end, near)
        prefix = index.longest_prefix(pattern, start)
        assert _reference_find(bodies, pattern[:prefix], start, False, None) is not None
        if prefix < len(pattern):
            assert _reference_find(bodies, pattern[: prefix + 1], start, False, None) is None


_EVERY_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(["a", "'", *map(chr, _FOLD), *_EVERY_SPACE]), max_size=10))
def test_each_pass_only_loosens_the_one_before(line: str) -> None:
    """What keys rely on: lines alike at a pass are alike at every looser one, so
    one key (of the loosest form) rules out places for every pass."""
    passes = [_body, str.rstrip, str.strip, canonical]
    for tight, loose in itertools.pairwise(passes):
        assert loose(tight(line)) == loose(line)
        assert loose(tight(line + "\r\n")) == loose(line)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("ab \t-'\"\u2014\u2019\u201c\u00a0\u3000\u2026\r")))))
def test_folding_lines_with_their_endings_matches_folding_each_line(lines: list[str]) -> None:
    with_endings = [line + "\n" for line in lines]
    if with_endings and lines[-1]:
        with_endings[-1] = lines[-1]  # a last line without its newline
    assert _canonical_all(with_endings) == [canonical(line) for line in with_endings]


def test_the_exact_pass_sees_every_ending() -> None:
    lines = ["x \n", "x\r\n", "y\n", "x\n", "x"]
    index = LineIndex(lines)
    assert index.find(["x"]) == 1  # not 0, which matches only once trailing space is ignored
    assert index.find(["x"], 2) == 3
    assert index.find(["x"], 4) == 4
    assert LineIndex(["a \n", "a\n"], "\n").find(["a"]) == 1
