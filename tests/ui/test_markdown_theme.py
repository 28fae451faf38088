"""Markdown in answers takes every colour from the theme (a theme file's variables, or
what its colours give) and follows a live switch; headings on the left and never
red, code that wraps under its indent, links with their address, numbered lists
with their dots."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.style import Style
from textual.app import App, ComposeResult

from codex_tui.ui.markdown import MarkdownView
from codex_tui.ui.themes import load_themes, register_all
from tests.ui.conftest import wait_for
from tests.ui.test_markdown import count_renders
from tests.ui.test_themes import contrast

BUNDLED = ("dark", "light", "high-contrast", "ember")

SAMPLE = """\
# Adding the option

Run `greet --shout` to see it, or read the [argparse docs](https://docs.python.org/3/library/argparse.html).

> Quoted words.

| option | effect |
|---|---|
| `--shout` | louder |

1. first
2. second

```python
pass
```
"""


def hex_of(colour: RichColor | None) -> str | None:
    return None if colour is None else colour.get_truecolor().hex


def style_of(lines, needle: str) -> Style:
    """The style of the first segment holding `needle`."""
    for line in lines:
        for segment in line:
            if needle in segment.text:
                return segment.style or Style()
    raise AssertionError(f"{needle!r} is not drawn")


class Host(App[None]):
    """A MarkdownView under our themes (bundled and the user's), as the conversation
    holds one."""

    def __init__(self, source: str, theme: str, width: int = 60) -> None:
        super().__init__()
        self.view = MarkdownView(source)
        self.view.styles.width = width
        self.themes = register_all(self)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield self.view


def drawn(view: MarkdownView) -> list[list]:
    """The lines as the widget draws them (segments with their final styles)."""
    return [list(view.render_line(y)) for y in range(view.size.height)]


async def show(source: str, theme: str = "light", width: int = 60) -> tuple[list, list[str]]:
    """What a MarkdownView `width` cells wide draws under `theme`: styled segments and
    plain text, line by line."""
    app = Host(source, theme, width)
    async with app.run_test(size=(width + 10, 60)) as pilot:
        await pilot.pause()
        return drawn(app.view), app.view.lines()


def variables_of(name: str) -> dict[str, str]:
    return load_themes().themes[name].textual_theme.variables


# -- colours ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
async def test_inline_code_and_code_blocks_take_the_themes_colours(name: str) -> None:
    lines, _ = await show("Call `main()` now.\n\n```python\nx = 1\n```\n", name)
    variables = variables_of(name)
    code = style_of(lines, "main()")
    # Before: bold cyan on ANSI black, which the light theme drew as pure black.
    assert hex_of(code.bgcolor) == variables.get("markdown-code-background")
    assert hex_of(code.color) == variables.get("markdown-code-color")
    block = style_of(lines, "x")
    assert hex_of(block.bgcolor) == variables.get("markdown-code-block-background")


async def test_markdown_follows_a_live_theme_switch() -> None:
    app = Host(SAMPLE, "dark", 70)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        dark = variables_of("dark")
        code = style_of(drawn(app.view), "greet")
        assert hex_of(code.bgcolor) == dark.get("markdown-code-background")
        app.theme = "light"  # as /theme and its preview do; nothing tells the view
        await pilot.pause()
        light = load_themes().themes["light"].textual_theme
        lines = drawn(app.view)
        code = style_of(lines, "greet")
        assert hex_of(code.bgcolor) == light.variables.get("markdown-code-background")
        assert hex_of(style_of(lines, "Adding").color) == light.primary.lower()


# Each of our variables: what it colours in SAMPLE, which colour, and a value for it.
SET_BY_THEME = {
    "markdown-code-color": ("greet", "color", "#ffaa00"),
    "markdown-code-background": ("greet", "bgcolor", "#223344"),
    "markdown-code-block-background": ("pass", "bgcolor", "#0a0b0c"),
    "markdown-link-color": ("argparse", "color", "#00ccff"),
    "markdown-link-address-color": ("https://docs", "color", "#99aabb"),
    "markdown-quote-color": ("Quoted", "color", "#c0ffee"),
    "markdown-quote-border-color": ("▌", "color", "#123123"),
    "markdown-table-border-color": ("───", "color", "#321321"),
    "markdown-table-header-color": ("effect", "color", "#abcdef"),
    "markdown-bullet-color": ("1.", "color", "#ff00ff"),
    "markdown-h1-color": ("Adding", "color", "#fedcba"),  # Textual's own
}


async def test_a_theme_file_sets_markdown_colours_and_the_rest_come_from_its_colours(
    isolated_home: Path,
) -> None:
    from codex_tui.ui.markdown_theme import MARKDOWN_VARIABLES

    assert set(MARKDOWN_VARIABLES) < set(SET_BY_THEME)  # every one of ours is tried
    themes_dir = isolated_home / "themes"
    themes_dir.mkdir()
    variables = "".join(f"  {name}: '{value}'\n" for name, (_, _, value) in SET_BY_THEME.items())
    (themes_dir / "set.yaml").write_text("primary: '#7a3ec2'\nvariables:\n" + variables)
    (themes_dir / "bare.yaml").write_text(
        "primary: '#7a3ec2'\ndark: false\nbackground: '#fdfdfd'\nforeground: '#202020'\n"
    )
    assert load_themes().warnings == []
    lines, _ = await show(SAMPLE, "set", 70)
    for name, (needle, attribute, value) in SET_BY_THEME.items():
        assert hex_of(getattr(style_of(lines, needle), attribute)) == value, name

    # A theme that sets none: primary for headings, links and bullets; inline code on
    # a tint of the background, readable.
    lines, _ = await show(SAMPLE, "bare", 70)
    for needle in ("Adding", "argparse", "1."):
        assert hex_of(style_of(lines, needle).color) == "#7a3ec2", needle
    code = style_of(lines, "greet")
    assert hex_of(code.bgcolor) != "#fdfdfd"
    assert contrast(hex_of(code.color), hex_of(code.bgcolor)) >= 4.5


@pytest.mark.parametrize("name", BUNDLED)
async def test_every_bundled_theme_draws_readable_markdown_and_no_red_headings(name: str) -> None:
    theme = load_themes().themes[name].textual_theme
    lines, _ = await show(SAMPLE + "\n## Second\n\n### Third\n", name, 70)
    for needle in ("greet", "argparse", "https://docs", "Quoted", "effect", "1.", "Adding"):
        style = style_of(lines, needle)
        assert contrast(hex_of(style.color), hex_of(style.bgcolor)) >= 4.5, needle
    for heading in ("Adding", "Second", "Third"):
        colour = style_of(lines, heading).color
        assert colour is not None and colour.triplet is not None  # a theme colour, not ANSI
        assert hex_of(colour) != theme.error.lower(), heading
    assert hex_of(style_of(lines, "Adding").color) == theme.primary.lower()


async def test_a_textual_theme_gets_derived_colours_not_ansi_ones() -> None:
    """A theme that sets nothing gets colours from its own, not rich's defaults
    (ANSI black behind inline code, magenta headings)."""
    lines, _ = await show(SAMPLE, "textual-light", 70)
    for needle in ("greet", "Adding", "Quoted", "effect", "1."):
        style = style_of(lines, needle)
        for colour in (style.color, style.bgcolor):
            assert colour is not None and colour.triplet is not None, needle


# -- shapes -------------------------------------------------------------------------------


async def test_the_first_heading_is_on_the_left() -> None:
    _, plain = await show("# A title\n\nText.")
    assert plain[0].rstrip() == "A title"  # rich centred it


async def test_ordered_lists_keep_their_dots_and_line_up() -> None:
    _, plain = await show("1. one\n2. two\n", width=40)
    assert [line.rstrip() for line in plain] == [" 1. one", " 2. two"]
    _, plain = await show("9. nine\n10. ten\n", width=40)
    assert [line.rstrip() for line in plain] == ["  9. nine", " 10. ten"]


async def test_links_show_their_address_once() -> None:
    source = "See [the docs](https://example.com/docs) or <https://example.org>."
    lines, plain = await show(source, width=80)
    assert "the docs (https://example.com/docs)" in plain[0]
    assert plain[0].count("https://example.org") == 1
    # The address is part of the hyperlink, in its own colour and not underlined.
    address = style_of(lines, "https://example.com/docs")
    assert address.link == "https://example.com/docs" and not address.underline


async def test_long_code_lines_wrap_under_their_own_indent() -> None:
    long_call = "    result = compute(" + ", ".join(f"arg{n}" for n in range(12)) + ")"
    source = f"```python\ndef f():\n{long_call}\n    return result\n```\n"
    _, plain = await show(source, width=40)
    rows = [line for line in plain if line.strip()]
    assert rows[0] == " def f():".ljust(40)
    first = next(n for n, row in enumerate(rows) if "result = compute(" in row)
    continuation = rows[first + 1]
    # Padding, the line's indent, the mark: never back at the block's left edge.
    assert continuation.startswith(" " + "    " + "↪ ") and continuation[7] != " ", rows
    assert all(len(row) == 40 for row in rows)  # every row on the block's background
    joined = "".join(r[7:].rstrip() if "↪" in r else r[1:].rstrip() for r in rows[first:-1])
    assert joined.replace(" ", "") == long_call.replace(" ", "")
    assert rows[-1] == "     return result".ljust(40)


async def test_a_line_indented_past_half_the_width_wraps_from_the_left() -> None:
    deep = " " * 24 + "x = " + " + ".join(["value"] * 10)
    _, plain = await show(f"```\n{deep}\n```\n", width=40)
    rows = [line for line in plain if line.strip()]
    assert rows[1].startswith(" ↪ "), rows


# -- cost -----------------------------------------------------------------------------------


async def test_a_theme_switch_renders_again_only_what_is_shown(app_factory, monkeypatch) -> None:
    """Colours never change a line's height: after a switch, answers out of sight keep
    their lines until they are drawn (a long session was rendered whole before)."""
    rendered = count_renders(monkeypatch)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        for n in range(30):
            app.conversation.markdown(f"Answer {n} with `code` and\n\n```python\nx = {n}\n```")
        await pilot.pause(0.3)
        rendered.clear()
        app.switch_theme("light")
        await pilot.pause(0.3)
        assert 0 < len(rendered) < 10, len(rendered)
        views = [w for w in app.conversation.query("*") if isinstance(w, MarkdownView)]
        shown = [view for view in views if view.region.height]
        assert len(views) == 30 and shown
        code = style_of(drawn(shown[-1]), "code")
        light = app.theme_specs["light"].textual_theme.variables
        assert hex_of(code.bgcolor) == light.get("markdown-code-background")
