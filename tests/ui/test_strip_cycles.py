"""Drawn lines are freed by reference counting: no strip holds itself, so the
cyclic collector's pauses do not grow with what is drawn (ui/strip_cycles.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from codex_tui.agent import events as ev
from codex_tui.ui.strip_cycles import patch_strip_cycles
from tests.ui.conftest import wait_for

patch_strip_cycles()  # as the app does when it is imported


@contextmanager
def cyclic_garbage() -> Iterator[Callable[[], list[object]]]:
    """What the collector alone would free of what the block leaves behind."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list[object] = []
    try:
        yield lambda: found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def strips_in(objects: list[object]) -> int:
    return sum(isinstance(o, Strip) for o in objects)


def test_a_strip_divided_or_cropped_to_itself_is_freed_without_the_collector() -> None:
    with cyclic_garbage() as garbage:
        strip = Strip([Segment("hello ", Style(bold=True)), Segment("world")], 11)
        assert strip.divide([11]) == [strip]
        assert strip.divide([11, 20]) == [strip]  # cuts past the end are dropped
        assert strip.crop_extend(0, 11, None) is strip
        del strip
    assert strips_in(garbage()) == 0


texts = st.lists(st.text(alphabet="abc xyz", min_size=1, max_size=6), min_size=1, max_size=5)


@given(texts, st.lists(st.integers(min_value=1, max_value=35), max_size=5))
def test_divide_cuts_where_textual_does(pieces: list[str], cuts: list[int]) -> None:
    strip = Strip([Segment(p, Style(italic=n % 2 == 0)) for n, p in enumerate(pieces)])
    text = "".join(pieces)
    cuts = sorted(set(cuts))
    kept = [c for c in cuts if c <= len(text)]
    spans = list(zip([0, *kept], kept, strict=False))
    assert [s.text for s in strip.divide(cuts)] == [text[a:b] for a, b in spans]
    assert [s.cell_length for s in strip.divide(cuts)] == [b - a for a, b in spans]


@given(texts, st.integers(min_value=-2, max_value=35), st.integers(min_value=0, max_value=35))
def test_crop_extend_crops_and_pads_as_textual_does(
    pieces: list[str], start: int, end: int
) -> None:
    strip = Strip([Segment(p) for p in pieces])
    text = "".join(pieces)
    padded = text + " " * max(0, end - len(text))
    result = strip.crop_extend(start, end, Style(underline=True))
    assert result.text == padded[max(0, start) : end]
    assert result.cell_length == max(0, end - max(0, start))


async def test_a_streamed_answer_leaves_no_drawn_line_to_the_collector(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        with cyclic_garbage() as garbage:
            for n in range(40):
                conversation.handle(
                    ev.AgentMessageDelta(item_id="live", delta=f"streamed **{n}**\n\n")
                )
                conversation.flush()
                await pilot.pause()
            await pilot.pause(0.1)
        drawn = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "streamed 39" in drawn
    assert strips_in(garbage()) == 0
