"""Lines Textual draws, freed when they are no longer drawn, not by the collector.

A Textual `Strip` caches what its methods return on itself, and two of them can
return the strip itself: `divide` at the strip's own length and `crop_extend`
to exactly its extent. Cached, that result is a strip holding itself, a cycle
that reference counting never frees. The compositor divides every line it
draws, so while an answer streams nearly every line drawn became such garbage:
~290,000 objects in 9 s of streaming, ten young-generation collections of
16-35 ms each, a pause the keys typed meanwhile wait out (two collections and
~30 ms in all with this module). `patch_strip_cycles()` returns those results
without caching them; every other result is Textual's own, cached as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

_patched = False


def patch_strip_cycles() -> None:
    """Once per process."""
    global _patched
    if _patched:
        return
    _patched = True
    divide: Callable[[Strip, Iterable[int]], Sequence[Strip]] = Strip.divide
    crop_extend: Callable[[Strip, int, int, Style | None], Strip] = Strip.crop_extend

    def divide_uncached_self(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        length = self.cell_length
        kept = [cut for cut in cuts if cut <= length]  # as Textual filters them
        if len(kept) == 1 and kept[0] == length:
            return [self]
        return divide(self, kept)

    def crop_extend_uncached_self(self: Strip, start: int, end: int, style: Style | None) -> Strip:
        # Textual's result is the strip itself exactly then: nothing to extend
        # (end is within it) and nothing to crop (from 0 to its end).
        if start <= 0 and end == self.cell_length:
            return self
        return crop_extend(self, start, end, style)

    Strip.divide = divide_uncached_self  # type: ignore[method-assign]
    Strip.crop_extend = crop_extend_uncached_self  # type: ignore[method-assign]
