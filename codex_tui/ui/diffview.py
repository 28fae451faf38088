"""The diff view: a change set (a patch plan or `git diff` text) rendered lazily with the
Line API, with optional per-hunk selection for the patch approval dialog.

Only the rows on screen are built. The model is a list of row ranges found by
bisection, so opening a 20,000-line diff costs a pass over its hunks, not its
lines; highlighting is done per block of a hunk the first time a row of it shows.

Colours: the structural parts (gutter, headers, cursor, dropped hunks) are
component classes styled with theme variables. The diff tints and the pygments
style come from the app's current theme variables `diff-added-bg`,
`diff-removed-bg` and `pygments-style` (set by every codex-tui theme; other
themes get tints blended from `$success`/`$error` and a stock pygments style),
and follow `App.theme` live. `set_style()` pins any of them for one view.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

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
from codex_tui.ui.themes import DIFF_ADDED_VAR, DIFF_REMOVED_VAR, PYGMENTS_STYLE_VAR

if TYPE_CHECKING:
    from textual.theme import Theme

    from codex_tui.patch.model import FileChange, Hunk, PatchPlan

__all__ = ["DiffView", "parse_diff_text"]

_BLOCK = 128  # hunk lines lexed together (a multi-line string cut at a block edge loses colour)
_MAX_TEXT = 10_000  # characters of one line shown; the rest is cut
_TINT = 0.2  # fallback tints: $success / $error blended into the background
_PENDING = object()  # a lexer being loaded in a thread

# Row kinds.
_TITLE, _SUMMARY, _ITEM, _BLANK, _FILE, _NOTE, _SEP, _HEAD, _LINES, _MESSAGE = range(10)

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


# ---------------------------------------------------------------------------- model


class _DiffHunk:
    """Hunk lines as parallel sequences; numbers are counted from the start on demand."""

    __slots__ = ("kinds", "new_start", "old_start", "texts")

    def __init__(self, old_start: int, new_start: int, kinds: str, texts: list[str]) -> None:
        self.old_start, self.new_start, self.kinds, self.texts = old_start, new_start, kinds, texts

    def __len__(self) -> int:
        return len(self.kinds)

    def numbers(self, i: int) -> tuple[int | None, int | None]:
        kind = self.kinds[i]
        old = self.old_start + i - self.kinds.count("+", 0, i)
        new = self.new_start + i - self.kinds.count("-", 0, i)
        return (None if kind == "+" else old), (None if kind == "-" else new)

    def last_numbers(self) -> int:
        return max(self.old_start, self.new_start) + len(self.kinds)


class _PlanHunk:
    """A `patch.model.Hunk` seen through the same interface."""

    __slots__ = ("hunk", "kinds", "texts")

    def __init__(self, hunk: Hunk) -> None:
        self.hunk = hunk
        self.kinds = "".join(ln.kind for ln in hunk.lines)
        self.texts = [ln.text for ln in hunk.lines]

    def __len__(self) -> int:
        return len(self.kinds)

    def numbers(self, i: int) -> tuple[int | None, int | None]:
        line = self.hunk.lines[i]
        return line.old_lineno, line.new_lineno

    def last_numbers(self) -> int:
        h = self.hunk
        return max(h.old_start + h.old_count, h.new_start + h.new_count)


_AnyHunk = _DiffHunk | _PlanHunk


@dataclass(slots=True)
class _File:
    kind: str  # "add" | "delete" | "update" | "move"
    old_path: str | None
    new_path: str | None
    hunks: list[_AnyHunk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or "?"

    @property
    def shown_path(self) -> str:
        if self.kind == "move" and self.old_path and self.new_path:
            return f"{self.old_path} → {self.new_path}"
        return self.path

    @property
    def added(self) -> int:
        return sum(h.kinds.count("+") for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.kinds.count("-") for h in self.hunks)


def _from_change(change: FileChange) -> _File:
    hunks: list[_AnyHunk] = [_PlanHunk(h) for h in change.hunks]
    return _File(str(change.kind), change.old_path, change.new_path, hunks)


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_DEV_NULL = "/dev/null"


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of unusual file names."""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        try:
            raw = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
            return raw.encode("latin-1").decode("utf-8")
        except (UnicodeError, ValueError):
            return name[1:-1]
    return name


def _strip_prefix(name: str, prefix: str) -> str:
    name = _unquote(name.split("\t", 1)[0].strip())
    return name[2:] if name.startswith(prefix) else name


