"""Find where a sequence of patch lines sits in a file.

Comparisons loosen in passes, and the first pass that finds the sequence wins:
exact; trailing whitespace ignored; leading and trailing whitespace ignored;
typographic punctuation folded to ASCII. Models retype context from memory,
and these are the differences they introduce without meaning anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["LineIndex", "canonical"]

# Dashes, curly quotes, odd spaces -> their ASCII look-alikes.
_FOLD: dict[int, str] = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'),
        **dict.fromkeys(
            "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "
        ),
        "\u2026": "...",
    }
)


def canonical(line: str) -> str:
    """The loosest form of a line: punctuation folded, outer whitespace dropped."""
    return line.translate(_FOLD).strip()


def _canonical_all(lines: list[str]) -> list[str]:
    """`canonical` of every line, faster for big files.

    str.translate looks every character up in a dict; a few str.replace calls
    over the joined text run at C speed instead (lines hold no newlines).
    """
    text = "\n".join(lines)
    if not text.isascii():
        for code, folded in _FOLD.items():
            if chr(code) in text:
                text = text.replace(chr(code), folded)
    return list(map(str.strip, text.split("\n"))) if lines else []


_PASSES: tuple[Callable[[str], str] | None, ...] = (None, str.rstrip, str.strip, canonical)
_LOOSEST = len(_PASSES) - 1


class LineIndex:
    """The lines of one file, with the loosened forms computed on first need."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._views: dict[int, list[str]] = {0: lines}

    def __len__(self) -> int:
        return len(self.lines)

    def _view(self, level: int) -> list[str]:
        view = self._views.get(level)
        if view is None:
            fold = _PASSES[level]
            assert fold is not None
            view = _canonical_all(self.lines) if level == _LOOSEST else list(map(fold, self.lines))
            self._views[level] = view
        return view

    def find(
        self,
        pattern: Sequence[str],
        start: int = 0,
        *,
        at_end: bool = False,
        near: int | None = None,
    ) -> int | None:
        """Index of the first match of `pattern` at or after `start`, or None.

        `at_end`: the match must end at the last line. `near`: among matches,
        take the one closest to this index (line numbers from a diff).
        An empty pattern matches at `start`.
        """
        if not pattern:
            return start
        for level, fold in enumerate(_PASSES):
            wanted = list(pattern) if fold is None else [fold(p) for p in pattern]
            found = _search(self._view(level), wanted, start, at_end, near)
            if found is not None:
                return found
        return None

    def longest_prefix(self, pattern: Sequence[str], start: int) -> int:
        """How many leading lines of `pattern` can be found together (loosest pass)."""
        view = self._view(len(_PASSES) - 1)
        wanted = [canonical(p) for p in pattern]
        lo, hi = 0, len(wanted)
        # Finding a prefix implies finding every shorter prefix: bisect.
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if _search(view, wanted[:mid], start, False, None) is not None:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _search(
    view: list[str], wanted: list[str], start: int, at_end: bool, near: int | None
) -> int | None:
    n, m = len(view), len(wanted)
    last = n - m  # the last index a match can start at
    if at_end:
        return last if last >= start and view[last:] == wanted else None
    first = wanted[0]
    best: int | None = None
    i = start
    while i <= last:
        try:
            i = view.index(first, i, last + 1)  # C-speed scan for the first line
        except ValueError:
            break
        if view[i : i + m] == wanted:
            if near is None or i >= near:
                if best is None or (near is not None and i - near < near - best):
                    best = i
                break
            best = i  # before `near`: keep looking for a closer one
        i += 1
    return best
