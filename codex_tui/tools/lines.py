"""Lines of a text that arrives in pieces (a file read a chunk at a time, a
program's output): counted exactly as `str.splitlines` counts them, with only a
window of them kept, so memory stays small whatever the size of the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The line boundaries of str.splitlines; "\r\n" is one.
BOUNDARY = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_RARE = BREAKS[1:]


def count_breaks(text: str) -> int:
    """How many line boundaries `text` holds ("\\r\\n" counts once).

    Each `in` test is a memchr: the rare boundaries cost nothing when absent."""
    breaks = text.count("\n")
    for char in _RARE:
        if char in text:
            breaks += text.count(char)
    if "\r" in text:
        breaks -= text.count("\r\n")
    return breaks


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # at most the window's `keep` first characters
    length: int  # the whole line's, in characters


class LineWindow:
    """Counts the lines fed to it and keeps some: from line `first` (1-based) on,
    at most `count` of them (None: no limit), each cut to `keep` characters, and
    only while the kept lines, each with its newline, fit in `budget` characters
    (the line that would not fit, and all after it, are counted only).

        window = LineWindow(first=401, count=400, keep=500)
        for piece in pieces:
            window.feed(piece)
        window.finish()
        window.lines, window.total
    """

    def __init__(
        self, first: int = 1, count: int | None = None, keep: int = 500, budget: int | None = None
    ) -> None:
        self.first = first
        self.count = count
        self.keep = keep
        self.budget = budget
        self.lines: list[Line] = []
        self.done = 0  # lines ended so far
        self._partial = False  # text after the last boundary
        self._after_cr = False  # the last piece ended with "\r" (a "\n" may follow)
        self._head: list[str] = []  # the kept start of the current line
        self._head_len = 0
        self._length = 0  # the current line's length, while it is in the window
        self._used = 0  # characters of the kept lines, newlines included
        self.closed = count is not None and count <= 0  # nothing more will be kept

    @property
    def total(self) -> int:
        """Lines so far; after `finish()`, the text's line count."""
        return self.done + (1 if self._partial else 0)

    def feed(self, text: str) -> None:
        if self._after_cr and text.startswith("\n"):
            text = text[1:]  # the second half of a "\r\n" split between pieces
        self._after_cr = False
        if not text:
            return
        self._after_cr = text.endswith("\r")
        if self.closed:
            self._count_only(text)
            return
        breaks = count_breaks(text)
        if self.done + breaks + 1 < self.first:  # no line of the window is in this piece
            self.done += breaks
            self._partial = text[-1] not in BREAKS
            return
        start = 0
        for boundary in BOUNDARY.finditer(text):
            self._extend(text[start : boundary.start()])
            self._end_line()
            start = boundary.end()
            if self.closed:
                self._count_only(text[start:])
                return
        self._extend(text[start:])

    def finish(self) -> None:
        """The text has ended: a last line without a newline counts."""
        if self._partial:
            self._end_line()

    def _count_only(self, text: str) -> None:
        if text:
            self.done += count_breaks(text)
            self._partial = text[-1] not in BREAKS

    def _in_window(self) -> bool:
        return not self.closed and self.done + 1 >= self.first

    def _extend(self, piece: str) -> None:
        if not piece:
            return
        self._partial = True
        if not self._in_window():
            return
        self._length += len(piece)
        room = self.keep - self._head_len
        if room > 0:
            self._head.append(piece[:room])
            self._head_len += min(room, len(piece))
        self._check_budget()

    def _end_line(self) -> None:
        if self._in_window():
            self._check_budget()
        if self._in_window():
            self.lines.append(Line("".join(self._head), self._length))
            self._used += self._length + 1
            if self.count is not None and len(self.lines) >= self.count:
                self.closed = True
        self._head, self._head_len, self._length = [], 0, 0
        self.done += 1
        self._partial = False

    def _check_budget(self) -> None:
        if self.budget is not None and self._used + self._length + 1 > self.budget:
            self.closed = True
