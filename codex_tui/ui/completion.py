"""Fuzzy matching for the composer's pop-ups: repository paths after `@`, commands after `/`.

Pure functions and one index class; no Textual here. A query matches a candidate when its
characters appear in order (case-insensitive). Scores reward contiguous runs, matches at the
start of a path segment or word, and matches inside the file name (basename).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, repeat

__all__ = ["FuzzyIndex", "Match", "fuzzy_match", "rank"]

SCORE_CHAR = 16
BONUS_SEGMENT_START = 10  # first character of the path or of a segment (after "/")
BONUS_WORD_START = 8  # after "-", "_", ".", " " or a lower→upper case change
BONUS_RUN = 8  # each character that directly follows the previous match
BONUS_BASENAME_CHAR = 4  # each character matched inside the basename
BONUS_BASENAME_START = 12  # the match starts where the basename starts
BONUS_BASENAME_ALL = 10  # every character matched inside the basename
BONUS_BASENAME_EXACT = 40  # the basename (or its stem) is the query
PENALTY_GAP_START = 3
PENALTY_GAP_EXTEND = 1

# Fine scoring (~8 µs a candidate) runs on at most this many candidates per search; coarse
# tiers (cheap substring tests) decide which ones when more match. See FuzzyIndex.search.
FINE_SCORE_BUDGET = 600

_WORD_SEPARATORS = frozenset("-_. ")


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked candidate and the indices of the characters the query matched."""

    text: str
    score: int
    positions: tuple[int, ...]


def _char_bonus(text: str, index: int) -> int:
    if index == 0:
        return BONUS_SEGMENT_START
    before = text[index - 1]
    if before == "/":
        return BONUS_SEGMENT_START
    if before in _WORD_SEPARATORS:
        return BONUS_WORD_START
    if before.islower() and text[index].isupper():
        return BONUS_WORD_START - 1
    return 0


def _score_positions(text: str, base_start: int, positions: Sequence[int]) -> int:
    score = 0
    previous = -2
    for index in positions:
        score += SCORE_CHAR + _char_bonus(text, index)
        if index == previous + 1:
            score += BONUS_RUN
        elif previous >= 0:
            score -= PENALTY_GAP_START + PENALTY_GAP_EXTEND * (index - previous - 2)
        if index >= base_start:
            score += BONUS_BASENAME_CHAR
        previous = index
    if positions[0] == base_start:
        score += BONUS_BASENAME_START
    if positions[0] >= base_start:
        score += BONUS_BASENAME_ALL
    return score


def _forward(lower: str, query: str, start: int) -> list[int] | None:
    """Leftmost positions of `query` in `lower` from `start` (greedy)."""
    positions = []
    at = start
    for char in query:
        at = lower.find(char, at)
        if at < 0:
            return None
        positions.append(at)
        at += 1
    return positions


def _backward(lower: str, query: str, end: int) -> list[int]:
    """Rightmost positions of `query` in `lower[:end]`; the caller knows they exist."""
    positions = []
    at = end
    for char in reversed(query):
        at = lower.rfind(char, 0, at)
        positions.append(at)
    positions.reverse()
    return positions


def _alignments(lower: str, query: str, base_start: int) -> list[list[int]]:
    """A few good ways to place `query` in `lower`; the best scoring one wins.

    Greedy matching alone picks poor spots ("comp" in "codex/ui/composer.py" would take the
    "c" of "codex"), so we try: the tightest window ending at the first complete match, the
    tightest window starting at the last possible start (which favours the basename), and a
    contiguous occurrence in the basename or at a segment start when there is one.
    """
    first = _forward(lower, query, 0)
    if first is None:
        return []
    found = [_backward(lower, query, first[-1] + 1)]
    latest_start = _backward(lower, query, len(lower))[0]
    late = _forward(lower, query, latest_start)
    if late is not None and late != found[0]:
        found.append(late)
    span = len(query)
    at = lower.find(query, base_start)
    if at < 0:
        at = lower.find("/" + query)
        at = at + 1 if at >= 0 else lower.find(query)
    if at >= 0:
        found.append(list(range(at, at + span)))
    return found


def _score(text: str, lower: str, query: str) -> Match | None:
    base_start = lower.rfind("/") + 1
    best: list[int] | None = None
    best_score = 0
    # Lower-casing can change the length ("İ" → "i̇"); then read case changes off `lower`.
    cased = text if len(text) == len(lower) else lower
    for positions in _alignments(lower, query, base_start):
        score = _score_positions(cased, base_start, positions)
        if best is None or score > best_score:
            best, best_score = positions, score
    if best is None:
        return None
    basename = lower[base_start:]
    if basename == query or basename.rsplit(".", 1)[0] == query:
        best_score += BONUS_BASENAME_EXACT
    return Match(text, best_score, tuple(best))


