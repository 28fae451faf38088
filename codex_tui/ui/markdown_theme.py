"""The colours of markdown in the conversation, taken from the active Textual theme.

A theme file sets them as variables (`variables: {markdown-code-color: "#8a3b00"}`);
whatever it leaves out is derived from its colours (background, foreground, primary,
accent). Headings use Textual's own `markdown-h1-color` … `markdown-h6-text-style`,
which Textual derives from primary and foreground. Nothing here is drawn in ANSI
colours: those follow the terminal's palette, not the theme (pure black inline code
on the light theme came from there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from rich.style import Style
from textual.color import Color, ColorParseError

if TYPE_CHECKING:
    from rich.theme import Theme

__all__ = ["MARKDOWN_VARIABLES", "MarkdownColours", "contrast", "markdown_colours"]

# Ours, beside Textual's heading variables; a theme file may set any of them.
MARKDOWN_VARIABLES = (
    "markdown-code-color",  # inline code
    "markdown-code-background",
    "markdown-code-block-background",  # fenced code (its tokens: the theme's pygments_style)
    "markdown-link-color",
    "markdown-link-address-color",  # the "(https://…)" after a link's text
    "markdown-quote-color",
    "markdown-quote-border-color",
    "markdown-table-border-color",
    "markdown-table-header-color",
    "markdown-bullet-color",  # bullets and the numbers of ordered lists
)

# Textual's own fallbacks (textual.design), for a variables mapping without them.
_BACKGROUND, _FOREGROUND, _PRIMARY = "#121212", "#e0e0e0", "#0178D4"
_READABLE = 4.5  # WCAG AA for body text


@dataclass(frozen=True)
class MarkdownColours:
    """Rich styles for rich's markdown style names (`markdown.code`, `markdown.h1`…),
    plus two of ours: `markdown.code_block.wrap` (the mark on a wrapped code line's
    continuation) and `markdown.link_address`."""

    styles: Mapping[str, Style]

    @cached_property
    def theme(self) -> Theme:
        """The styles as a rich Theme, to push on the console while rendering."""
        from rich.theme import Theme

        return Theme(dict(self.styles), inherit=True)


_last: tuple[Mapping[str, str], MarkdownColours] | None = None


def markdown_colours(variables: Mapping[str, str]) -> MarkdownColours:
    """The markdown colours of a theme's CSS variables (`App.theme_variables`).

    Textual builds a new variables dict whenever the CSS is refreshed (a theme
    switch), so the answer for the last dict is kept: every markdown view on the
    screen asks after a switch, and only the first computes."""
    global _last
    if _last is not None and _last[0] is variables:
        return _last[1]
    colours = MarkdownColours(_styles(variables))
    _last = (variables, colours)
    return colours


def _styles(variables: Mapping[str, str]) -> dict[str, Style]:
    background = _parse(variables.get("background", ""), None) or Color.parse(_BACKGROUND)
    foreground = _parse(variables.get("foreground", ""), background) or Color.parse(_FOREGROUND)
    primary = _parse(variables.get("primary", ""), background) or Color.parse(_PRIMARY)
    accent = _parse(variables.get("accent", ""), background) or primary

    def colour(name: str, default: Color) -> Color:
        return _parse(variables.get(name, ""), background) or default

    def faint(share: float) -> Color:
        """The foreground, `share` of the way from the background."""
        return background.blend(foreground, share)

    code_background = colour("markdown-code-background", faint(0.10))
    readable_accent = contrast(accent, code_background) >= _READABLE
    code = colour("markdown-code-color", accent if readable_accent else foreground)
    block_background = colour("markdown-code-block-background", faint(0.05))
    link = colour("markdown-link-color", primary)
    muted = faint(0.7)
    styles = {
        "markdown.code": Style(color=code.rich_color, bgcolor=code_background.rich_color),
        "markdown.kbd": Style(color=code.rich_color, bgcolor=code_background.rich_color, bold=True),
        "markdown.code_block": Style(
            color=foreground.rich_color, bgcolor=block_background.rich_color
        ),
        "markdown.code_block.wrap": Style(
            color=faint(0.45).rich_color, bgcolor=block_background.rich_color
        ),
        "markdown.link": Style(color=link.rich_color, underline=True),
        # rich gives a link's text this style when it makes it a hyperlink.
        "markdown.link_url": Style(color=link.rich_color, underline=True),
        "markdown.link_address": Style(
            color=colour("markdown-link-address-color", muted).rich_color, underline=False
        ),
        "markdown.block_quote": Style(
            color=colour("markdown-quote-color", faint(0.75)).rich_color, italic=True
        ),
        "markdown.block_quote.border": Style(
            color=colour("markdown-quote-border-color", primary).rich_color
        ),
        "markdown.table.border": Style(
            color=colour("markdown-table-border-color", faint(0.35)).rich_color
        ),
        "markdown.table.header": Style(
            color=colour("markdown-table-header-color", primary).rich_color, bold=True
        ),
        "markdown.item.bullet": Style(
            color=colour("markdown-bullet-color", primary).rich_color, bold=True
        ),
        "markdown.item.number": Style(color=colour("markdown-bullet-color", primary).rich_color),
        "markdown.hr": Style(color=faint(0.35).rich_color),
    }
    for level in range(1, 7):
        styles[f"markdown.h{level}"] = _heading(variables, level, background, primary)
    styles["markdown.h7"] = styles["markdown.h6"]
    return styles


def _heading(variables: Mapping[str, str], level: int, background: Color, default: Color) -> Style:
    prefix = f"markdown-h{level}"
    colour = _parse(variables.get(f"{prefix}-color", ""), background) or default
    fill = _parse(variables.get(f"{prefix}-background", ""), background, keep_clear=True)
    try:
        text_style = Style.parse(variables.get(f"{prefix}-text-style", "bold"))
    except Exception:  # rich's StyleSyntaxError; Textual allows words rich lacks
        text_style = Style(bold=True)
    bgcolor = fill.rich_color if fill is not None else None
    return Style(color=colour.rich_color, bgcolor=bgcolor) + text_style


def _parse(value: str, background: Color | None, keep_clear: bool = False) -> Color | None:
    """A Textual colour value ("#58a6ff", "#58a6ff 35%", "auto 85%", "ansi_blue"), laid
    over `background` when it is translucent; None when it is empty, not a colour,
    or fully transparent and `keep_clear`."""
    words = value.split()
    if not words or len(words) > 2:
        return None
    try:
        if words[0] == "auto":
            if background is None:
                return None
            colour = background.get_contrast_text(1.0)
        else:
            colour = Color.parse(words[0])
        if len(words) == 2:
            if not words[1].endswith("%"):
                return None
            colour = colour.multiply_alpha(float(words[1][:-1]) / 100)
    except (ColorParseError, ValueError):
        return None
    if colour.ansi is not None:
        return colour
    if keep_clear and colour.a == 0:
        return None
    if colour.a < 1 and background is not None:
        return background + colour
    return colour


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two opaque colours (1 to 21); 21 when either is an
    ANSI colour, which the terminal's palette decides."""
    if a.ansi is not None or b.ansi is not None:
        return 21.0

    def luminance(colour: Color) -> float:
        channels = [c / 255 for c in colour.rgb]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
