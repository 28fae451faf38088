"""Find where a sequence of patch lines sits in a file.

Comparisons loosen in passes, and the first pass that finds the sequence wins:
exact; trailing whitespace ignored; leading and trailing whitespace ignored;
typographic punctuation folded to ASCII. Models retype context from memory,
and these are the differences they introduce without meaning anything.

A big file is never copied in a loosened form (that once took 1 GB for a
million lines). The exact pass looks a line up as it is, ending included, at
C speed. The looser passes share one key a line: the hash of its loosest form.
Each pass only loosens the one before, so a sequence can match, at any pass,
only where its keys match; only those few places are compared line by line.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence

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
_FOLD_PAIRS = tuple((chr(code), folded) for code, folded in _FOLD.items())

# Lines folded together when keys are made: big enough for C speed, small
# enough that the joined text is a passing few hundred kilobytes.
_BLOCK = 4096


def canonical(line: str) -> str:
    """The loosest form of a line: punctuation folded, outer whitespace dropped."""
    return line.translate(_FOLD).strip()


def _fold_text(text: str) -> str:
    """`text.translate(_FOLD)`, at C speed: translate looks every character of a
    non-ASCII text up in a dict, str.replace does not."""
    if text.isascii():
        return text
    for char, folded in _FOLD_PAIRS:
        if char in text:
            text = text.replace(char, folded)
    return text


def _canonical_all(lines: Sequence[str]) -> list[str]:
    """`canonical` of every line; lines may keep their endings.

    Lines that end with a newline (all but perhaps the last, as a file's do)
    are folded joined; others, one by one. A line holds no other newline.
    """
    text = "".join(lines)
    parts = _fold_text(text).split("\n")
    if not text or text.endswith("\n"):
        parts.pop()
    if len(parts) != len(lines):
        return [canonical(line) for line in lines]
    return list(map(str.strip, parts))


def _body(line: str) -> str:
    """A line without its ending (`\\n`, `\\r\\n`, or a lone `\\r` on a last line)."""
    if line.endswith("\n"):
        line = line[:-1]
    return line[:-1] if line.endswith("\r") else line


_PASSES: tuple[Callable[[str], str], ...] = (_body, str.rstrip, str.strip, canonical)
_LOOSEST = len(_PASSES) - 1


def _keys_of(lines: Iterable[str]) -> array[int]:
    return array("q", list(map(hash, lines)))  # from a list: faster than from an iterator


_WIDTH = array("q").itemsize  # bytes a key takes


class LineIndex:
    """The lines of one file, each with its ending or without (only the last
    line of a file lacks one); what looser passes need is made on first need.

    `ending`, when given, is a promise that every line but the last ends with
    it; otherwise the endings present are counted when the exact pass first runs.
    """

    def __init__(self, lines: Sequence[str], ending: str | None = None) -> None:
        self.lines = lines
        self._endings: tuple[str, ...] | None = None if ending is None else (ending,)
        self._keys: bytearray | None = None  # 8 bytes a line: hash of `canonical`

    def __len__(self) -> int:
        return len(self.lines)

    def find(
        self,
        pattern: Sequence[str],
        start: int = 0,
        *,
        at_end: bool = False,
        near: int | None = None,
    ) -> int | None:
        """Index of the first match of `pattern` (lines without endings) at or
        after `start`, or None.

        `at_end`: the match must end at the last line. `near`: among matches,
        take the one closest to this index (line numbers from a diff).
        An empty pattern matches at `start`.
        """
        if not pattern:
            return start
        for level in range(len(_PASSES)):
            found = _pick(self._matches(level, pattern, start, at_end), near)
            if found is not None:
                return found
        return None

    def longest_prefix(self, pattern: Sequence[str], start: int) -> int:
        """How many leading lines of `pattern` can be found together (loosest pass)."""
        lo, hi = 0, len(pattern)
        # Finding a prefix implies finding every shorter prefix: bisect.
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if next(self._matches(_LOOSEST, pattern[:mid], start, False), None) is not None:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _matches(
        self, level: int, pattern: Sequence[str], start: int, at_end: bool
    ) -> Iterator[int]:
        """Every index where `pattern` matches at this pass, in order."""
        fold = _PASSES[level]
        wanted = list(pattern) if level == 0 else [fold(p) for p in pattern]
        lines = self.lines
        last = len(lines) - len(wanted)  # the last index a match can start at
        candidates: Iterable[int]
        if at_end:
            candidates = (last,) if last >= start else ()
        elif level == 0 and self._keys is None:
            candidates = self._exact_firsts(wanted[0], start)
        else:  # once made for a looser pass, keys narrow the exact pass too
            candidates = self._same_keys(pattern, start)
        for i in candidates:
            if i > last:
                return
            if all(fold(lines[i + k]) == w for k, w in enumerate(wanted)):
                yield i

    # -- the exact pass: the first line looked up with each ending ----------

    def _exact_firsts(self, first: str, start: int) -> Iterator[int]:
        """Indexes at or after `start` whose line may read `first` (in order)."""
        lines = self.lines
        last = len(lines) - 1  # looked at directly: its ending may be another, or none
        heads: dict[str | None, int] = {}
        for ending in self._line_endings():
            at = _index(lines, first + ending, start, last)
            if at is not None:
                heads[ending] = at
        if last >= start:
            heads[None] = last
        while heads:
            which, at = min(heads.items(), key=lambda item: item[1])
            yield at
            nxt = None if which is None else _index(lines, first + which, at + 1, last)
            if nxt is None:
                del heads[which]
            else:
                heads[which] = nxt

    def _line_endings(self) -> tuple[str, ...]:
        """The endings lines other than the last have, counted in blocks."""
        if self._endings is None:
            lines, newlines, crlf = self.lines, 0, 0
            last = len(lines) - 1
            for a in range(0, last, _BLOCK):
                text = "".join(lines[a : min(a + _BLOCK, last)])
                newlines += text.count("\n")
                if "\r" in text:
                    crlf += text.count("\r\n")
            present = {"\n": newlines > crlf, "\r\n": crlf > 0, "": newlines < max(last, 0)}
            self._endings = tuple(e for e, there in present.items() if there)
        return self._endings

    # -- the looser passes: keys first -------------------------------------

    def _same_keys(self, pattern: Sequence[str], start: int) -> Iterator[int]:
        """Indexes at or after `start` where the keys of `pattern` follow each other."""
        keys = self._line_keys()
        needle = _keys_of(map(canonical, pattern)).tobytes()
        pos = keys.find(needle, start * _WIDTH)
        while pos >= 0:
            line, offset = divmod(pos, _WIDTH)
            if offset == 0:  # not a match straddling two keys
                yield line
            pos = keys.find(needle, (line + 1) * _WIDTH)

    def _line_keys(self) -> bytearray:
        if self._keys is None:
            keys, lines = bytearray(), self.lines
            for a in range(0, len(lines), _BLOCK):
                keys += _keys_of(_canonical_all(lines[a : a + _BLOCK]))
            self._keys = keys
        return self._keys


def _index(lines: Sequence[str], value: str, start: int, stop: int) -> int | None:
    try:
        return lines.index(value, start, stop)
    except ValueError:
        return None


def _pick(matches: Iterator[int], near: int | None) -> int | None:
    """The first match; with `near`, the match closest to it (the earlier on a tie)."""
    best = None
    for i in matches:
        if near is None:
            return i
        if i >= near:
            return i if best is None or i - near < near - best else best
        best = i
    return best
