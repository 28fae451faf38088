"""LineWindow: lines counted as str.splitlines counts them, whatever the pieces
the text arrives in, and only the window asked for kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codex_tui.tools.files import MAX_OUTPUT_CHARS, cap_lines, output_window, window_text
from codex_tui.tools.lines import LineWindow, count_breaks

TEXT = st.text(alphabet=st.sampled_from(list("ab\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029é😀")))


def pieces(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    return [text[i:j] for i, j in zip([0, *points], [*points, len(text)], strict=True)]


@given(text=TEXT, cuts=st.lists(st.integers(0, 10_000), max_size=8))
def test_count_breaks_is_splitlines(text: str, cuts: list[int]) -> None:
    window = LineWindow(count=0)
    for piece in pieces(text, cuts):
        window.feed(piece)
    window.finish()
    assert window.total == len(text.splitlines())
    assert count_breaks(text) == len((text + "x").splitlines()) - 1


@given(
    text=TEXT,
    cuts=st.lists(st.integers(0, 10_000), max_size=8),
    first=st.integers(1, 12),
    count=st.none() | st.integers(0, 6),
    keep=st.integers(0, 4),
)
def test_the_window_keeps_the_lines_asked_for(
    text: str, cuts: list[int], first: int, count: int | None, keep: int
) -> None:
    window = LineWindow(first=first, count=count, keep=keep)
    for piece in pieces(text, cuts):
        window.feed(piece)
    window.finish()
    lines = text.splitlines()
    wanted = lines[first - 1 :] if count is None else lines[first - 1 : first - 1 + count]
    assert [(line.text, line.length) for line in window.lines] == [
        (line[:keep], len(line)) for line in wanted
    ]
    assert window.total == len(lines)


@given(
    lines=st.lists(st.text(alphabet="xyz", max_size=30_000), max_size=12),
    cuts=st.lists(st.integers(0, 400_000), max_size=8),
)
def test_the_output_window_is_cap_lines(lines: list[str], cuts: list[int]) -> None:
    text = "".join(line + "\n" for line in lines)
    window = output_window()
    for piece in pieces(text, cuts):
        window.feed(piece)
    window.finish()
    assert window_text(window) == cap_lines(text.splitlines())


def test_a_stopped_program_says_more_were_left_out() -> None:
    window = output_window()
    window.feed("a\n" + "b" * MAX_OUTPUT_CHARS + "\nc")
    assert (
        window_text(window, stopped=True) == "a\n… over 2 more lines not shown; narrow the search"
    )


def test_a_crlf_split_between_pieces_is_one_boundary_and_only_one() -> None:
    from codex_tui.tools.lines import LineWindow

    window = LineWindow()
    for piece in ("\r", "\n", "\n", "x"):
        window.feed(piece)
    window.finish()
    assert window.total == len("\r\n\nx".splitlines()) == 3
