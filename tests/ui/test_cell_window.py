"""Which cells are mounted and drawn. Cells far above a followed stream are
folded behind a spacer of their height: nothing on screen or in the scroll range
moves, and they are back in place before the person can see them (scrolling up, a
resize, a note placed next to one). Trimmed cells leave nothing behind."""

from __future__ import annotations

from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.ui.cells import CommandCell
from tests.ui.conftest import wait_for


async def build(pilot, conversation, answers: int) -> None:
    """A live session of `answers` settled answers, then one streaming below them."""
    await wait_for(pilot, lambda: conversation.app.agent is not None, what="the agent")
    for n in range(answers):
        conversation.handle(
            ev.AgentMessage(item_id=f"a{n}", text=f"answer {n}\n\n" + "line\n\n" * 3)
        )
        await pilot.pause()
    for n in range(30):
        conversation.handle(ev.AgentMessageDelta(item_id="live", delta=f"streamed {n}\n\n"))
        conversation.flush()
        await pilot.pause()
    await pilot.pause(0.1)


def drawn(conversation) -> list[str]:
    """The conversation's rows as the screen shows them (not the composer's, whose
    cursor blinks)."""
    region = conversation.region
    strips = conversation.screen._compositor.render_strips()
    return [s.crop(region.x, region.right).text for s in strips[region.y : region.bottom]]


def places(conversation) -> dict:
    """Where each mounted cell is (its top and height in the view's rows)."""
    return {c: (c.virtual_region.y, c.virtual_region.height) for c in conversation.cells()}


async def test_folding_moves_nothing_and_unfolds_in_place(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        fold = conversation._fold
        opened = []
        fold.open = lambda: opened.append(1) or type(fold).open(fold)  # type: ignore[method-assign]
        await build(pilot, conversation, 60)
        assert not opened, "trimmed cells leave the fold without unfolding the rest"
        assert conversation.hidden, "the oldest cells were trimmed while folded"
        assert len(fold.cells) > 5 and all(not c.display for c in fold.cells)
        assert fold.cells == conversation.cells()[: len(fold.cells)]
        assert fold.spacer.display
        # Where the folded cells would be, from the spacer's place.
        top = fold.spacer.virtual_region.y
        expected = {c: (top + a, b - a) for c, (a, b) in zip(fold.cells, fold._spans, strict=True)}
        expected |= {c: p for c, p in places(conversation).items() if c.display}
        size, scroll = conversation.virtual_size, conversation.scroll_y
        shown = drawn(conversation)
        assert any("streamed 29" in row for row in shown)

        conversation.unfold()
        await pilot.pause(0.1)
        assert not fold.cells and not fold.spacer.display
        assert all(c.display for c in conversation.cells())
        assert places(conversation) == expected
        assert (conversation.virtual_size, conversation.scroll_y) == (size, scroll)
        assert drawn(conversation) == shown


async def test_scrolling_up_unfolds_before_the_folded_rows_are_drawn(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        await build(pilot, conversation, 40)
        fold = conversation._fold
        assert fold.cells
        top = fold.spacer.virtual_region.y
        expected = {c: (top + a, b - a) for c, (a, b) in zip(fold.cells, fold._spans, strict=True)}
        expected |= {c: p for c, p in places(conversation).items() if c.display}
        scroll = conversation.scroll_y
        for _ in range(3):
            await pilot.press("pageup")
        await pilot.pause(0.1)
        assert not fold.cells and all(c.display for c in conversation.cells())
        assert places(conversation) == expected
        assert conversation.scroll_y == scroll - 3 * conversation.scrollable_content_region.height
        # Back at the bottom the view follows again, and folds again as it streams.
        await pilot.press("ctrl+end")
        conversation.handle(ev.AgentMessageDelta(item_id="live", delta="more\n\n"))
        await pilot.pause(0.1)
        conversation.flush()
        await pilot.pause(0.1)
        assert fold.cells


async def test_a_narrower_or_wider_view_unfolds(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await build(pilot, app.conversation, 40)
        assert app.conversation._fold.cells
        await pilot.resize_terminal(100, 36)
        await pilot.pause(0.1)
        assert app.conversation._fold.cells, "a taller view changes no cell's height"
        await pilot.resize_terminal(70, 36)
        await pilot.pause(0.1)
        assert not app.conversation._fold.cells
        assert all(c.display for c in app.conversation.cells())


async def test_cells_that_may_change_stay_unfolded_and_so_do_those_below(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        for n in range(10):
            conversation.markdown(f"before {n}\n\n" + "line\n\n" * 3)
        conversation.handle(
            ev.ExecBegin(call_id="c1", command=("sleep", "100"), cwd=Path("."), sandboxed=True)
        )
        await build(pilot, conversation, 30)
        running = next(c for c in conversation.cells() if isinstance(c, CommandCell))
        cells = conversation.cells()
        assert conversation._fold.cells == cells[: cells.index(running)]
        assert running.display


async def test_a_flag_on_a_folded_answer_unfolds_it_first(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        await build(pilot, conversation, 40)
        folded = conversation._fold.cells[-1]
        item_id = folded.item_id
        flag = ev.Flag(kind="path", message="nowhere.py does not exist", correction="look again")
        conversation.handle(ev.ResponseFlagged(item_id=item_id, flags=(flag,)))
        await pilot.pause(0.1)
        cells = conversation.cells()
        assert not conversation._fold.cells and all(c.display for c in cells)
        assert cells[cells.index(folded) + 1] is conversation.last_flag


async def test_trimmed_cells_leave_no_rendered_lines_behind(app_factory) -> None:
    """Textual's lru_cache on StylesCache.get_inner_outer would keep up to 1,024
    removed widgets' caches, and every line they drew, alive."""
    import gc

    from textual._styles_cache import StylesCache
    from textual.dom import DOMNode

    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        for n in range(300):
            conversation.note("info", f"note {n}")
            if n % 20 == 0:
                await pilot.pause()
        await pilot.pause(0.2)
        assert len(conversation.hidden) > 100
        gc.collect()
        objects = gc.get_objects()
        caches = sum(isinstance(o, StylesCache) for o in objects)
        nodes = sum(isinstance(o, DOMNode) for o in objects)
        assert caches <= nodes, "each StylesCache belongs to a widget still alive"
