"""Markdown for the conversation: rendered once per width into selectable text,
and a streaming answer that only re-renders the block being written."""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.selection import Selection
from textual.widget import Widget

# A settled segment grows until it holds this much markdown, then a new one starts;
# re-rendering a segment stays cheap and long answers stay a few dozen widgets.
SEGMENT_CHARS = 4_000

DEFAULT_CODE_THEME = "monokai"


def to_text(renderable: RenderableType, console: Console, width: int) -> Text:
    """Render `renderable` at `width` into one styled Text (selectable in Textual)."""
    options = console.options.update(width=max(width, 1), highlight=False)
    lines = console.render_lines(renderable, options, pad=False)
    text = Text(end="", no_wrap=True, overflow="ignore")
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        # Trailing unstyled padding would otherwise end up in copied text.
        while (
            line and not line[-1].text.strip() and not (line[-1].style and line[-1].style.bgcolor)
        ):
            line = line[:-1]
        for segment in line:
            if not segment.control:
                text.append(segment.text, segment.style)
    return text


class MarkdownBlock(Widget):
    """Markdown rendered by rich at the widget's width into selectable text.

    The source is a list of chunks (each a run of complete markdown blocks), each
    rendered on its own and cached per width: appending a chunk renders only that
    chunk, so a growing segment of a streamed answer stays cheap."""

    DEFAULT_CSS = """
    MarkdownBlock { height: auto; }
    """

    def __init__(self, source: str = "", code_theme: str = DEFAULT_CODE_THEME, **kwargs) -> None:
        super().__init__(**kwargs)
        self.chunks: list[str] = [source] if source else []
        self.code_theme = code_theme
        self._texts: dict[int, list[Text]] = {}  # width -> rendered chunks
        self._joined: tuple[int, int, Text, int] | None = None  # (width, chunks, text, lines)

    @property
    def source(self) -> str:
        return "\n\n".join(self.chunks)

    @property
    def size_chars(self) -> int:
        return sum(len(c) for c in self.chunks)

    def set_source(self, source: str) -> None:
        if self.chunks != ([source] if source else []):
            self.chunks = [source] if source else []
            self._invalidate()

    def add_chunk(self, chunk: str) -> None:
        self.chunks.append(chunk)
        self._joined = None
        self.refresh(layout=True)

    def set_code_theme(self, theme: str) -> None:
        if theme != self.code_theme:
            self.code_theme = theme
            self._invalidate()

    def _invalidate(self) -> None:
        self._texts.clear()
        self._joined = None
        self.refresh(layout=True)

    def rendered(self, width: int) -> Text:
        joined = self._joined
        if joined and joined[0] == width and joined[1] == len(self.chunks):
            return joined[2]
        texts = self._texts.setdefault(width, [])
        if len(self._texts) > 2:  # keep the current width and one other
            for other in [w for w in self._texts if w != width][:-1]:
                del self._texts[other]
        from rich.markdown import Markdown  # ~20 ms: not before the first frame

        console = self.app.console
        for chunk in self.chunks[len(texts) :]:
            markdown = Markdown(chunk, code_theme=self.code_theme, inline_code_theme=None)
            texts.append(to_text(markdown, console, width))
        text = Text("\n\n", end="", no_wrap=True, overflow="ignore").join(texts)
        self._joined = (width, len(self.chunks), text, text.plain.count("\n") + 1)
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.chunks:
            return 0
        self.rendered(width)
        assert self._joined is not None
        return self._joined[3]

    def render(self) -> RenderResult:
        return self.rendered(self.content_size.width or self.size.width or 80)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """Selected text without the padding rich adds to fill the width."""
        picked = super().get_selection(selection)
        if picked is None:
            return None
        text, ending = picked
        return "\n".join(line.rstrip() for line in text.split("\n")), ending


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


class StreamingMarkdown(Widget):
    """A markdown answer being streamed: settled segments plus one live tail.

    Only the tail is re-rendered as text arrives; once a block is complete it
    moves into a settled segment that is rendered once (per width)."""

    DEFAULT_CSS = """
    StreamingMarkdown { height: auto; layout: vertical; }
    """

    def __init__(self, code_theme: str = DEFAULT_CODE_THEME, **kwargs) -> None:
        super().__init__(**kwargs)
        self.code_theme = code_theme
        self.text = ""
        self._settled = 0
        self._segments: list[MarkdownBlock] = []
        self._tail = MarkdownBlock(code_theme=code_theme, classes="tail")
        self._early: list[MarkdownBlock] = []  # settled before the widget was mounted

    def compose(self):
        yield self._tail

    def append(self, fragment: str) -> None:
        """Add streamed text; call at most once per frame (deltas are coalesced)."""
        if fragment:
            self._advance(self.text + fragment)

    def set_text(self, text: str) -> None:
        if not text.startswith(self.text[: self._settled]):
            self._reset()
        self._advance(text)

    def _advance(self, text: str) -> None:
        self.text = text
        point = settle_point(text, self._settled)
        if point > self._settled:
            self._settle(text[self._settled : point])
            self._settled = point
        self._tail.set_source(text[self._settled :].strip("\n"))

    def finish(self, text: str | None = None) -> None:
        """The answer is complete: everything becomes settled."""
        if text is not None and text != self.text:
            self.set_text(text)
        rest = self.text[self._settled :]
        if rest.strip():
            self._settle(rest)
        self._settled = len(self.text)
        self._tail.set_source("")

    def set_code_theme(self, theme: str) -> None:
        self.code_theme = theme
        for block in [*self._segments, self._tail]:
            block.set_code_theme(theme)

    def _settle(self, chunk: str) -> None:
        last = self._segments[-1] if self._segments else None
        if last is not None and last.size_chars < SEGMENT_CHARS:
            last.add_chunk(chunk.strip("\n"))
            return
        block = MarkdownBlock(chunk.strip("\n"), code_theme=self.code_theme)
        self._segments.append(block)
        if self.is_mounted:
            self.mount(block, before=self._tail)
        else:
            self._early.append(block)

    def _reset(self) -> None:
        for block in self._segments:
            block.remove()
        self._segments.clear()
        self._settled = 0
        self.text = ""

    def on_mount(self) -> None:
        if self._early:
            self.mount_all(self._early, before=self._tail)
            self._early = []
