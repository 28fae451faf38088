"""Locating lines: exact first, then looser passes; anchors, hints and the end of file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.patch.seek import LineIndex, _canonical_all, canonical


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
