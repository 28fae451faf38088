"""The change model: what a plan will do to each file, as the diff pane and the
approval dialog show it, with per-hunk selection giving a smaller plan."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from codex_tui.patch.disk import Snapshot
from codex_tui.patch.edits import Edit, group_edits, splice

__all__ = ["ChangeKind", "FileChange", "Hunk", "HunkLine", "PatchPlan"]

CONTEXT_LINES = 3  # as `diff -u` and `git diff`


class ChangeKind(StrEnum):
    ADD = "add"
    DELETE = "delete"
    UPDATE = "update"
    MOVE = "move"


@dataclass(frozen=True, slots=True)
class HunkLine:
    """One line of a hunk; `text` has no line ending, `ending` is `\\n`, `\\r\\n` or
    empty (a last line without a newline).

    `old_lineno`/`new_lineno` are 1-based (None on the side the line is not on).
    """

    kind: Literal[" ", "-", "+"]
    text: str
    old_lineno: int | None
    new_lineno: int | None
    ending: str = "\n"

    @property
    def no_newline(self) -> bool:
        return not self.ending


@dataclass(frozen=True, slots=True)
class Hunk:
    """A group of nearby changes with up to three lines of context around them.

    `old_start`/`new_start` are the 1-based numbers of the first line of the
    range (with a count of 0: the line the range would start at).
    """

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[HunkLine, ...]

    @property
    def added(self) -> int:
        return sum(1 for ln in self.lines if ln.kind == "+")

    @property
    def removed(self) -> int:
        return sum(1 for ln in self.lines if ln.kind == "-")

    @property
    def header(self) -> str:
        """`@@ -a,b +c,d @@` (an empty range names the line before it, as diff does)."""
        old = self.old_start if self.old_count else self.old_start - 1
        new = self.new_start if self.new_count else self.new_start - 1
        return f"@@ -{old},{self.old_count} +{new},{self.new_count} @@"


@dataclass(frozen=True, slots=True)
class _Detail:
    """What commit and hunk selection need; not part of the public model."""

    old_lines: Sequence[str]
    bom: bool
    write_to: Path | None  # where the new content goes
    remove: Path | None  # what gets unlinked (the source of a move, a deleted file)
    expect: tuple[tuple[Path, Snapshot | None], ...]  # disk state planned against
    create_perms: int = 0o666  # for new files: the kernel applies the umask
    # Set by build_change:
    new_lines: Sequence[str] | None = None  # None: the file is deleted
    existed: bool = False  # there was a file before (old_lines are its lines)
    edits: tuple[Edit, ...] = ()
    groups: tuple[tuple[int, int], ...] = ()  # edit index range of each hunk


@dataclass(frozen=True, eq=False)
class FileChange:
    """What happens to one file.

    Paths are relative to the workspace, `/`-separated. `overwritten`: an Add
    or a Move replaced an existing file. `old_mode`/`new_mode` are permission
    bits (None: no file / default mode). Every change has at least one hunk, so
    every change can be selected.
    """

    kind: ChangeKind
    old_path: str | None
    new_path: str | None
    hunks: tuple[Hunk, ...]
    overwritten: bool
    old_mode: int | None
    new_mode: int | None
    old_abspath: Path | None
    new_abspath: Path | None
    _detail: _Detail = field(repr=False)

    @property
    def path(self) -> str:
        """The path to show: the new one, or the old one for a deletion."""
        return self.new_path or self.old_path or ""

    @property
    def action(self) -> Literal["A", "M", "D"]:
        """The letter of the success summary (a move is `M new/path`)."""
        if self.kind == ChangeKind.ADD:
            return "A"
        return "D" if self.kind == ChangeKind.DELETE else "M"

    @property
    def added(self) -> int:
        return sum(h.added for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.removed for h in self.hunks)

    # The whole contents are joined when asked for, not kept: for a big file each
    # would be a second copy of it in memory, and committing writes the lines.
    @property
    def old_text(self) -> str | None:
        """The whole content before (None: there was no file)."""
        return "".join(self._detail.old_lines) if self._detail.existed else None

    @property
    def new_text(self) -> str | None:
        """The whole content after (None: the file is deleted)."""
        lines = self._detail.new_lines
        return None if lines is None else "".join(lines)

    @cached_property
    def diff(self) -> str:
        """This change as git-style unified diff text (`git apply` accepts it)."""
        return render_diff(self)

    def _with_edits(self, edits: Sequence[Edit]) -> FileChange:
        d = self._detail
        return build_change(
            self.kind,
            old_path=self.old_path,
            new_path=self.new_path,
            edits=edits,
            overwritten=self.overwritten,
            old_mode=self.old_mode,
            new_mode=self.new_mode,
            old_abspath=self.old_abspath,
            new_abspath=self.new_abspath,
            detail=d,
        )


def build_change(
    kind: ChangeKind,
    *,
    old_path: str | None,
    new_path: str | None,
    edits: Sequence[Edit],
    overwritten: bool,
    old_mode: int | None,
    new_mode: int | None,
    old_abspath: Path | None,
    new_abspath: Path | None,
    detail: _Detail,
    new_lines: Sequence[str] | None = None,
) -> FileChange:
    """Assemble a FileChange from `edits` (sorted, non-overlapping) of `detail.old_lines`."""
    old_lines = detail.old_lines
    edits = tuple(edits)
    groups = tuple(group_edits(edits, CONTEXT_LINES))
    hunks = tuple(_hunk(old_lines, edits, a, b) for a, b in groups) or (Hunk(0, 0, 0, 0, ()),)
    if new_lines is None:
        new_lines = splice(old_lines, edits)
    return FileChange(
        kind=kind,
        old_path=old_path,
        new_path=new_path,
        hunks=hunks,
        overwritten=overwritten,
        old_mode=old_mode,
        new_mode=new_mode,
        old_abspath=old_abspath,
        new_abspath=new_abspath,
        _detail=replace(
            detail,
            new_lines=None if kind == ChangeKind.DELETE else new_lines,
            existed=kind != ChangeKind.ADD or overwritten,
            edits=edits,
            groups=groups or ((0, 0),),
        ),
    )


def _line(
    kind: Literal[" ", "-", "+"], raw: str, old_no: int | None, new_no: int | None
) -> HunkLine:
    if raw.endswith("\r\n"):
        return HunkLine(kind, raw[:-2], old_no, new_no, "\r\n")
    if raw.endswith("\n"):
        return HunkLine(kind, raw[:-1], old_no, new_no, "\n")
    return HunkLine(kind, raw, old_no, new_no, "")


def _hunk(old_lines: Sequence[str], edits: Sequence[Edit], first: int, stop: int) -> Hunk:
    # The new-side offset of this hunk is what every earlier edit added or removed.
    delta = sum(len(e.new) - len(e.old) for e in edits[:first])
    lo = max(0, edits[first].start - CONTEXT_LINES)
    hi = min(len(old_lines), edits[stop - 1].end + CONTEXT_LINES)
    old_no, new_no = lo + 1, lo + 1 + delta
    out: list[HunkLine] = []

    def context(upto: int) -> None:
        nonlocal old_no, new_no
        for k in range(old_no - 1, upto):
            out.append(_line(" ", old_lines[k], old_no, new_no))
            old_no += 1
            new_no += 1

    for edit in edits[first:stop]:
        context(edit.start)
        for raw in edit.old:
            out.append(_line("-", raw, old_no, None))
            old_no += 1
        for raw in edit.new:
            out.append(_line("+", raw, None, new_no))
            new_no += 1
    context(hi)
    old_count = hi - lo
    new_count = old_count + sum(len(e.new) - len(e.old) for e in edits[first:stop])
    return Hunk(lo + 1, old_count, lo + 1 + delta, new_count, tuple(out))


def _git_mode(mode: int | None) -> str:
    return "100755" if mode is not None and mode & 0o111 else "100644"


def render_diff(change: FileChange) -> str:
    """Git-style headers, then the hunks; a `\\ No newline` marker where git puts one."""
    old = change.old_path or change.new_path
    new = change.new_path or change.old_path
    out = [f"diff --git a/{old} b/{new}\n"]
    if change.kind == ChangeKind.ADD and not change.overwritten:
        mode = change.new_mode if change.new_mode is not None else change._detail.create_perms
        out.append(f"new file mode {_git_mode(mode)}\n")
    elif change.kind == ChangeKind.DELETE:
        out.append(f"deleted file mode {_git_mode(change.old_mode)}\n")
    else:
        if _git_mode(change.old_mode) != _git_mode(change.new_mode) and change.new_mode is not None:
            out.append(f"old mode {_git_mode(change.old_mode)}\n")
            out.append(f"new mode {_git_mode(change.new_mode)}\n")
        if change.kind == ChangeKind.MOVE:
            out.append(f"rename from {old}\nrename to {new}\n")
    if not any(h.lines for h in change.hunks):
        return "".join(out)
    has_old = change.kind != ChangeKind.ADD or change.overwritten
    out.append(f"--- a/{old}\n" if has_old else "--- /dev/null\n")
    out.append("+++ /dev/null\n" if change.kind == ChangeKind.DELETE else f"+++ b/{new}\n")
    for hunk in change.hunks:
        out.append(hunk.header + "\n")
        for ln in hunk.lines:
            # A CRLF line keeps its `\r`, so `git apply` matches the file's bytes.
            out.append(f"{ln.kind}{ln.text}{ln.ending or chr(10)}")
            if ln.no_newline:
                out.append("\\ No newline at end of file\n")
    return "".join(out)


@dataclass(frozen=True, eq=False)
class PatchPlan:
    """A patch checked against the workspace and computed in memory, ready to commit.

    `files` are in the order the patch first touches them, one per file
    (several operations on the same file are combined).
    """

    root: Path
    files: tuple[FileChange, ...]

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every absolute path the plan writes or removes (symlinks resolved), once each."""
        seen: dict[Path, None] = {}
        for f in self.files:
            for p in (f._detail.remove, f._detail.write_to):
                if p is not None:
                    seen.setdefault(p)
        return tuple(seen)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)

    @property
    def diff(self) -> str:
        """The whole plan as one unified diff."""
        return "".join(f.diff for f in self.files)

    def hunk_refs(self) -> list[tuple[int, int]]:
        """Every (file index, hunk index) pair, in display order."""
        return [(i, h) for i, f in enumerate(self.files) for h in range(len(f.hunks))]

    def select(self, kept: Iterable[tuple[int, int]]) -> PatchPlan:
        """A plan that applies only the `kept` (file index, hunk index) pairs.

        A file none of whose hunks is kept is left alone entirely (its move,
        addition or deletion included); a deletion or an addition of a new
        file is a single hunk, so it is all or nothing.
        """
        by_file: dict[int, set[int]] = {}
        for fi, hi in kept:
            if not (0 <= fi < len(self.files) and 0 <= hi < len(self.files[fi].hunks)):
                raise IndexError(f"no hunk {hi} in file {fi}")
            by_file.setdefault(fi, set()).add(hi)
        files = []
        for fi, change in enumerate(self.files):
            chosen = by_file.get(fi)
            if not chosen:
                continue
            if len(chosen) == len(change.hunks):
                files.append(change)
                continue
            groups = change._detail.groups
            edits = [e for hi in sorted(chosen) for e in change._detail.edits[slice(*groups[hi])]]
            files.append(change._with_edits(edits))
        return PatchPlan(self.root, tuple(files))
