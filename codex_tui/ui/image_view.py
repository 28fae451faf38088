"""Images in the transcript: a small preview under the message or tool call that
brought them, and a larger view on click.

Where the terminal is known to draw real pixels (Kitty graphics or Sixel:
kitty, WezTerm, foot, Ghostty, iTerm2, Konsole — told by its environment),
`textual-image` draws them; it must learn the terminal's cell size before
Textual owns stdin, so `prepare_graphics()` runs before the app starts.
Everywhere else the preview is half-block characters (two pixels per cell, one
as the foreground and one as the background), drawn here with Pillow off the UI
thread; where an image cannot be decoded at all, one line names it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from codex_tui.images.store import Attachment

__all__ = [
    "ImageRow",
    "ImageScreen",
    "ImageStrip",
    "graphics_enabled",
    "half_blocks",
    "prepare_graphics",
]

PREVIEW_COLUMNS = 32
PREVIEW_ROWS = 8
# Terminals that draw Kitty graphics or Sixel, by what they put in the environment.
_GRAPHIC_TERMS = ("kitty", "wezterm", "foot", "ghostty", "iterm", "konsole", "mlterm")

_graphics: Any = None  # textual_image's widget class, once prepared
_text_only = False  # tui.images: text — a line per image, no pictures


def _graphic_terminal() -> bool:
    if os.environ.get("TMUX") or os.environ.get("STY"):
        return False  # multiplexers pass neither protocol through reliably
    words = " ".join(
        os.environ.get(k, "")
        for k in ("TERM", "TERM_PROGRAM", "KITTY_WINDOW_ID", "KONSOLE_VERSION")
    ).lower()
    return bool(os.environ.get("KITTY_WINDOW_ID") or os.environ.get("KONSOLE_VERSION")) or any(
        t in words for t in _GRAPHIC_TERMS
    )


def prepare_graphics(mode: str) -> None:
    """Before the app starts: load textual-image when pixels can be drawn
    (`mode` "auto" on a known terminal, or "graphics"); "blocks" and "text"
    never query the terminal."""
    global _graphics, _text_only
    _text_only = mode == "text"
    if mode == "graphics" or (mode == "auto" and _graphic_terminal()):
        try:
            from textual_image.widget import Image
        except Exception:  # a terminal that answers oddly: half blocks instead
            return
        _graphics = Image


def graphics_enabled() -> bool:
    return _graphics is not None


def half_blocks(path: str, columns: int, rows: int) -> list[Strip]:
    """(In a thread.) The image as `rows` × at most `columns` cells of "▀"."""
    from PIL import Image

    with Image.open(path) as img:
        img.draft("RGB", (columns, rows * 2))
        rgb = img.convert("RGB")
    scale = min(columns / rgb.width, rows * 2 / rgb.height)
    width = max(1, min(columns, round(rgb.width * scale)))
    height = max(2, min(rows * 2, round(rgb.height * scale)))
    height -= height % 2
    data = rgb.resize((width, height)).tobytes()
    strips = []
    for y in range(0, height, 2):
        segments = []
        for x in range(width):
            top, bottom = (y * width + x) * 3, ((y + 1) * width + x) * 3
            style = Style(
                color=Color.from_rgb(*data[top : top + 3]),
                bgcolor=Color.from_rgb(*data[bottom : bottom + 3]),
            )
            segments.append(Segment("▀", style))
        strips.append(Strip(segments, width))
    return strips


class ImageStrip(Widget):
    """One image drawn as half blocks (or by textual-image); click for a larger view."""

    DEFAULT_CSS = """
    ImageStrip { height: auto; width: auto; margin: 0 0 0 2; }
    ImageStrip > Static.image-caption { color: $text-muted; width: auto; }
    """

    def __init__(self, image: Attachment, columns: int = PREVIEW_COLUMNS, rows: int = PREVIEW_ROWS):
        super().__init__()
        self.image = image
        self.columns, self.rows = columns, rows
        self._strips: list[Strip] | None = None

    def compose(self) -> ComposeResult:
        if _text_only:
            pass
        elif _graphics is not None and (picture := self._picture()) is not None:
            yield picture
        else:
            yield _Blocks(self)
        yield Static(Content(self.image.label()), classes="image-caption")

    def _picture(self) -> Widget | None:
        """textual-image's widget, or None when the file is gone or not an image
        (then the half blocks say so in one line, instead of the app failing)."""
        try:
            picture: Widget = _graphics(str(self.image.path))
        except Exception:
            return None
        picture.styles.width, picture.styles.height = self.columns, self.rows
        return picture

    def on_click(self) -> None:
        self.app.push_screen(ImageScreen(self.image))


class _Blocks(Widget):
    DEFAULT_CSS = "_Blocks { height: auto; width: auto; }"

    def __init__(self, owner: ImageStrip) -> None:
        super().__init__()
        self.owner = owner
        self._strips: list[Strip] = []
        self._failed: str | None = None

    def on_mount(self) -> None:
        self._draw()

    @work(thread=True, exit_on_error=False)
    def _draw(self) -> None:
        owner = self.owner
        try:
            strips = half_blocks(str(owner.image.path), owner.columns, owner.rows)
        except FileNotFoundError:
            self.app.call_from_thread(self._show_failure, "[image not shown: no longer stored]")
            return
        except Exception:  # damaged, or not an image after all: one line says so
            self.app.call_from_thread(self._show_failure, "[image not shown: cannot be decoded]")
            return
        self.app.call_from_thread(self._show, strips)

    def _show(self, strips: list[Strip]) -> None:
        self._strips = strips
        self.refresh(layout=True)

    def _show_failure(self, line: str) -> None:
        self._failed = line[:200]
        self.refresh(layout=True)

    def get_content_width(self, container: Any, viewport: Any) -> int:
        if self._failed is not None:
            return len(self._failed)
        return max((s.cell_length for s in self._strips), default=1)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 1 if self._failed is not None else max(1, len(self._strips))

    def render_line(self, y: int) -> Strip:
        if self._failed is not None:
            return Strip([Segment(self._failed)]) if y == 0 else Strip.blank(self.size.width)
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width)


class ImageRow(Horizontal):
    """The previews of one message's images, side by side (wrapping is not needed:
    a message rarely carries more than a few)."""

    DEFAULT_CSS = "ImageRow { height: auto; width: 1fr; }"

    def __init__(self, images: tuple[Attachment, ...]) -> None:
        super().__init__()
        self.images = images

    def compose(self) -> ComposeResult:
        for image in self.images:
            yield ImageStrip(image)


class ImageScreen(ModalScreen[None]):
    """The image as large as the screen allows; any key or click closes it."""

    DEFAULT_CSS = """
    ImageScreen { align: center middle; }
    ImageScreen > Vertical { width: auto; height: auto; border: round $border; padding: 0 1; }
    """

    def __init__(self, image: Attachment) -> None:
        super().__init__()
        self.image = image

    def compose(self) -> ComposeResult:
        width, height = self.app.size
        with Vertical():
            yield ImageStrip(self.image, columns=max(8, width - 8), rows=max(4, height - 6))
            yield Static("any key or click closes", classes="image-caption")

    def on_key(self) -> None:
        self.dismiss()

    def on_click(self) -> None:
        self.dismiss()
