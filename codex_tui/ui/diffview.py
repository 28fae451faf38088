"""The diff view: a change set (a computed patch or `git diff` text) rendered lazily with
the Line API, with optional per-hunk selection for the patch approval dialog.

Only the rows on screen are built, from a `DiffDocument` (files, row ranges and the
hunk selection; see `diff_document`); highlighting is done per block of a hunk the
first time a row of it shows.

Colours: the structural parts (gutter, headers, cursor, dropped hunks) are
component classes styled with theme variables. The diff tints and the pygments
style come from the app's current theme variables `diff-added-bg`,
`diff-removed-bg` and `pygments-style` (set by every codex-tui theme; other
themes get tints blended from `$success`/`$error` and a stock pygments style),
and follow `App.theme` live. `set_style()` pins any of them for one view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from codex_tui.ui import highlight
from codex_tui.ui.diff_document import DiffDocument, DiffFile, HunkRef, RowKind, parse_diff_text
from codex_tui.ui.themes import DIFF_ADDED_VAR, DIFF_REMOVED_VAR, PYGMENTS_STYLE_VAR

if TYPE_CHECKING:
    from textual.theme import Theme

    from codex_tui.patch.model import PatchPlan

__all__ = ["DiffView"]

_BLOCK = 128  # hunk lines lexed together (a multi-line string cut at a block edge loses colour)
_MAX_TEXT = 10_000  # characters of one line shown; the rest is cut
_TINT = 0.2  # fallback tints: $success / $error blended into the background
_PENDING = object()  # a lexer being loaded in a thread

_KIND_LETTER = {"add": "A", "delete": "D", "update": "M", "move": "R"}
_KIND_CLASS = {
    "add": "diffview--kind-add",
    "delete": "diffview--kind-delete",
    "update": "diffview--kind-update",
    "move": "diffview--kind-move",
}
# C0 controls and DEL would reach the terminal raw; show them as control pictures.
_CONTROLS = {i: 0x2400 + i for i in range(32) if i != 9} | {127: 0x2421}


def _clean(text: str) -> str:
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "…"
    return text.expandtabs(highlight.TAB_SIZE).translate(_CONTROLS)


@dataclass(slots=True)
class _Palette:
    pygments_style: str
    added: Style
    removed: Style


class DiffView(ScrollView, can_focus=True):
    """Shows a change set; with `selectable=True`, a hunk cursor and per-hunk keep/drop.

    Keys: arrows, PgUp/PgDn, Home/End scroll. When selectable, up/down (j/k)
    move the cursor between hunks and space keeps or drops the hunk under it;
    a click moves the cursor to the clicked hunk.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Previous hunk", show=False),
        Binding("down,j", "cursor_down", "Next hunk", show=False),
        Binding("space", "toggle_hunk", "Keep/drop hunk"),
        Binding("pageup", "jump('page_up')", show=False),
        Binding("pagedown", "jump('page_down')", show=False),
        Binding("home", "jump('home')", show=False),
        Binding("end", "jump('end')", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diffview--title",
        "diffview--muted",
        "diffview--gutter",
        "diffview--file-header",
        "diffview--added-sign",
        "diffview--removed-sign",
        "diffview--kind-add",
        "diffview--kind-delete",
        "diffview--kind-update",
        "diffview--kind-move",
        "diffview--cursor",
        "diffview--dropped",
    }

    DEFAULT_CSS = """
    DiffView {
        height: 1fr;
        & > .diffview--title { color: $text; text-style: bold; }
        & > .diffview--muted { color: $text-muted; }
        & > .diffview--gutter { color: $text-muted; }
        & > .diffview--file-header { background: $panel; color: $text; text-style: bold; }
        & > .diffview--added-sign { color: $text-success; text-style: bold; }
        & > .diffview--removed-sign { color: $text-error; text-style: bold; }
        & > .diffview--kind-add { color: $text-success; text-style: bold; }
        & > .diffview--kind-delete { color: $text-error; text-style: bold; }
        & > .diffview--kind-update { color: $text-warning; text-style: bold; }
        & > .diffview--kind-move { color: $text-accent; text-style: bold; }
        & > .diffview--cursor { color: $accent; text-style: bold; }
        & > .diffview--dropped { color: $text-disabled; text-style: strike; }
    }
    """

    class SelectionChanged(Message):
        """The kept hunks changed: `kept` as (file index, hunk index) pairs, numbered as
        `PatchPlan.hunk_refs()`, out of `total` hunks."""

        def __init__(self, diff_view: DiffView, kept: list[tuple[int, int]], total: int) -> None:
            super().__init__()
            self.diff_view = diff_view
            self.kept = kept
            self.total = total

        @property
        def control(self) -> DiffView:
            return self.diff_view

    def __init__(
        self,
        *,
        selectable: bool = False,
        empty_message: str = "No changes yet",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.selectable = selectable
        self._doc = DiffDocument(message=empty_message)
        self._lexers: dict[int, Any] = {}
        self._pending_lexers: set[str] = set()
        self._tokens: LRUCache[tuple[int, int, int], list[highlight.Tokens] | None] = LRUCache(256)
        self._strips: LRUCache[int, tuple[Strip, Style, bool]] = LRUCache(1024)
        self._override: dict[str, str | None] = {}
        self._palette: _Palette | None = None
        self._component_styles_cache: dict[str, Style] = {}

    # ------------------------------------------------------------------ public API

    def show_patch(self, patch: PatchPlan, title: str = "") -> None:
        """Show a computed patch; every hunk starts kept."""
        if not patch.files:
            self.show_message("No changes")
            return
        self._load(DiffDocument.of_patch(patch, title, hunk_heads=self.selectable))

    def show_diff_text(self, text: str, title: str = "") -> None:
        """Show unified diff text; text with no file changes in it is shown as a message."""
        files = parse_diff_text(text)
        if files:
            self._load(DiffDocument(files, title, hunk_heads=self.selectable))
        else:
            self.show_message(text.strip() or "No changes")

    def reveal(self, path: str, line: int) -> bool:
        """Scroll to `path` at line `line` (its hunk, else its header); False when
        the diff shown has no such file."""
        row = self._doc.row_of(path, line)
        if row is None:
            return False
        self.scroll_to(y=row, animate=False)
        return True

    def show_message(self, text: str) -> None:
        """Replace the content with a message (the empty state)."""
        self._doc = DiffDocument(message=text)
        self._changed()

    def kept(self) -> list[HunkRef]:
        """The (file index, hunk index) pairs kept, in `PatchPlan.hunk_refs()` order."""
        return self._doc.selection.kept()

    @property
    def total(self) -> int:
        """How many hunks are shown."""
        return self._doc.selection.total

    @property
    def cursor(self) -> HunkRef | None:
        """The (file index, hunk index) under the hunk cursor (None without hunks)."""
        return self._doc.selection.cursor_ref

    def set_kept(self, kept: Iterable[HunkRef]) -> None:
        """Keep exactly these hunks (pairs not shown are ignored)."""
        self._doc.selection.set_kept(kept)
        self._selection_changed()

    def set_style(
        self,
        pygments_style: str | None = None,
        added_bg: str | None = None,
        removed_bg: str | None = None,
    ) -> None:
        """Pin this view's pygments style and diff tints (CSS colours); None follows the
        app theme again."""
        self._override = {
            PYGMENTS_STYLE_VAR: pygments_style,
            DIFF_ADDED_VAR: added_bg,
            DIFF_REMOVED_VAR: removed_bg,
        }
        self._restyle()

    @property
    def pygments_style(self) -> str:
        """The pygments style in use."""
        return self._get_palette().pygments_style

    # ------------------------------------------------------------------ document

    def _load(self, doc: DiffDocument) -> None:
        self._doc = doc
        self._changed()
        self.scroll_to(0, 0, animate=False, immediate=True)
        if self.selectable:
            self._selection_changed()

    def _changed(self) -> None:
        self._lexers.clear()
        self._tokens.clear()
        self._strips.clear()
        width = self._gutter_width() + 2 + min(self._doc.longest_line, _MAX_TEXT + 1)
        self.virtual_size = Size(width, self._doc.height)
        self.refresh()

    def _gutter_width(self) -> int:
        return 2 * self._doc.number_width + 2 + (1 if self.selectable else 0)

    # ------------------------------------------------------------------ styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)

    def _on_theme_changed(self, _theme: Theme) -> None:
        self._restyle()

    def _restyle(self) -> None:
        self._palette = None
        self._component_styles_cache.clear()
        self._strips.clear()
        self.refresh()

    def _get_palette(self) -> _Palette:
        if self._palette is None:
            self._palette = self._resolve_palette()
        return self._palette

    def _resolve_palette(self) -> _Palette:
        theme = self.app.current_theme
        values = {**theme.variables, **{k: v for k, v in self._override.items() if v}}
        variables = self.app.theme_variables
        background = self.background_colors[1]
        style_name = values.get(PYGMENTS_STYLE_VAR) or ("github-dark" if theme.dark else "default")

        def tint(key: str, base: str) -> Style:
            color = _parse_color(values.get(key))
            if color is None:
                fallback = _parse_color(variables.get(base)) or Color.parse(
                    "green" if base == "success" else "red"
                )
                color = background.blend(fallback, _TINT, alpha=1.0)
            elif color.a < 1:
                color = background + color
            return Style(bgcolor=color.rich_color)

        return _Palette(
            style_name, tint(DIFF_ADDED_VAR, "success"), tint(DIFF_REMOVED_VAR, "error")
        )

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        row = scroll_y + y
        base = self.rich_style
        if row >= self._doc.height or row < 0:
            return Strip.blank(width, base)
        strip, fill, scrolls = self._row(row)
        if not scrolls:
            return strip.crop_extend(0, width, fill)
        gutter = self._gutter(row, base)
        text_width = max(0, width - gutter.cell_length)
        body = strip.crop_extend(scroll_x, scroll_x + text_width, fill)
        return Strip.join([gutter, body])

    def _row(self, row: int) -> tuple[Strip, Style, bool]:
        cached = self._strips.get(row)
        if cached is None:
            cached = self._build_row(row)
            self._strips[row] = cached
        return cached

    def _style(self, name: str) -> Style:
        """A component's text attributes and colour (`auto` colours resolved against the
        view's background), without its background, to lay over a row's own."""
        style = self._component_styles_cache.get(name)
        if style is None:
            full = self.get_component_rich_style(name)
            style = Style(
                color=full.color,
                bold=full.bold,
                italic=full.italic,
                underline=full.underline,
                strike=full.strike,
                reverse=full.reverse,
            )
            self._component_styles_cache[name] = style
        return style

    def _build_row(self, row: int) -> tuple[Strip, Style, bool]:
        base = self.rich_style
        r, offset = self._doc.locate(row)
        if r.kind == RowKind.LINES:
            return self._code_row(r.file, r.hunk, offset, base)
        pieces: list[tuple[str, Style]]
        fill = base
        match r.kind:
            case RowKind.TITLE:
                pieces = [(" " + r.text, self._style("diffview--title"))]
            case RowKind.SUMMARY:
                pieces = self._summary()
            case RowKind.ITEM:
                pieces = self._file_item(self._doc.files[r.file])
            case RowKind.FILE:
                f = self._doc.files[r.file]
                fill = base + self.get_component_rich_style("diffview--file-header")
                pieces = [self._kind_letter(f), (" " + f.shown_path, Style()), *self._counts(f)]
            case RowKind.SEP:
                pieces = [(self._pad() + "⋮", self._style("diffview--muted"))]
            case RowKind.HEAD:
                pieces = self._hunk_head(r.file, r.hunk)
            case RowKind.NOTE:
                style = self._style("diffview--muted")
                if r.hunk >= 0 and not self._doc.selection.is_kept((r.file, r.hunk)):
                    style = self._style("diffview--dropped")
                pieces = [(self._marker(r.file, r.hunk)[0] + self._pad()[1:], Style())]
                pieces += [(f"({r.text})", style)]
            case RowKind.MESSAGE:
                pieces = [(" " + r.text, self._style("diffview--muted"))]
            case _:
                pieces = []
        segments = [Segment(_clean(text), fill + style) for text, style in pieces]
        return Strip(segments), fill, False

    def _pad(self) -> str:
        return " " * self._gutter_width()

    def _kind_letter(self, f: DiffFile) -> tuple[str, Style]:
        return f" {_KIND_LETTER.get(f.kind, '?')} ", self._style(_KIND_CLASS[f.kind])

    def _file_item(self, f: DiffFile) -> list[tuple[str, Style]]:
        """A row of the file list, its path and `+N` columns aligned."""
        path = (" " + f.shown_path.ljust(self._doc.path_width), Style())
        plus = f"+{f.added}" if f.added else ""
        pieces = [(" ", Style()), self._kind_letter(f), path]
        pieces.append(
            ("  " + plus.ljust(self._doc.plus_width), self._style("diffview--added-sign"))
        )
        if f.removed:
            pieces.append((f"  −{f.removed}", self._style("diffview--removed-sign")))
        return pieces

    def _summary(self) -> list[tuple[str, Style]]:
        files = self._doc.files
        noun = "file" if len(files) == 1 else "files"
        return [
            (f" {len(files)} {noun} changed", self._style("diffview--title")),
            *self._counts_of(sum(f.added for f in files), sum(f.removed for f in files)),
        ]

    def _counts(self, f: DiffFile) -> list[tuple[str, Style]]:
        return self._counts_of(f.added, f.removed)

    def _counts_of(self, added: int, removed: int) -> list[tuple[str, Style]]:
        out = []
        if added:
            out.append((f"  +{added}", self._style("diffview--added-sign")))
        if removed:
            out.append((f"  −{removed}", self._style("diffview--removed-sign")))
        return out

    def _marker(self, fi: int, hi: int) -> tuple[str, Style]:
        if self.selectable and hi >= 0 and self._doc.selection.cursor_ref == (fi, hi):
            return "▌", self._style("diffview--cursor")
        return (" " if self.selectable else ""), Style()

    def _hunk_head(self, fi: int, hi: int) -> list[tuple[str, Style]]:
        selection = self._doc.selection
        index = selection.index((fi, hi))
        hunk = self._doc.hunk((fi, hi))
        where = ""
        if len(hunk):
            old, new = hunk.numbers(0)
            where = f" · line {new or old}"
        state = ("[✓] keep", self._style("diffview--kind-add"))
        if not selection.is_kept((fi, hi)):
            state = ("[✗] drop", self._style("diffview--kind-delete"))
        marker = self._marker(fi, hi)
        cursor = marker[0] == "▌"
        label_style = self._style("diffview--cursor") if cursor else self._style("diffview--muted")
        return [
            marker,
            (" ", Style()),
            state,
            (f"  hunk {index + 1} of {selection.total}{where}", label_style),
        ]

    def _gutter(self, row: int, base: Style) -> Strip:
        r, offset = self._doc.locate(row)
        old, new = self._doc.hunk((r.file, r.hunk)).numbers(offset)
        w = self._doc.number_width
        numbers = f"{'' if old is None else old:>{w}} {'' if new is None else new:>{w}} "
        gutter = base + self._style("diffview--gutter")
        segments = [Segment(numbers, gutter)]
        if self.selectable:
            text, style = self._marker(r.file, r.hunk)
            segments.insert(0, Segment(text, base + style))
        return Strip(segments)

    def _code_row(self, fi: int, hi: int, i: int, base: Style) -> tuple[Strip, Style, bool]:
        hunk = self._doc.hunk((fi, hi))
        kind = hunk.kinds[i]
        dropped = self.selectable and not self._doc.selection.is_kept((fi, hi))
        palette = self._get_palette()
        if dropped:
            line_style = base + self._style("diffview--dropped")
            sign_style = line_style
        elif kind == "+":
            line_style = base + palette.added
            sign_style = line_style + self._style("diffview--added-sign")
        elif kind == "-":
            line_style = base + palette.removed
            sign_style = line_style + self._style("diffview--removed-sign")
        else:
            line_style = sign_style = base
        segments = [Segment(f"{'' if kind == ' ' else kind:1} ", sign_style)]
        tokens = None if dropped else self._line_tokens(fi, hi, i)
        if tokens is None:
            segments.append(Segment(_clean(hunk.texts[i]), line_style))
        else:
            styler = highlight.token_styler(palette.pygments_style)
            segments.extend(Segment(text, line_style + styler(tt)) for text, tt in tokens)
        return Strip(segments), line_style, True

    def _line_tokens(self, fi: int, hi: int, i: int) -> highlight.Tokens | None:
        block = i // _BLOCK
        key = (fi, hi, block)
        if key not in self._tokens:
            if self._lexer(fi) is _PENDING:
                return None
            self._tokens[key] = self._lex_block(fi, hi, block)
        lexed = self._tokens[key]
        return None if lexed is None else lexed[i - block * _BLOCK]

    def _lexer(self, fi: int) -> Any:
        """The file's lexer, None for plain text, or _PENDING while a thread finds it."""
        if fi in self._lexers:
            return self._lexers[fi]
        path = self._doc.files[fi].path
        ready, lexer = highlight.cached_lexer(path)
        if ready:
            self._lexers[fi] = lexer
            return lexer
        if path not in self._pending_lexers:
            # The first lexer of a language takes tens of milliseconds to load:
            # show the rows plain now and colour them when it is ready.
            self._pending_lexers.add(path)
            self.run_worker(partial(self._find_lexer, path), thread=True, group="diffview-lexer")
        return _PENDING

    def _find_lexer(self, path: str) -> None:
        highlight.lexer_for_path(path)
        self.app.call_from_thread(self._lexer_found, path)

    def _lexer_found(self, path: str) -> None:
        self._pending_lexers.discard(path)
        self._strips.clear()
        self.refresh()

    def _lex_block(self, fi: int, hi: int, block: int) -> list[highlight.Tokens] | None:
        hunk = self._doc.hunk((fi, hi))
        lo, hi_ = block * _BLOCK, min(len(hunk), (block + 1) * _BLOCK)
        kinds = hunk.kinds[lo:hi_]
        lexer = self._lexer(fi)
        if lexer is None:
            return None
        texts = [_clean(t) for t in hunk.texts[lo:hi_]]
        out: list[highlight.Tokens] = [[] for _ in texts]
        # Each side is lexed as the file it comes from: context with the removed
        # lines (old) or with the added lines (new).
        for side in ("-", "+"):
            if side == "-" and "-" not in kinds:
                continue
            picked = [k for k, kind in enumerate(kinds) if kind != ("+" if side == "-" else "-")]
            for k, tokens in zip(
                picked, highlight.tokenize_lines(lexer, [texts[k] for k in picked]), strict=True
            ):
                if kinds[k] == side or side == "+":
                    out[k] = tokens
        return out

    # ------------------------------------------------------------------ selection

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_hunk":
            return self._selecting
        return True

    @property
    def _selecting(self) -> bool:
        return self.selectable and self._doc.selection.total > 0

    def action_cursor_up(self) -> None:
        if self._selecting:
            self._move_cursor(self._doc.selection.cursor - 1)
        else:
            self.scroll_up(animate=False)

    def action_cursor_down(self) -> None:
        if self._selecting:
            self._move_cursor(self._doc.selection.cursor + 1)
        else:
            self.scroll_down(animate=False)

    def action_jump(self, where: str) -> None:
        # Not animated: Textual glides at 50 lines/s, a second per page here.
        getattr(self, f"scroll_{where}")(animate=False)

    def action_toggle_hunk(self) -> None:
        if self._selecting and self._doc.selection.toggle():
            self._selection_changed()

    def on_click(self, event: events.Click) -> None:
        if not self._selecting:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self._doc.hunk_at(offset.y + round(self.scroll_y))
        if index is not None:
            self._move_cursor(index)

    def _move_cursor(self, index: int) -> None:
        index = self._doc.selection.move_to(index)
        self._strips.clear()
        self.refresh()
        self._scroll_to_hunk(index)

    def _scroll_to_hunk(self, index: int) -> None:
        """Bring hunk `index` into view with as little scrolling as will do: all of
        it (with its file's header when it is the file's first hunk) when it fits,
        else its head at the top and as much of its body as fits."""
        start, head, last = self._doc.hunk_view(index)
        height = self.scrollable_content_region.height or self.size.height
        top = round(self.scroll_y)
        if last - start >= height:
            target = start if head - start < height // 2 else head
        elif start < top:
            target = start
        elif last >= top + height:
            target = last - height + 1
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def reveal_cursor(self) -> None:
        """Scroll the cursor's hunk into view unless its head (and a row of its body)
        shows already: on opening, the file list above it stays in sight."""
        if self._selecting:
            _, head, _ = self._doc.hunk_view(self._doc.selection.cursor)
            top, height = round(self.scroll_y), self.scrollable_content_region.height
            if not top <= head < top + height - 1:
                self._scroll_to_hunk(self._doc.selection.cursor)

    def _selection_changed(self) -> None:
        self._strips.clear()
        self.refresh()
        self.post_message(self.SelectionChanged(self, self.kept(), self.total))


def _parse_color(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None
