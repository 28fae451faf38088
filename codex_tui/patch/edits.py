"""Edits on a list of lines: the exact changes a plan makes, and hunks grouped from them.

An edit replaces `old` lines starting at `start` with `new` lines; lines keep
their endings, so a changed ending (a newline added at the end of the file)
is an edit like any other. Edits of one file never overlap and are sorted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Edit", "diff_lines", "group_edits", "merge_touching", "splice"]


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.old)


def merge_touching(edits: Sequence[Edit]) -> list[Edit]:
    """Sort edits (an insertion before a replacement at the same place) and join adjacent ones."""
    out: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, len(e.old) > 0)):
        if out and out[-1].end == edit.start:
            prev = out[-1]
            out[-1] = Edit(prev.start, prev.old + edit.old, prev.new + edit.new)
        else:
            out.append(edit)
    return out


def splice(lines: Sequence[str], edits: Sequence[Edit]) -> list[str]:
    """The lines after applying `edits` (sorted, non-overlapping)."""
    out: list[str] = []
    pos = 0
    for edit in edits:
        out += lines[pos : edit.start]
        out += edit.new
        pos = edit.end
    out += lines[pos:]
    return out


def diff_lines(old: Sequence[str], new: Sequence[str]) -> list[Edit]:
    """Edits turning `old` into `new`, for when the exact edits are not known."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid = old[head : len(old) - tail]
    new_mid = new[head : len(new) - tail]
    if not old_mid or not new_mid:  # a new file, say: nothing to compare
        return [Edit(head, tuple(old_mid), tuple(new_mid))] if old_mid or new_mid else []
    import difflib  # only here: kept off apply-patch's start-up

    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    return [
        Edit(head + i1, tuple(old_mid[i1:i2]), tuple(new_mid[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def group_edits(edits: Sequence[Edit], context: int) -> list[tuple[int, int]]:
    """Group edits into hunks: (first, last+1) index ranges into `edits`.

    Edits whose context windows would overlap or touch share a hunk, as in
    `diff -u`.
    """
    groups: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(edits) + 1):
        if i == len(edits) or edits[i].start - edits[i - 1].end > 2 * context:
            groups.append((first, i))
            first = i
    return groups
