"""Capped capture of a command's output: the head and the tail, never all of it.

Memory stays bounded whatever the command prints; the rendered text marks the
elided middle and gives the total line count.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OutputCapture", "OutputLimits"]


@dataclass(frozen=True)
class OutputLimits:
    """Kept at most: `head_lines`/`head_bytes` from the start, as much from the end."""

    head_lines: int = 128
    tail_lines: int = 128
    head_bytes: int = 12_000
    tail_bytes: int = 12_000


class OutputCapture:
    """Feed it chunks; `text()` renders head, elision marker, tail."""

    def __init__(self, limits: OutputLimits | None = None) -> None:
        self.limits = limits or OutputLimits()
        self.head = bytearray()
        self.head_full = False
        self.tail = bytearray()
        self.total_bytes = 0
        self.newlines = 0
        self.last_byte = b""

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.total_bytes += len(chunk)
        self.newlines += chunk.count(b"\n")
        self.last_byte = chunk[-1:]
        if not self.head_full:
            room = self.limits.head_bytes - len(self.head)
            take = chunk[:room]
            lines_room = self.limits.head_lines - self.head.count(b"\n")
            cut = _after_nth_newline(take, lines_room)
            if cut is not None:
                take = take[:cut]
            self.head += take
            chunk = chunk[len(take) :]
            if chunk or cut is not None or len(self.head) >= self.limits.head_bytes:
                self.head_full = True
        if chunk:
            self.tail += chunk
            if len(self.tail) > 2 * self.limits.tail_bytes:
                del self.tail[: len(self.tail) - self.limits.tail_bytes]

    @property
    def total_lines(self) -> int:
        partial = 1 if self.total_bytes and self.last_byte != b"\n" else 0
        return self.newlines + partial

    def _kept_tail(self) -> bytes:
        """The end of the output within the tail limits (bytes, then lines)."""
        tail = bytes(self.tail[-self.limits.tail_bytes :])
        cut = _after_nth_newline(tail[::-1], self.limits.tail_lines + 1)
        if cut is not None:  # more lines than allowed: keep the last tail_lines
            tail = tail[len(tail) - cut + 1 :]
        return tail

    @property
    def truncated(self) -> bool:
        return len(self.head) + len(self._kept_tail()) < self.total_bytes

    def text(self) -> str:
        """Everything when it fits; else head, a marker, and tail."""
        tail = self._kept_tail()
        if len(self.head) + len(tail) >= self.total_bytes:
            return (bytes(self.head) + tail).decode("utf-8", "replace")
        omitted_bytes = self.total_bytes - len(self.head) - len(tail)
        omitted_lines = self.newlines - self.head.count(b"\n") - tail.count(b"\n")
        head = bytes(self.head).decode("utf-8", "replace")
        if head and not head.endswith("\n"):
            head += "\n"
        marker = (
            f"[… {omitted_lines} lines ({omitted_bytes} bytes) omitted; "
            f"{self.total_lines} lines in total …]\n"
        )
        return head + marker + tail.decode("utf-8", "replace")


def _after_nth_newline(data: bytes, n: int) -> int | None:
    """Index just after the n-th newline of `data`, or None if it has fewer."""
    if n <= 0:
        return 0
    pos = -1
    for _ in range(n):
        pos = data.find(b"\n", pos + 1)
        if pos < 0:
            return None
    return pos + 1