def _git_header_paths(rest: str) -> tuple[str, str]:
    """Paths of `diff --git a/X b/Y` (X == Y unless renamed; renames say so again later)."""
    rest = rest.strip()
    if rest.startswith('"') or rest.endswith('"'):
        parts = re.findall(r'"(?:[^"\\]|\\.)*"|\S+', rest)
        if len(parts) == 2:
            return _strip_prefix(parts[0], "a/"), _strip_prefix(parts[1], "b/")
    half = (len(rest) - 1) // 2
    if rest[half] == " " and rest[:half][2:] == rest[half + 1 :][2:]:
        return rest[2:half], rest[half + 3 :]
    a, _, b = rest.partition(" b/")
    return a.removeprefix("a/"), b


def parse_diff_text(text: str) -> list[_File]:
    """Read unified diff text (`git diff`, `diff -u`) for display; lines it does not
    understand (commit headers, index lines) are skipped, never an error."""
    lines = text.splitlines()
    files: list[_File] = []
    current: _File | None = None
    in_git_header = False
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if line.startswith("diff --git "):
            old, new = _git_header_paths(line[11:])
            current = _File("update", old, new)
            files.append(current)
            in_git_header = True
        elif line.startswith("--- ") and i < n and lines[i].startswith("+++ "):
            old, new = line[4:], lines[i][4:]
            i += 1
            if current is None or not in_git_header:
                current = _File("update", None, None)
                files.append(current)
            in_git_header = False
            old_path = _strip_prefix(old, "a/")
            new_path = _strip_prefix(new, "b/")
            if old_path == _DEV_NULL:
                current.kind, current.old_path = "add", None
            else:
                current.old_path = old_path
            if new_path == _DEV_NULL:
                current.kind, current.new_path = "delete", None
            else:
                current.new_path = new_path
        elif (match := _HUNK_RE.match(line)) and current is not None:
            in_git_header = False
            i = _read_hunk(lines, i, match, current)
        elif current is not None and in_git_header:
            _git_extended_header(line, current)
    return files


def _git_extended_header(line: str, current: _File) -> None:
    if line.startswith("new file mode"):
        current.kind, current.old_path = "add", None
    elif line.startswith("deleted file mode"):
        current.kind, current.new_path = "delete", None
    elif line.startswith(("rename from ", "copy from ")):
        current.old_path = _unquote(line.split(" ", 2)[2])
        current.kind = "move" if line.startswith("rename") else "add"
        if current.kind == "add":
            current.notes.append(f"copied from {current.old_path}")
    elif line.startswith(("rename to ", "copy to ")):
        current.new_path = _unquote(line.split(" ", 2)[2])
    elif line.startswith("old mode "):
        current.notes.append(f"mode {line[9:]}")
    elif line.startswith("new mode ") and current.notes:
        current.notes[-1] += f" → {line[9:]}"
    elif line.startswith(("Binary files ", "GIT binary patch")):
        current.notes.append("binary file, not shown")


def _read_hunk(lines: list[str], i: int, match: re.Match[str], current: _File) -> int:
    old_start, old_count, new_start, new_count = match.groups()
    old_left = 1 if old_count is None else int(old_count)
    new_left = 1 if new_count is None else int(new_count)
    kinds: list[str] = []
    texts: list[str] = []
    n = len(lines)
    while i < n and (old_left > 0 or new_left > 0):
        line = lines[i]
        first = line[:1]
        if first == "+":
            new_left -= 1
        elif first == "-":
            old_left -= 1
        elif first == " " or not line:  # some tools strip the space of blank context
            old_left -= 1
            new_left -= 1
            first = " "
        elif first == "\\":  # "\ No newline at end of file"
            i += 1
            continue
        else:
            break
        kinds.append(first)
        texts.append(line[1:])
        i += 1
    if i < n and lines[i].startswith("\\"):
        i += 1
    # A range of count 0 names the line before it.
    old = int(old_start) + (1 if old_count == "0" else 0)
    new = int(new_start) + (1 if new_count == "0" else 0)
    current.hunks.append(_DiffHunk(old, new, "".join(kinds), texts))
    return i


# ---------------------------------------------------------------------------- rows


