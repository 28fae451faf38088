"""Cells far above a followed stream, folded behind one blank of their height.

Textual lays out every displayed widget of the conversation at each layout (its
compositor walks them all, on screen or not), and while an answer streams the
view follows it, so every growth moves every cell: the frames of a long session
cost more than those of a new one. Settled cells more than a screen above the
view are hidden (`display: none` is skipped by layout) behind a spacer exactly as
tall as they were, margins included, so the scroll range, the scrollbar and the
bottom stay where they were. They are shown again before the difference could
be seen: when the person scrolls away from the bottom, the view's width changes
(heights follow it), earlier cells are restored, or a cell goes next to a folded
one or is removed from among them.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widget import Widget


class FoldSpacer(Widget):
    """Blank rows standing in for the folded cells."""

    DEFAULT_CSS = "FoldSpacer { width: 1fr; height: 0; }"

    def render(self) -> str:
        return ""


class Fold:
    """The folded cells (the first cells of the view, oldest first) and the
    spacer shown in their place."""

    def __init__(self) -> None:
        self.spacer = FoldSpacer()
        self.spacer.display = False
        self.cells: list[Widget] = []
        self._members: set[Widget] = set()
        # Each folded cell's top and bottom row, counted from the spacer's top
        # (margins between cells included, as the layout placed them).
        self._spans: list[tuple[int, int]] = []
        self.width = 0  # the view's width for content when they were folded

    def __contains__(self, cell: object) -> bool:
        return cell in self._members

    def add(self, cells: Sequence[Widget], width: int) -> None:
        """Fold `cells`, which follow the folded ones and were placed by the last
        layout (`width` wide), as was the spacer when cells are folded already
        (see `settled`)."""
        if not cells:
            return
        self.width = width
        top = self.spacer.virtual_region.y if self.cells else cells[0].virtual_region.y
        for cell in cells:
            region = cell.virtual_region
            self._spans.append((region.y - top, region.bottom - top))
            cell.display = False
        self.cells += cells
        self._members.update(cells)
        self._fit()

    @property
    def settled(self) -> bool:
        """The spacer was laid out since it last changed: its place in the last
        layout is where the folded cells were."""
        return not self.cells or self.spacer.virtual_region.height == self._spans[-1][1]

    def forget(self, cell: Widget) -> None:
        """`cell`, the oldest folded cell, is being trimmed: the spacer shrinks by
        its rows (any other folded cell is removed only after `open`)."""
        if cell not in self._members:
            return
        at = self.cells.index(cell)
        self._members.discard(cell)
        del self.cells[at]
        del self._spans[at]
        if at == 0 and self._spans:
            base = self._spans[0][0]
            self._spans = [(top - base, bottom - base) for top, bottom in self._spans]
        self._fit()

    def open(self) -> None:
        """Show every folded cell again, where the spacer was."""
        if not self.cells:
            return
        for cell in self.cells:
            cell.display = True
        self.cells = []
        self._members.clear()
        self._spans = []
        self._fit()

    def _fit(self) -> None:
        spacer = self.spacer
        if not self.cells:
            spacer.display = False
            return
        first, last = self.cells[0].styles.margin, self.cells[-1].styles.margin
        spacer.styles.margin = (first.top, 0, last.bottom, 0)
        spacer.styles.height = self._spans[-1][1]
        spacer.display = True
