"""The diff document: a change set (a `PatchPlan` or unified diff text) as files, hunks
and screen rows, with the per-hunk selection of the approval dialog.

It imports no Textual, so the view's logic is tested without a screen. Rows are
kept as ranges found by bisection: opening a 20,000-line diff costs a pass over its
hunks, not its lines.

Diff text is read here rather than through unidiff (which `patch/unified.py` uses
to apply diffs): the view needs only line kinds and numbers, and reading them
directly is five times faster (a 20,000-line diff: 6 ms here, 30 ms through
unidiff's PatchSet), which keeps `/diff` on a big working tree within a frame
budget. Git's quoted paths are read by the patch engine's `unquote_git_path`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol, TypeAlias

from codex_tui.patch.git_names import unquote_git_path

if TYPE_CHECKING:
    from codex_tui.patch.model import FileChange, Hunk, PatchPlan

__all__ = [
    "DiffDocument",
    "DiffFile",
    "DiffHunk",
    "FileKind",
    "HunkRef",
    "HunkSelection",
    "PatchHunk",
    "RowKind",
    "RowRange",
    "TextHunk",
    "files_from_patch",
    "parse_diff_text",
]

FileKind = Literal["add", "delete", "update", "move"]
HunkRef: TypeAlias = tuple[int, int]
"""(file index, hunk index), numbered as `PatchPlan.hunk_refs()`."""


# ---------------------------------------------------------------------------- files and hunks


class DiffHunk(Protocol):
    """What the view needs of a hunk, whichever source it came from: the line kinds
    (`+`, `-`, space) as one string and the texts side by side, so counting and slicing
    a 20,000-line hunk stays cheap."""

    @property
    def kinds(self) -> str: ...

    @property
    def texts(self) -> Sequence[str]: ...

    def __len__(self) -> int: ...

    def numbers(self, i: int) -> tuple[int | None, int | None]:
        """Old and new line number of line `i` (None on the side it is not on)."""
        ...

    def last_number(self) -> int:
        """A bound on the largest line number, for the gutter's width."""
        ...


@dataclass(frozen=True, slots=True)
class TextHunk:
    """A hunk read from diff text. Its line numbers are counted from the start when
    asked: only the rows on screen need them."""

    old_start: int
    new_start: int
    kinds: str
    texts: Sequence[str]

    def __len__(self) -> int:
        return len(self.kinds)

    def numbers(self, i: int) -> tuple[int | None, int | None]:
        kind = self.kinds[i]
        old = self.old_start + i - self.kinds.count("+", 0, i)
        new = self.new_start + i - self.kinds.count("-", 0, i)
        return (None if kind == "+" else old), (None if kind == "-" else new)

    def last_number(self) -> int:
        return max(self.old_start, self.new_start) + len(self.kinds)


@dataclass(frozen=True, slots=True)
class PatchHunk:
    """A `patch.model.Hunk`, whose lines already carry their numbers."""

    hunk: Hunk
    kinds: str
    texts: Sequence[str]

    @classmethod
    def of(cls, hunk: Hunk) -> PatchHunk:
        return cls(hunk, "".join(ln.kind for ln in hunk.lines), [ln.text for ln in hunk.lines])

    def __len__(self) -> int:
        return len(self.kinds)

    def numbers(self, i: int) -> tuple[int | None, int | None]:
        line = self.hunk.lines[i]
        return line.old_lineno, line.new_lineno

    def last_number(self) -> int:
        h = self.hunk
        return max(h.old_start + h.old_count, h.new_start + h.new_count)


