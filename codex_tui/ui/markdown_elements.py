"""rich's Markdown as the conversation draws it: headings on the left, ordered lists
with their dots, a quote's bar in its own colour, links followed by their address,
and code blocks in the theme's colours whose long lines wrap under their own
indent. Colours are looked up by rich's style names (see `markdown_theme`).

Imported on first use (rich.markdown and markdown-it cost ~20 ms), never before
the first frame."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich._wrap import divide_line  # rich's own word wrap, cell-aware
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import BlockQuote, CodeBlock, Heading, ListItem, Markdown
from rich.segment import Segment
from rich.text import Text

from codex_tui.ui.highlight import (
    TAB_SIZE,
    known_language,
    lexer_for_drawing,
    token_styler,
    tokenize_lines,
)

__all__ = ["ConversationMarkdown", "code_rows"]

CODE_PADDING = 1  # cells left and right of the code, and a row above and below
WRAP_MARK = "↪ "


class LeftHeading(Heading):
    """Every heading on the left: rich centres h1, which reads as a title page."""

    LEVEL_ALIGN: ClassVar = dict.fromkeys(Heading.LEVEL_ALIGN, "left")


class NumberedItem(ListItem):
    """An ordered list's numbers keep their dots ("1." not rich's "1"), lined up with
    the bullets of other lists (a space before them)."""

    def render_number(
        self, console: Console, options: ConsoleOptions, number: int, last_number: int
    ) -> RenderResult:
        # rich passes one past the last number.
        digits = len(str(max(last_number - 1, number)))
        width = digits + 3
        lines = console.render_lines(
            self.elements, options.update(width=options.max_width - width), style=self.style
        )
        style = console.get_style("markdown.item.number", default="none")
        numeral = Segment(" " + f"{number}.".rjust(digits + 1) + " ", style)
        padding = Segment(" " * width, style)
        for index, line in enumerate(lines):
            yield numeral if index == 0 else padding
            yield from line
            yield Segment.line()


class BarredQuote(BlockQuote):
    """A block quote whose bar has its own colour (`markdown.block_quote.border`)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(
            self.elements, options.update(width=options.max_width - 2), style=self.style
        )
        bar = Segment("▌ ", console.get_style("markdown.block_quote.border", default=self.style))
        for line in lines:
            yield bar
            yield from line
            yield Segment.line()


class ThemedCode(CodeBlock):
    """A fenced or indented code block on the theme's code background. Fences in
    languages pygments lacks are plain text (see `known_language`)."""

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        if not known_language(block.lexer_name):
            block.lexer_name = "text"
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        yield from code_rows(code, self.lexer_name, self.theme, console, options.max_width)


def code_rows(
    code: str, language: str, pygments_style: str, console: Console, width: int
) -> Iterator[Segment]:
    """`code` highlighted with `pygments_style`, `width` cells wide, a blank row above
    and below. A line too long for the width wraps between words; its continuation
    rows start under the line's own indent, after a `↪` mark (from the left edge
    when the indent would leave less than half the width)."""
    base = console.get_style("markdown.code_block", default="none")
    mark = base + console.get_style("markdown.code_block.wrap", default="dim")
    inner = max(width - 2 * CODE_PADDING, 1)
    pad = Segment(" " * CODE_PADDING, base)
    lines = code.expandtabs(TAB_SIZE).split("\n")
    lexer = lexer_for_drawing(language)
    tokens = tokenize_lines(lexer, lines) if lexer is not None else [[(x, None)] for x in lines]
    styler = token_styler(pygments_style)
    blank = Segment(" " * width, base)
    yield blank
    yield Segment.line()
    for line_tokens in tokens:
        text = Text(style=base, end="")
        for value, token_type in line_tokens:
            text.append(value, styler(token_type))
        for lead, piece in _wrapped(text, inner):
            yield pad
            if lead:
                yield Segment(" " * (lead - len(WRAP_MARK)), base)
                yield Segment(WRAP_MARK, mark)
            yield from piece.render(console, end="")
            fill = inner - lead - piece.cell_len
            if fill > 0:
                yield Segment(" " * fill, base)
            yield pad
            yield Segment.line()
    yield blank
    yield Segment.line()


def _wrapped(text: Text, width: int) -> Iterable[tuple[int, Text]]:
    """Rows of (cells before the text, text) for one code line at `width` cells."""
    plain = text.plain
    if cell_len(plain) <= width:
        return [(0, text)]
    indent = len(plain) - len(plain.lstrip(" "))
    lead = indent + len(WRAP_MARK)
    if lead > width // 2:
        lead = len(WRAP_MARK) if width > 2 * len(WRAP_MARK) else 0
    cuts = divide_line(plain, width)
    first = cuts[0] if cuts else len(plain)
    rest = [first + cut for cut in divide_line(plain[first:], width - lead)]
    pieces = text.divide([first, *rest])
    rows = [(0 if index == 0 else lead, piece) for index, piece in enumerate(pieces)]
    # Spaces where a row was cut may hang past the width; they are not drawn.
    for row_lead, piece in rows:
        piece.rstrip_end(width - row_lead)
    return [(row_lead, piece) for row_lead, piece in rows if piece.plain or row_lead == 0]


class ConversationMarkdown(Markdown):
    """rich's Markdown with the elements above; a link's address follows its text,
    as `text (https://…)`, unless the text is the address."""

    elements: ClassVar = {
        **Markdown.elements,
        "fence": ThemedCode,
        "code_block": ThemedCode,
        "heading_open": LeftHeading,
        "list_item_open": NumberedItem,
        "blockquote_open": BarredQuote,
    }
    inlines = Markdown.inlines | {"link_address"}

    def __init__(self, markup: str, code_theme: str) -> None:
        # rich's own __init__ builds a new markdown-it parser (and its link finder)
        # for every text, ~40 % of rendering a streamed answer's tail; the parser
        # keeps no state between texts, so one serves them all. These are the
        # attributes rich's __init__ sets.
        self.markup = markup
        self.parsed = _parser().parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = True
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme
        for token in self.parsed:
            if token.type == "inline" and token.children:
                token.children = list(_with_addresses(token.children))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """The markdown-it parser rich's Markdown would build, made once."""
    return MarkdownIt().enable("strikethrough").enable("table")


def _with_addresses(children: list[Token]) -> Iterator[Token]:
    """The inline tokens with `link_address` tokens (styled `markdown.link_address`)
    just inside each link's end, so the address is part of the hyperlink."""
    open_links: list[tuple[Token, list[str]]] = []
    for child in children:
        if child.type == "link_open":
            open_links.append((child, []))
        elif child.type in ("text", "code_inline") and open_links:
            open_links[-1][1].append(child.content)
        elif child.type == "link_close" and open_links:
            link, words = open_links.pop()
            href = str(link.attrs.get("href", ""))
            shown = "".join(words).strip()
            if href and link.markup != "autolink" and href not in (shown, f"mailto:{shown}"):
                yield Token("link_address_open", "link_address", 1)
                yield Token("text", "", 0, content=f" ({href})")
                yield Token("link_address_close", "link_address", -1)
        yield child
