"""Inline markdown in one-line texts (reasoning titles, notes): drawn as styles,
never shown as asterisks and backticks, and never a trap for odd input."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from codex_tui.ui.cells import inline_markdown


def styled(text: str) -> list[tuple[str, str]]:
    out = inline_markdown(text)
    return [(out.plain[s.start : s.end], str(s.style)) for s in out.spans]


def test_bold_italic_and_code_become_styles() -> None:
    assert inline_markdown("**Looking at the entry point**").plain == "Looking at the entry point"
    assert styled("**Looking** at `main` and *why*") == [
        ("Looking", "bold"),
        ("main", "bold"),
        ("why", "italic"),
    ]


def test_what_is_not_markdown_stays_as_it_is() -> None:
    for text in ("snake_case_name", "2 * 3 * 4", "**unclosed", "a*b*c", "x = y_"):
        assert inline_markdown(text).plain == text
        assert styled(text) == []


@given(st.text(alphabet="*_`ab \n", max_size=200))
def test_any_text_keeps_its_letters(text: str) -> None:
    plain = inline_markdown(text).plain
    assert plain.replace("*", "").replace("_", "").replace("`", "") == text.replace(
        "*", ""
    ).replace("_", "").replace("`", "")


def test_a_long_hostile_line_is_quick() -> None:
    started = time.perf_counter()
    inline_markdown("*a_" * 20_000 + "`" * 10_000)
    assert time.perf_counter() - started < 2.0