def fuzzy_match(query: str, candidate: str) -> Match | None:
    """Score `candidate` for `query`; None when the query is not a subsequence of it.

    Case-insensitive. An empty query matches everything with score 0.
    """
    query = query.lower()
    if not query:
        return Match(candidate, 0, ())
    return _score(candidate, candidate.lower(), query)


def _sort_key(match: Match) -> tuple[int, int, str]:
    return (-match.score, len(match.text), match.text)


def rank(query: str, candidates: Sequence[str], limit: int = 8) -> list[Match]:
    """The best `limit` matches of `query` among `candidates`, best first.

    Ties go to the shorter candidate, then alphabetical order; an empty query lists the
    shortest candidates. For large lists that are searched repeatedly use FuzzyIndex.
    """
    return FuzzyIndex(candidates).search(query, limit)


def _subsequence_pattern(query: str) -> re.Pattern[str]:
    # "[^a]*+a[^b]*+b…" anchored with .match: each possessive gap stops at the next wanted
    # character and never backtracks, so a line costs one pass whether it matches or not.
    return re.compile("".join(f"[^{re.escape(c)}]*+{re.escape(c)}" for c in query))


class FuzzyIndex:
    """Candidates prepared once (lower-cased, basenames split off) for fast repeated search.

    Candidates are kept shortest first (ties in their given order): an empty query lists
    the shortest, and the cheap pre-selection below can stop early. The previous query's hits
    are kept, so typing one more character only re-checks those. Building costs ~30 ms for
    50,000 paths (do it in a worker); searching is meant for one thread.
    """

    def __init__(self, candidates: Sequence[str]) -> None:
        self.candidates: list[str] = sorted(candidates, key=len)
        self._lower = [c.lower() for c in self.candidates]
        self._base = [c[c.rfind("/") + 1 :] for c in self._lower]
        self._last_query = ""
        self._last_hits: list[int] = []

    def __len__(self) -> int:
        return len(self.candidates)

    def _hits(self, query: str) -> list[int]:
        """Indices (shortest candidate first) of candidates with `query` as a subsequence."""
        lower = self._lower
        if self._last_query and query.startswith(self._last_query):
            pool: Sequence[int] = self._last_hits
            texts: Iterator[str] = map(lower.__getitem__, pool)
        else:
            pool, texts = range(len(lower)), iter(lower)
        # map/compress keep the per-candidate loop in C: ~0.25 µs a candidate.
        if len(query) == 1:
            hits = list(compress(pool, map(str.__contains__, texts, repeat(query))))
        else:
            hits = list(compress(pool, map(_subsequence_pattern(query).match, texts)))
        self._last_query, self._last_hits = query, hits
        return hits

    def _shortlist(self, query: str, hits: list[int]) -> list[int]:
        """At most FINE_SCORE_BUDGET hits for fine scoring, best coarse tier first.

        Tiers: the query starts the basename, is inside the basename, is inside the path, is
        only a subsequence; within a tier the shortest candidates go first. A candidate can only
        be missed when better tiers alone fill the budget, and then it would rank low anyway.
        """
        if len(hits) <= FINE_SCORE_BUDGET:
            return hits
        base, lower = self._base, self._lower
        tiers = (
            compress(hits, map(str.startswith, map(base.__getitem__, hits), repeat(query))),
            compress(hits, map(str.__contains__, map(base.__getitem__, hits), repeat(query))),
            compress(hits, map(str.__contains__, map(lower.__getitem__, hits), repeat(query))),
            iter(hits),
        )
        chosen: dict[int, None] = {}
        for tier in tiers:
            for i in tier:
                if i not in chosen:
                    chosen[i] = None
                    if len(chosen) == FINE_SCORE_BUDGET:
                        return list(chosen)
        return list(chosen)

    def search(self, query: str, limit: int = 8) -> list[Match]:
        """The best `limit` matches for `query`, best first (see `rank` for the order)."""
        if limit <= 0:
            return []
        query = query.lower()
        if not query:
            return [Match(c, 0, ()) for c in self.candidates[:limit]]
        texts, lower = self.candidates, self._lower
        scored = []
        for i in self._shortlist(query, self._hits(query)):
            match = _score(texts[i], lower[i], query)
            if match is not None:
                scored.append(match)
        return heapq.nsmallest(limit, scored, key=_sort_key)