@dataclass(slots=True)
class DiffFile:
    """One file of the change set (mutable: the diff text parser fills it in as it
    reads the file's headers). `notes` are what is shown instead of, or besides,
    content: a mode change, a binary file, a copy."""

    kind: FileKind
    old_path: str | None
    new_path: str | None
    hunks: list[DiffHunk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The path that names the file (the new one unless it is deleted)."""
        return self.new_path or self.old_path or "?"

    @property
    def shown_path(self) -> str:
        """The path as shown in headers: `old → new` for a rename."""
        if self.kind == "move" and self.old_path and self.new_path:
            return f"{self.old_path} → {self.new_path}"
        return self.path

    @property
    def added(self) -> int:
        return sum(h.kinds.count("+") for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.kinds.count("-") for h in self.hunks)

    def empty_note(self) -> str:
        """What a hunk without lines stands for (a plan gives every change one hunk)."""
        if self.kind == "move":
            return "renamed, content unchanged"
        if self.kind in ("add", "delete"):
            return "empty file"
        return "no content changes"


def files_from_patch(patch: PatchPlan) -> list[DiffFile]:
    """The files of a computed patch, one hunk for each of its hunks, in the same order
    (so hunk refs name the same hunks in both)."""
    return [_from_change(change) for change in patch.files]


def _from_change(change: FileChange) -> DiffFile:
    hunks: list[DiffHunk] = [PatchHunk.of(h) for h in change.hunks]
    return DiffFile(change.kind.value, change.old_path, change.new_path, hunks)


# ---------------------------------------------------------------------------- diff text

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_DEV_NULL = "/dev/null"


def parse_diff_text(text: str) -> list[DiffFile]:
    """Read unified diff text (`git diff`, `diff -u`) for display. Lines it does not
    understand (commit headers, index lines) are skipped, never an error: this is for
    showing whatever a tool printed, not for applying it (`patch.unified` does that)."""
    lines = text.splitlines()
    files: list[DiffFile] = []
    current: DiffFile | None = None
    in_git_header = False
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if line.startswith("diff --git "):
            old, new = _git_header_paths(line[11:])
            current = DiffFile("update", old, new)
            files.append(current)
            in_git_header = True
        elif line.startswith("--- ") and i < n and lines[i].startswith("+++ "):
            old, new = line[4:], lines[i][4:]
            i += 1
            if current is None or not in_git_header:
                current = DiffFile("update", None, None)
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


def _strip_prefix(name: str, prefix: str) -> str:
    name = unquote_git_path(name.split("\t", 1)[0].strip())
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


def _git_extended_header(line: str, current: DiffFile) -> None:
    if line.startswith("new file mode"):
        current.kind, current.old_path = "add", None
    elif line.startswith("deleted file mode"):
        current.kind, current.new_path = "delete", None
    elif line.startswith(("rename from ", "copy from ")):
        current.old_path = unquote_git_path(line.split(" ", 2)[2])
        current.kind = "move" if line.startswith("rename") else "add"
        if current.kind == "add":
            current.notes.append(f"copied from {current.old_path}")
    elif line.startswith(("rename to ", "copy to ")):
        current.new_path = unquote_git_path(line.split(" ", 2)[2])
    elif line.startswith("old mode "):
        current.notes.append(f"mode {line[9:]}")
    elif line.startswith("new mode ") and current.notes:
        current.notes[-1] += f" → {line[9:]}"
    elif line.startswith(("Binary files ", "GIT binary patch")):
        current.notes.append("binary file, not shown")


def _read_hunk(lines: list[str], i: int, match: re.Match[str], current: DiffFile) -> int:
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
    current.hunks.append(TextHunk(old, new, "".join(kinds), texts))
    return i


# ---------------------------------------------------------------------------- rows


class RowKind(IntEnum):
    """What a screen row shows."""

    TITLE = 0  # the caller's title
    SUMMARY = 1  # "N files changed +a −r"
    ITEM = 2  # one file of the file list
    BLANK = 3
    FILE = 4  # a file's header
    NOTE = 5  # a file's note, or what an empty hunk stands for
    SEP = 6  # between two hunks of a file
    HEAD = 7  # a hunk's keep/drop line (selectable views only)
    LINES = 8  # the lines of a hunk, one row each
    MESSAGE = 9  # a line of a message shown instead of a diff


class RowRange(NamedTuple):
    """Rows from `start` up to the next range's start, all of one kind. `file` and
    `hunk` index what they show (-1: nothing); `text` is a title, note or message."""

    start: int
    kind: RowKind
    file: int = -1
    hunk: int = -1
    text: str = ""


# ---------------------------------------------------------------------------- selection


class HunkSelection:
    """Which hunks are kept, and which one the hunk cursor is on.

    Hunks are numbered in `PatchPlan.hunk_refs()` order, so `kept()` goes straight
    to `PatchPlan.select`. Every hunk starts kept.
    """

    __slots__ = ("_index", "_kept", "cursor", "refs")

    def __init__(self, refs: Iterable[HunkRef] = ()) -> None:
        self.refs: tuple[HunkRef, ...] = tuple(refs)
        self._index = {ref: i for i, ref in enumerate(self.refs)}
        self._kept = [True] * len(self.refs)
        self.cursor = 0  # index in `refs` of the hunk under the cursor

    @property
    def total(self) -> int:
        return len(self.refs)

    @property
    def cursor_ref(self) -> HunkRef | None:
        """The hunk under the cursor (None without hunks)."""
        return self.refs[self.cursor] if self.refs else None

    def index(self, ref: HunkRef) -> int:
        """The hunk's number, counted from 0 (KeyError for a hunk not shown)."""
        return self._index[ref]

    def is_kept(self, ref: HunkRef) -> bool:
        return self._kept[self._index[ref]]

    def kept(self) -> list[HunkRef]:
        """The kept hunks, in order."""
        return [ref for ref, keep in zip(self.refs, self._kept, strict=True) if keep]

    def set_kept(self, kept: Iterable[HunkRef]) -> None:
        """Keep exactly these hunks; refs not shown are ignored, as a stale or foreign
        selection should not fail the dialog."""
        wanted = set(kept)
        self._kept = [ref in wanted for ref in self.refs]

    def toggle(self) -> bool:
        """Keep or drop the hunk under the cursor; False when there is none."""
        if not self.refs:
            return False
        self._kept[self.cursor] = not self._kept[self.cursor]
        return True

    def move_to(self, index: int) -> int:
        """Put the cursor on hunk `index`, held to the first and last hunk; returns
        where it went."""
        self.cursor = max(0, min(index, len(self.refs) - 1))
        return self.cursor


# ---------------------------------------------------------------------------- the document


class DiffDocument:
    """Files, the rows that show them, and the hunk selection: one value the view
    swaps whole when it shows something else.

    `hunk_heads` adds a keep/drop row above each hunk (the selectable view). A
    `message` is shown instead of files, one row a line (the empty state).

    Besides `files`, `title`, `rows` and `selection`, it measures what the view
    sizes its columns by: `height` (rows), `number_width` (digits of the largest
    line number), `longest_line` (characters), and the file list's `path_width`
    (at most 60; longer paths overflow) and `plus_width` (the `+N` column).
    """

    __slots__ = (
        "_file_rows",
        "_hunk_rows",
        "_hunk_starts",
        "_starts",
        "files",
        "height",
        "longest_line",
        "number_width",
        "path_width",
        "plus_width",
        "rows",
        "selection",
        "title",
    )

    def __init__(
        self,
        files: Sequence[DiffFile] = (),
        title: str = "",
        *,
        hunk_heads: bool = False,
        message: str | None = None,
    ) -> None:
        self.files = tuple(files)
        self.title = title
        self.rows: list[RowRange] = []
        self._hunk_rows: list[tuple[int, int]] = []  # first and last row of each hunk
        self._file_rows: list[int] = []  # the header row of each file
        if message is None:
            self.height = _layout(
                self.files, title, hunk_heads, self.rows, self._hunk_rows, self._file_rows
            )
        else:
            lines = message.splitlines()
            self.rows += [RowRange(i, RowKind.MESSAGE, text=t) for i, t in enumerate(lines)]
            self.height = len(lines)
        self._starts = [r.start for r in self.rows]
        self._hunk_starts = [first for first, _ in self._hunk_rows]
        self.selection = HunkSelection(
            (fi, hi) for fi, f in enumerate(self.files) for hi in range(len(f.hunks))
        )
        hunks = [h for f in self.files for h in f.hunks]
        self.number_width = len(str(max((h.last_number() for h in hunks), default=1)))
        self.longest_line = max((len(t) for h in hunks for t in h.texts), default=0)
        self.path_width = min(max((len(f.shown_path) for f in self.files), default=0), 60)
        self.plus_width = max((len(f"+{f.added}") for f in self.files if f.added), default=0)

    @classmethod
    def of_patch(
        cls, patch: PatchPlan, title: str = "", *, hunk_heads: bool = False
    ) -> DiffDocument:
        return cls(files_from_patch(patch), title, hunk_heads=hunk_heads)

    def hunk(self, ref: HunkRef) -> DiffHunk:
        fi, hi = ref
        return self.files[fi].hunks[hi]

    def locate(self, row: int) -> tuple[RowRange, int]:
        """The range holding `row` (0 <= row < height) and the row's offset in it."""
        r = self.rows[bisect_right(self._starts, row) - 1]
        return r, row - r.start

    def hunk_rows(self, index: int) -> tuple[int, int]:
        """The first and last row of hunk `index` (its separator and head included)."""
        return self._hunk_rows[index]

    def hunk_view(self, index: int) -> tuple[int, int, int]:
        """What showing hunk `index` means: the row to start from (its file's header
        when it is the file's first hunk, else its own first row), the row of its
        head (the keep/drop line, or its first line without heads) and its last row."""
        first, last = self._hunk_rows[index]
        fi, hi = self.selection.refs[index]
        # Every hunk after a file's first starts with a separator row.
        return (self._file_rows[fi] if hi == 0 else first), first + (1 if hi else 0), last

    def row_of(self, path: str, line: int) -> int | None:
        """The first row to show for `path` at new line `line`: the hunk holding the
        line (from its start), else the file's header; None for a file not here."""
        index = 0
        for fi, f in enumerate(self.files):
            if f.path != path:
                index += len(f.hunks)
                continue
            for hi, hunk in enumerate(f.hunks):
                numbers = [hunk.numbers(i)[1] for i in range(len(hunk))]
                news = [n for n in numbers if n is not None]
                if news and min(news) <= line <= max(news):
                    return self.hunk_view(index + hi)[0]
            return self._file_rows[fi] if fi < len(self._file_rows) else None
        return None

    def hunk_at(self, row: int) -> int | None:
        """The number of the hunk whose rows hold `row`, if any: what a click picks."""
        index = bisect_right(self._hunk_starts, row) - 1
        if index >= 0 and row <= self._hunk_rows[index][1]:
            return index
        return None


def _layout(
    files: Sequence[DiffFile],
    title: str,
    hunk_heads: bool,
    ranges: list[RowRange],
    hunk_rows: list[tuple[int, int]],
    file_rows: list[int],
) -> int:
    """Fill `ranges`, `hunk_rows` and `file_rows`; return the number of rows."""
    row = 0

    def add(kind: RowKind, rows: int = 1, fi: int = -1, hi: int = -1, text: str = "") -> None:
        nonlocal row
        ranges.append(RowRange(row, kind, fi, hi, text))
        row += rows

    if title:
        add(RowKind.TITLE, text=title)
    add(RowKind.SUMMARY)
    for fi in range(len(files)):
        add(RowKind.ITEM, fi=fi)
    for fi, f in enumerate(files):
        add(RowKind.BLANK)
        file_rows.append(row)
        add(RowKind.FILE, fi=fi)
        for note in f.notes:
            add(RowKind.NOTE, fi=fi, text=note)
        for hi, hunk in enumerate(f.hunks):
            first = row
            if hi:
                add(RowKind.SEP, fi=fi, hi=hi)
            if hunk_heads:
                add(RowKind.HEAD, fi=fi, hi=hi)
            if len(hunk):
                add(RowKind.LINES, len(hunk), fi, hi)
            else:
                add(RowKind.NOTE, fi=fi, hi=hi, text=f.empty_note())
            hunk_rows.append((first, row - 1))
        if not f.hunks and not f.notes:
            add(RowKind.NOTE, fi=fi, text="no content changes")
    return row
