"""Markdown for the conversation, drawn through Textual's line API.

A `MarkdownView` keeps the markdown it shows as settled chunks (runs of complete
blocks, each rendered once per width into cached lines) and a live tail (the
block being written, rendered again as it grows). A streamed answer therefore
costs one render of its newest block per frame, however long it gets, and a
whole answer is one widget."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from codex_tui.ui.highlight import lexers_deferred
from codex_tui.ui.lexer_loader import want_lexers
from codex_tui.ui.one_layout import OneLayout

if TYPE_CHECKING:
    from codex_tui.ui.markdown_theme import MarkdownColours


DEFAULT_CODE_THEME = "monokai"
MAX_STRIPS = 1_000  # drawn strips a view keeps (about 20 screens of rows)


def _trimmed_lines(renderable: RenderableType, console: Console, width: int):
    """Rendered lines of segments, without control codes or trailing unstyled
    padding (which would otherwise end up in copied text)."""
    options = console.options.update(width=max(width, 1), highlight=False)
    for line in console.render_lines(renderable, options, pad=False):
        while (
            line and not line[-1].text.strip() and not (line[-1].style and line[-1].style.bgcolor)
        ):
            line = line[:-1]
        yield [segment for segment in line if not segment.control]


def to_text(renderable: RenderableType, console: Console, width: int) -> Text:
    """Render `renderable` at `width` into one styled Text (selectable in Textual)."""
    text = Text(end="", no_wrap=True, overflow="ignore")
    for index, line in enumerate(_trimmed_lines(renderable, console, width)):
        if index:
            text.append("\n")
        for segment in line:
            text.append(segment.text, segment.style)
    return text


@lru_cache(maxsize=1)
def _markdown_class() -> type:
    """The conversation's Markdown (`markdown_elements`), imported on first use: ~20 ms,
    not before the first frame."""
    from codex_tui.ui.markdown_elements import ConversationMarkdown

    return ConversationMarkdown


def to_lines(
    source: str,
    console: Console,
    width: int,
    code_theme: str,
    colours: MarkdownColours | None = None,
) -> tuple[list[list[Segment]], list[str]]:
    """Markdown rendered at `width` in `colours` (rich's default styles without them):
    each line's segments, and its plain text.

    Empty lines at either end are dropped (rich starts a list with one when it is
    rendered alone), so chunks joined by one empty line look like the whole text
    rendered at once."""
    markdown = _markdown_class()(source, code_theme)
    if colours is None:
        lines = list(_trimmed_lines(markdown, console, width))
    else:
        with console.use_theme(colours.theme):
            lines = list(_trimmed_lines(markdown, console, width))
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    lines = lines[start:end]
    return lines, ["".join(segment.text for segment in line) for line in lines]


WARM_UP_SAMPLE = """# Heading

A paragraph with `code`, **bold** text and a [link](https://example.com).

- an item
  1. a numbered one

> a quote

```python
def answer(question: str) -> int:
    return 42
```
"""


def warm_up_rendering(code_theme: str) -> None:
    """Render a small sample off screen, on a worker thread: the first answer of a
    session would otherwise import markdown-it, rich's markdown and pygments (and
    load a lexer and a style) on the event loop, ~50-100 ms while keys wait."""
    console = Console(width=80, color_system="truecolor", file=io.StringIO())
    to_lines(WARM_UP_SAMPLE, console, 80, code_theme)


def settle_point(text: str, start: int) -> int:
    """The end of the last complete block in text[start:], or `start` when none is.

    A block ends at a blank line outside a fenced code block; `start` is always
    outside a fence because it was itself a settle point."""
    in_fence = False
    fence = ""
    point = start
    pos = start
    length = len(text)
    while pos < length:
        end = text.find("\n", pos)
        if end < 0:
            break  # the last line is still being written
        line = text[pos:end]
        stripped = line.lstrip()
        if in_fence:
            if stripped.startswith(fence) and not stripped[len(fence) :].strip():
                in_fence = False
        elif stripped.startswith(("```", "~~~")):
            marker = stripped[0]
            fence = stripped[: len(stripped) - len(stripped.lstrip(marker))]
            in_fence = True
        elif not stripped and pos > start:
            point = end + 1
        pos = end + 1
    return point


class MarkdownView(OneLayout, Widget):
    """Markdown as settled chunks plus a live tail, drawn line by line.

    Feed it with `append` (streaming: call at most once per frame, deltas are
    coalesced upstream), `set_text`, and `finish`; or give the whole source to
    the constructor. Settled chunks are rendered once per width; only the tail is
    rendered again when text arrives. Text can be selected with the mouse.

    Colours come from the app's theme (`markdown_theme`) and follow a switch: the
    lines are drawn again when next shown (a line's height never depends on its
    colours, so a long conversation is not rendered whole to lay it out)."""

    DEFAULT_CSS = """
    MarkdownView { height: auto; }
    """

    def __init__(self, source: str = "", code_theme: str = DEFAULT_CODE_THEME, **kwargs) -> None:
        super().__init__(**kwargs)
        self.code_theme = code_theme
        self.text = ""
        self._settled = 0  # text[:_settled] is in `chunks`
        self.chunks: list[str] = []
        self.tail = ""
        # Rendered at `_width`: the settled chunks' lines (a blank line between two
        # chunks), how many chunks they hold, and the tail's lines. Lines are kept as
        # segments, not Strips: a Strip carries seven caches, and a long session
        # holds tens of thousands of lines (Textual caches the drawn ones itself).
        self._width = 0
        self._lines: list[list[Segment]] = []
        self._plain: list[str] = []
        self._rendered_chunks = 0
        self._tail_lines: list[list[Segment]] | None = None
        self._tail_plain: list[str] = []
        self._base_style: Style | None = None
        # Drawn strips of settled lines, by row: they never change until the width,
        # the colours or the base style do, and a streamed answer's growth makes
        # Textual ask for every visible row again (MAX_STRIPS bounds it).
        self._strips: dict[int, Strip] = {}
        self._variables: object = None  # the app's theme variables the colours are from
        self._colours: MarkdownColours | None = None
        self._restyle = False  # the lines have old colours: render again before drawing
        # Settled chunks drawn with plain code while their lexers are made: index →
        # (first line, line count); and whether the tail was.
        self._uncoloured: dict[int, tuple[int, int]] = {}
        self._tail_uncoloured = False
        if source:
            self.set_text(source)
            self.finish()

    @property
    def source(self) -> str:
        return self.text

    # -- feeding ---------------------------------------------------------------

    def append(self, fragment: str) -> None:
        """Add streamed text."""
        if fragment:
            self._advance(self.text + fragment)

    def set_text(self, text: str) -> None:
        """Show `text`; when it extends what is shown, only the new part is rendered."""
        if not text.startswith(self.text[: self._settled]):
            self._reset()
        self._advance(text)

    def finish(self, text: str | None = None) -> None:
        """The markdown is complete: everything becomes settled."""
        if text is not None and text != self.text:
            self.set_text(text)
        self._settle(len(self.text))
        self.tail = ""
        self._tail_lines = None
        self._changed(layout=True)

    def set_code_theme(self, theme: str) -> None:
        if theme != self.code_theme:
            self.code_theme = theme
            self._restyle = True
            self.refresh()

    def _advance(self, text: str) -> None:
        self.text = text
        point = settle_point(text, self._settled)
        settled = point > self._settled
        if settled:
            self._settle(point)
        tail = text[self._settled :].strip("\n")
        if tail != self.tail or settled:
            self.tail = tail
            self._tail_lines = None
            self._changed(layout=settled)

    def _settle(self, point: int) -> None:
        """text[:point] is complete: what of it was not settled yet becomes a chunk."""
        chunk = self.text[self._settled : point].strip("\n")
        if chunk.strip():
            self.chunks.append(chunk)
        self._settled = point

    def _reset(self) -> None:
        self.text = ""
        self._settled = 0
        self.chunks = []
        self.tail = ""
        self._forget_rendering()

    # -- rendering -------------------------------------------------------------

    def _forget_rendering(self) -> None:
        self._strips.clear()
        self._width = 0
        self._lines, self._plain = [], []
        self._rendered_chunks = 0
        self._tail_lines = None
        self._restyle = False
        self._uncoloured.clear()

    def _follow_theme(self) -> bool:
        """Take the colours of the app's current theme; True when they changed."""
        variables = self.app.theme_variables
        if variables is self._variables:
            return False
        self._variables = variables
        from codex_tui.ui.markdown_theme import markdown_colours  # not before the first frame

        colours = markdown_colours(variables)
        if colours == self._colours:
            return False
        self._colours = colours
        self._restyle = True
        return True

    def _same_shape(self, width: int) -> bool:
        """Whether every line is rendered at `width`, whatever its colours."""
        return (
            width == self._width
            and self._rendered_chunks == len(self.chunks)
            and self._tail_lines is not None
        )

    def _changed(self, layout: bool) -> None:
        """Refresh after new text: only lines from the old tail down are drawn again
        (the settled lines above it cannot have changed); a new height means layout."""
        if not self.is_mounted or not self._width:
            self.refresh(layout=True)
            return
        before = self._height()
        tail_top = len(self._lines) + (1 if self._lines else 0)
        self._render_lines(self._width)
        after = self._height()
        changed = Region(0, tail_top, self._width, max(before, after) - tail_top)
        self.refresh(changed, layout=layout or after != before)

    def _render_lines(self, width: int) -> None:
        """Bring the cached lines up to date for `width` and the theme."""
        self._follow_theme()
        if width != self._width or self._restyle:
            self._forget_rendering()
            self._width = width
        waiting: set[str] = set()
        for index in range(self._rendered_chunks, len(self.chunks)):
            with lexers_deferred() as missing:
                lines, plain = self._to_lines(self.chunks[index], width)
            if self._lines:
                self._lines.append([])
                self._plain.append("")
            if missing:  # drawn again alone once the lexers are made
                self._uncoloured[index] = (len(self._lines), len(lines))
                waiting |= missing
            self._lines.extend(lines)
            self._plain.extend(plain)
        self._rendered_chunks = len(self.chunks)
        if self._tail_lines is None:
            with lexers_deferred() as missing:
                self._tail_lines, self._tail_plain = (
                    self._to_lines(self.tail, width) if self.tail else ([], [])
                )
            self._tail_uncoloured = bool(missing)
            waiting |= missing
        if waiting:
            want_lexers(self.app, self, waiting)

    def _to_lines(self, source: str, width: int) -> tuple[list[list[Segment]], list[str]]:
        return to_lines(source, self.app.console, width, self.code_theme, self._colours)

    def lexers_made(self) -> None:
        """Code drawn plain has its lexers now: the chunks that held it are drawn
        again, alone (a streamed answer of 200 kB is not drawn whole again for a
        new language), in place: highlighting changes no row's height."""
        if not self.is_attached:  # drawn again whole if it is shown again
            self._restyle = True
            return
        uncoloured, self._uncoloured = self._uncoloured, {}
        waiting: set[str] = set()
        for index, (first, count) in uncoloured.items():
            with lexers_deferred() as missing:
                lines, plain = self._to_lines(self.chunks[index], self._width)
            if len(lines) != count:  # cannot happen; if it does, draw everything again
                self._restyle = True
                break
            self._lines[first : first + count] = lines
            self._plain[first : first + count] = plain
            for row in range(first, first + count):
                self._strips.pop(row, None)
            if missing:
                self._uncoloured[index] = (first, count)
                waiting |= missing
        if self._tail_uncoloured:
            self._tail_lines = None  # drawn again when next shown
        if waiting:
            want_lexers(self.app, self, waiting)
        self.refresh()

    def _height(self) -> int:
        settled = len(self._lines)
        tail = len(self._tail_lines or ())
        return settled + tail + (1 if settled and tail else 0)

    def _line(self, y: int) -> tuple[list[Segment], str]:
        settled = len(self._lines)
        if y < settled:
            return self._lines[y], self._plain[y]
        y -= settled + (1 if settled else 0)
        if 0 <= y < len(self._tail_plain):
            assert self._tail_lines is not None
            return self._tail_lines[y], self._tail_plain[y]
        return [], ""

    def _render_current(self) -> None:
        """Lines up to date at the width of the last layout (or the widget's)."""
        self._render_lines(self._width or self.content_size.width or 80)

    def lines(self) -> list[str]:
        """The plain text of every line, as drawn at the current width."""
        self._render_current()
        settled = list(self._plain)
        if settled and self._tail_plain:
            settled.append("")
        return settled + self._tail_plain

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """For `width: auto`: the widest line as drawn in the space there is."""
        if not self.text.strip():
            return 0
        self._render_lines(container.width)
        return max((cell_len(line.rstrip()) for line in self.lines()), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.text.strip():
            return 0
        self._follow_theme()
        if not (self._restyle and self._same_shape(width)):
            self._render_lines(width)  # new colours alone wait until the lines are drawn
        return self._height()

    def notify_style_update(self) -> None:
        self._base_style = None
        self._strips.clear()
        super().notify_style_update()
        if self.is_attached and self._follow_theme():
            self.refresh()

    def render_line(self, y: int) -> Strip:
        self._render_current()
        selection = self.text_selection
        span = None if selection is None else selection.get_span(y)
        if span is None and (cached := self._strips.get(y)) is not None:
            return cached
        segments, plain = self._line(y)
        if self._base_style is None:  # `rich_style` walks every ancestor's styles
            self._base_style = self.rich_style
        strip = Strip(Segment.apply_style(segments, self._base_style), cell_len(plain))
        if span is None:
            strip = strip.apply_offsets(0, y)
            if y < len(self._lines):  # settled: the same until rendered again
                if len(self._strips) >= MAX_STRIPS:
                    self._strips.clear()
                self._strips[y] = strip
            return strip
        start, end = span
        if end == -1:
            end = len(plain)
        cuts = [cell_len(plain[:start]), cell_len(plain[:end]), strip.cell_length]
        before, picked, after = strip.divide(cuts)
        style = self.screen.get_component_rich_style("screen--selection")
        picked = Strip(Segment.apply_style(list(picked), post_style=style), picked.cell_length)
        return Strip.join([before, picked, after]).apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """Selected text without the padding rich adds to fill the width."""
        text = selection.extract("\n".join(self.lines()))
        return "\n".join(line.rstrip() for line in text.split("\n")), "\n"
