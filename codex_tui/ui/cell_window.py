"""Which of the conversation's cells are mounted and drawn.

Each layout places every displayed widget of the conversation (Textual's
compositor walks them all), so a long session must not cost its length per
frame. Three windows keep it to about what is on screen: the oldest cells are
unmounted (kept as factories) beyond a few screens; a resumed session's older
turns stay as recorded events until scrolled to; and while the view follows a
stream, settled cells more than a screen above it are folded (ui/fold.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from textual.widgets import Static

from codex_tui.ui.cells import AnswerCell, Cell, Factory, ReasoningCell

if TYPE_CHECKING:
    from textual.containers import VerticalScroll

    from codex_tui.agent import events as ev
    from codex_tui.tools.plan import PlanStep
    from codex_tui.ui.fold import Fold

    class _Base(VerticalScroll):
        """What the mixin uses of the conversation view (for the type checker)."""

        hidden: list[Factory | EarlierEvents]
        earlier: EarlierCells
        last_answer: str
        _fold: Fold
        _detached: list[Cell] | None
        _plan: tuple[PlanStep, ...] | None
        _pending: dict[object, str]
        _removing: set[Cell]

        @property
        def following(self) -> bool: ...
        def cells(self) -> list[Cell]: ...
        def _forget(self, cell: Cell) -> None: ...
        def _live_cells(self) -> set[object]: ...
        def _draw_recorded(self, earlier: EarlierEvents) -> list[Cell]: ...
else:
    _Base = object

# Cells kept mounted: the newest, about KEEP_SCREENS screens of them (at least
# MIN_KEPT_LINES lines), never more than MAX_MOUNTED. Older ones are unmounted and
# rebuilt when scrolled to: this window, not the session's length, is what the
# conversation holds and restyles (and lays out, but for what is folded).
KEEP_SCREENS = 4
MIN_KEPT_LINES = 100
MAX_MOUNTED = 150
RESTORE_BATCH = 20
# A resumed or viewed session draws its last turns at once (enough to fill two
# screens, MIN_TAIL_TURNS to TAIL_TURNS of them); older ones wait as chunks of
# CHUNK_TURNS turns of recorded events, drawn when scrolled to.
MIN_TAIL_TURNS = 2
TAIL_TURNS = 8
CHUNK_TURNS = 5


def release_styles_caches() -> None:
    """Let removed widgets' rendered lines go. Textual memoises
    `StylesCache.get_inner_outer`, a method, with functools.lru_cache, so its key
    holds the StylesCache and every line it cached: up to 1,024 removed widgets'
    lines stay alive (Textualize/textual#6665). At 500 turns that was ~350,000
    objects, and a full garbage collection took 209 ms instead of 32."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:
        clear()


class EarlierEvents:
    """Recorded events of a few turns, not drawn yet (see hide_events)."""

    __slots__ = ("events", "plan")

    def __init__(self, events: list[ev.Event], plan: tuple[PlanStep, ...] | None) -> None:
        self.events = events
        self.plan = plan  # the session's plan when these turns began


class EarlierCells(Static):
    """The top row when older cells are unmounted; a click brings some back."""

    def on_click(self) -> None:
        conversation = self.parent
        if isinstance(conversation, CellWindow):
            conversation.show_earlier()


class CellWindow(_Base):
    """Mixin of ConversationView, listed first: trimming, restoring, folding."""

    def _trim(self) -> None:
        cells = self.cells()
        budget = max(MIN_KEPT_LINES, KEEP_SCREENS * self.size.height)
        kept = lines = 0
        for cell in reversed(cells):
            if kept >= MAX_MOUNTED or lines >= budget:
                break
            lines += cell.outer_size.height  # 0 until laid out: such cells are kept
            kept += 1
        extra = len(cells) - kept
        if extra <= 0:
            return
        for cell in cells[:extra]:
            if getattr(cell, "running", False) or (
                isinstance(cell, AnswerCell | ReasoningCell) and not cell.done
            ):
                break
            self.hidden.append(cell.rebuild())
            self._pending.pop(cell, None)
            self._fold.forget(cell)
            self._forget(cell)
            self._removing.add(cell)
            cell.remove()
        release_styles_caches()
        self._update_earlier()

    def show_earlier(self, count: int = RESTORE_BATCH) -> None:
        if not self.hidden:
            return
        self.unfold()
        cells: list[Cell] = []
        while self.hidden and len(cells) < count:
            entry = self.hidden.pop()
            if isinstance(entry, EarlierEvents):
                cells[:0] = self._draw_recorded(entry)
            else:
                cells.insert(0, cast(Cell, entry()))
        surplus = len(cells) - count
        if surplus > 0:  # a chunk drew more than asked: the oldest go back
            self.hidden += [cell.rebuild() for cell in cells[:surplus]]
            cells = cells[surplus:]
        first = next(iter(self.cells()), None)
        if first is not None:
            self.mount_all(cells, before=first)
            self.call_after_refresh(self.scroll_to_widget, first, top=True, animate=False)
        else:
            self.mount_all(cells)
        self._update_earlier()

    def hide_events(self, events: Sequence[ev.Event]) -> None:
        """Recorded events older than what is drawn: kept as chunks of CHUNK_TURNS
        turns, drawn when scrolled to, so a long session opens at once."""
        from codex_tui.agent import events as ev

        chunk: list[ev.Event] = []
        turns = 0
        plan_before = self._plan
        for event in events:
            if isinstance(event, ev.UserMessage):
                if turns == CHUNK_TURNS:
                    self.hidden.append(EarlierEvents(chunk, plan_before))
                    chunk, turns, plan_before = [], 0, self._plan
                turns += 1
            elif isinstance(event, ev.PlanUpdated):
                self._plan = event.plan
            elif isinstance(event, ev.AgentMessage):
                self.last_answer = event.text
            chunk.append(event)
        if chunk:
            self.hidden.append(EarlierEvents(chunk, plan_before))
        self._update_earlier()

    # -- folding (see ui/fold.py) ------------------------------------------------

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._fold.width:
            self.unfold()  # folded heights were measured at the old width

    def unfold(self) -> None:
        self._fold.open()

    def _fold_above(self) -> None:
        """Fold the settled cells that are more than a screen above the view."""
        fold = self._fold
        if self._detached is not None or not fold.settled:
            return
        cells = self.cells()
        folded = len(fold.cells)
        if any(a is not b for a, b in zip(cells, fold.cells, strict=False)):
            fold.open()  # not the first cells any more: start again
            folded = 0
        limit = self.scroll_y - self.size.height
        live = self._live_cells()
        more: list[Cell] = []
        for cell in cells[folded:]:
            region = cell.virtual_region
            if not region.height or region.bottom >= limit or cell in live:
                break
            more.append(cell)
        fold.add(more, self.scrollable_content_region.width)

    def _update_earlier(self) -> None:
        count = len(self.hidden)
        self.earlier.display = bool(count)
        if count:
            self.earlier.update("▲ earlier output — scroll up or click to show more")