class _Range(NamedTuple):
    start: int  # first row
    kind: int
    file: int = -1
    hunk: int = -1
    text: str = ""


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
        self._files: list[_File] = []
        self._title = ""
        self._ranges: list[_Range] = []
        self._starts: list[int] = []
        self._rows = 0
        self._number_width = 1
        self._refs: list[tuple[int, int]] = []
        self._ref_index: dict[tuple[int, int], int] = {}
        self._hunk_rows: list[tuple[int, int]] = []  # first and last row of each hunk
        self._list_columns = (0, 0)  # widths of the file list's path and "+N" columns
        self._kept: list[bool] = []
        self._cursor = 0
        self._lexers: dict[int, Any] = {}
        self._pending_lexers: set[str] = set()
        self._tokens: LRUCache[tuple[int, int, int], list[highlight.Tokens] | None] = LRUCache(256)
        self._strips: LRUCache[int, tuple[Strip, Style, bool]] = LRUCache(1024)
        self._override: dict[str, str | None] = {}
        self._palette: _Palette | None = None
        self._component_styles_cache: dict[str, Style] = {}
        self._set_message(empty_message)

    # ------------------------------------------------------------------ public API

    def show_plan(self, plan: PatchPlan, title: str = "") -> None:
        """Show a patch plan; every hunk starts kept."""
        if not plan.files:
            self.show_message("No changes")
            return
        self._load([_from_change(c) for c in plan.files], title)

    def show_diff_text(self, text: str, title: str = "") -> None:
        """Show unified diff text; text with no file changes in it is shown as a message."""
        files = parse_diff_text(text)
        if files:
            self._load(files, title)
        else:
            self.show_message(text.strip() or "No changes")

    def show_message(self, text: str) -> None:
        """Replace the content with a message (the empty state)."""
        self._set_message(text)
        self._changed()

    def kept(self) -> list[tuple[int, int]]:
        """The (file index, hunk index) pairs kept, in `PatchPlan.hunk_refs()` order."""
        return [ref for ref, keep in zip(self._refs, self._kept, strict=True) if keep]

    @property
    def total(self) -> int:
        """How many hunks are shown."""
        return len(self._refs)

    @property
    def cursor(self) -> tuple[int, int] | None:
        """The (file index, hunk index) under the hunk cursor (None without hunks)."""
        return self._refs[self._cursor] if self._refs else None

    def set_kept(self, kept: Iterable[tuple[int, int]]) -> None:
        """Keep exactly these hunks (pairs not shown are ignored)."""
        wanted = set(kept)
        self._kept = [ref in wanted for ref in self._refs]
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

    # ------------------------------------------------------------------ layout

    def _set_message(self, text: str) -> None:
        self._files, self._title = [], ""
        self._ranges = [_Range(i, _MESSAGE, text=line) for i, line in enumerate(text.splitlines())]
        self._rows = len(self._ranges)
        self._refs, self._kept, self._hunk_rows, self._ref_index = [], [], [], {}

    def _load(self, files: list[_File], title: str) -> None:
        self._files, self._title = files, title
        self._layout()
        self._refs = [(fi, hi) for fi, f in enumerate(files) for hi in range(len(f.hunks))]
        self._ref_index = {ref: i for i, ref in enumerate(self._refs)}
        self._kept = [True] * len(self._refs)
        self._cursor = 0
        self._changed()
        self.scroll_to(0, 0, animate=False, immediate=True)
        if self.selectable:
            self._selection_changed()

    def _layout(self) -> None:
        files = self._files
        ranges: list[_Range] = []
        hunk_rows: list[tuple[int, int]] = []
        row = 0

        def add(kind: int, rows: int = 1, fi: int = -1, hi: int = -1, text: str = "") -> None:
            nonlocal row
            ranges.append(_Range(row, kind, fi, hi, text))
            row += rows

        if self._title:
            add(_TITLE, text=self._title)
        add(_SUMMARY)
        for fi in range(len(files)):
            add(_ITEM, fi=fi)
        for fi, f in enumerate(files):
            add(_BLANK)
            add(_FILE, fi=fi)
            for note in f.notes:
                add(_NOTE, fi=fi, text=note)
            for hi, hunk in enumerate(f.hunks):
                first = row
                if hi:
                    add(_SEP, fi=fi, hi=hi)
                if self.selectable:
                    add(_HEAD, fi=fi, hi=hi)
                if len(hunk):
                    add(_LINES, len(hunk), fi, hi)
                else:
                    add(_NOTE, fi=fi, hi=hi, text=_empty_note(f))
                hunk_rows.append((first, row - 1))
            if not f.hunks and not f.notes:
                add(_NOTE, fi=fi, text="no content changes")
        self._ranges = ranges
        self._starts = [r.start for r in ranges]
        path_width = min(max((len(f.shown_path) for f in files), default=0), 60)
        plus_width = max((len(f"+{f.added}") for f in files if f.added), default=0)
        self._list_columns = (path_width, plus_width)
        self._rows = row
        self._hunk_rows = hunk_rows
        last = max((h.last_numbers() for f in files for h in f.hunks), default=1)
        self._number_width = len(str(last))

    def _changed(self) -> None:
        self._starts = [r.start for r in self._ranges]
        self._lexers.clear()
        self._tokens.clear()
        self._strips.clear()
        longest = max((len(t) for f in self._files for h in f.hunks for t in h.texts), default=0)
        width = self._gutter_width() + 2 + min(longest, _MAX_TEXT + 1)
        self.virtual_size = Size(width, self._rows)
        self.refresh()

    def _gutter_width(self) -> int:
        return 2 * self._number_width + 2 + (1 if self.selectable else 0)

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
        if row >= self._rows or row < 0:
            return Strip.blank(width, base)
        strip, fill, scrolls = self._row(row)
        if not scrolls:
            return strip.crop_extend(0, width, fill)
        gutter = self._gutter(row, base)
        text_width = max(0, width - gutter.cell_length)
        body = strip.crop_extend(scroll_x, scroll_x + text_width, fill)
        return Strip.join([gutter, body])

    def _locate(self, row: int) -> tuple[_Range, int]:
        r = self._ranges[bisect_right(self._starts, row) - 1]
        return r, row - r.start

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
        r, offset = self._locate(row)
        kind = r.kind
        if kind == _LINES:
            return self._code_row(r.file, r.hunk, offset, base)
        pieces: list[tuple[str, Style]]
        fill = base
        if kind == _TITLE:
            pieces = [(" " + r.text, self._style("diffview--title"))]
        elif kind == _SUMMARY:
            pieces = self._summary()
        elif kind == _ITEM:
            f = self._files[r.file]
            letter = (f" {_KIND_LETTER.get(f.kind, '?')} ", self._style(_KIND_CLASS[f.kind]))
            path_width, plus_width = self._list_columns
            path = (" " + f.shown_path.ljust(path_width), Style())
            plus = f"+{f.added}" if f.added else ""
            pieces = [(" ", Style()), letter, path]
            pieces.append(("  " + plus.ljust(plus_width), self._style("diffview--added-sign")))
            if f.removed:
                pieces.append((f"  −{f.removed}", self._style("diffview--removed-sign")))
        elif kind == _FILE:
            f = self._files[r.file]
            fill = base + self.get_component_rich_style("diffview--file-header")
            pieces = [
                (f" {_KIND_LETTER.get(f.kind, '?')} ", self._style(_KIND_CLASS[f.kind])),
                (" " + f.shown_path, Style()),
                *self._counts(f),
            ]
        elif kind == _SEP:
            pieces = [(self._pad() + "⋮", self._style("diffview--muted"))]
        elif kind == _HEAD:
            pieces = self._hunk_head(r.file, r.hunk)
        elif kind == _NOTE:
            style = self._style("diffview--muted")
            if r.hunk >= 0 and not self._kept[self._ref_index_of(r.file, r.hunk)]:
                style = self._style("diffview--dropped")
            pieces = [(self._marker(r.file, r.hunk)[0] + self._pad()[1:], Style())]
            pieces += [(f"({r.text})", style)]
        elif kind == _MESSAGE:
            pieces = [(" " + r.text, self._style("diffview--muted"))]
        else:
            pieces = []
        segments = [Segment(_clean(text), fill + style) for text, style in pieces]
        return Strip(segments), fill, False

    def _pad(self) -> str:
        return " " * self._gutter_width()

    def _summary(self) -> list[tuple[str, Style]]:
        files = self._files
        added, removed = sum(f.added for f in files), sum(f.removed for f in files)
        noun = "file" if len(files) == 1 else "files"
        return [
            (f" {len(files)} {noun} changed", self._style("diffview--title")),
            *self._counts_of(added, removed),
        ]

    def _counts(self, f: _File) -> list[tuple[str, Style]]:
        return self._counts_of(f.added, f.removed)

    def _counts_of(self, added: int, removed: int) -> list[tuple[str, Style]]:
        out = []
        if added:
            out.append((f"  +{added}", self._style("diffview--added-sign")))
        if removed:
            out.append((f"  −{removed}", self._style("diffview--removed-sign")))
        return out

    def _ref_index_of(self, fi: int, hi: int) -> int:
        return self._ref_index[(fi, hi)]

    def _marker(self, fi: int, hi: int) -> tuple[str, Style]:
        if self.selectable and hi >= 0 and self._refs[self._cursor] == (fi, hi):
            return "▌", self._style("diffview--cursor")
        return (" " if self.selectable else ""), Style()

    def _hunk_head(self, fi: int, hi: int) -> list[tuple[str, Style]]:
        index = self._ref_index_of(fi, hi)
        kept = self._kept[index]
        hunk = self._files[fi].hunks[hi]
        where = ""
        if len(hunk):
            old, new = hunk.numbers(0)
            where = f" · line {new or old}"
        state = ("[✓] keep", self._style("diffview--kind-add"))
        if not kept:
            state = ("[✗] drop", self._style("diffview--kind-delete"))
        marker = self._marker(fi, hi)
        cursor = marker[0] == "▌"
        label_style = self._style("diffview--cursor") if cursor else self._style("diffview--muted")
        return [
            marker,
            (" ", Style()),
            state,
            (f"  hunk {index + 1} of {len(self._refs)}{where}", label_style),
        ]

    def _gutter(self, row: int, base: Style) -> Strip:
        r, offset = self._locate(row)
        hunk = self._files[r.file].hunks[r.hunk]
        old, new = hunk.numbers(offset)
        w = self._number_width
        numbers = f"{'' if old is None else old:>{w}} {'' if new is None else new:>{w}} "
        gutter = base + self._style("diffview--gutter")
        segments = [Segment(numbers, gutter)]
        if self.selectable:
            text, style = self._marker(r.file, r.hunk)
            segments.insert(0, Segment(text, base + style))
        return Strip(segments)

    def _code_row(self, fi: int, hi: int, i: int, base: Style) -> tuple[Strip, Style, bool]:
        hunk = self._files[fi].hunks[hi]
        kind = hunk.kinds[i]
        dropped = self.selectable and not self._kept[self._ref_index_of(fi, hi)]
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
        path = self._files[fi].path
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
        hunk = self._files[fi].hunks[hi]
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
            return self.selectable and bool(self._refs)
        return True

    def action_cursor_up(self) -> None:
        if self.selectable and self._refs:
            self._move_cursor(self._cursor - 1)
        else:
            self.scroll_up(animate=False)

    def action_cursor_down(self) -> None:
        if self.selectable and self._refs:
            self._move_cursor(self._cursor + 1)
        else:
            self.scroll_down(animate=False)

    def action_toggle_hunk(self) -> None:
        if not (self.selectable and self._refs):
            return
        self._kept[self._cursor] = not self._kept[self._cursor]
        self._selection_changed()

    def on_click(self, event: events.Click) -> None:
        if not (self.selectable and self._hunk_rows):
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_y)
        starts = [first for first, _ in self._hunk_rows]
        index = bisect_right(starts, row) - 1
        if index >= 0 and row <= self._hunk_rows[index][1]:
            self._move_cursor(index)

    def _move_cursor(self, index: int) -> None:
        index = max(0, min(index, len(self._refs) - 1))
        self._cursor = index
        self._strips.clear()
        self.refresh()
        self._scroll_to_hunk(index)

    def _scroll_to_hunk(self, index: int) -> None:
        first, last = self._hunk_rows[index]
        height = self.scrollable_content_region.height or self.size.height
        top = round(self.scroll_y)
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif last >= top + height:
            # Show as much of the hunk as fits, its head first.
            self.scroll_to(y=min(first, last - height + 1), animate=False)

    def _selection_changed(self) -> None:
        self._strips.clear()
        self.refresh()
        self.post_message(self.SelectionChanged(self, self.kept(), len(self._refs)))


def _empty_note(f: _File) -> str:
    if f.kind == "move":
        return "renamed, content unchanged"
    if f.kind in ("add", "delete"):
        return "empty file"
    return "no content changes"


def _parse_color(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None
