"""Place a file's chunks: find each one after the previous, turn it into exact edits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from codex_tui.patch.edits import Edit, merge_touching
from codex_tui.patch.errors import ContextNotFoundError
from codex_tui.patch.seek import LineIndex
from codex_tui.patch.syntax import Chunk, ChunkLine

__all__ = ["locate_chunks"]


def locate_chunks(
    path: str,
    lines: list[str],
    chunks: Sequence[Chunk],
    *,
    eol: str,
    final_newline: bool | None,
    mixed_endings: bool = True,
) -> list[Edit]:
    """The edits `chunks` make to `lines` (which keep their endings).

    Each chunk is sought after the end of the previous one, after its `@@`
    anchors. Added lines get `eol`, which, unless `mixed_endings`, every line
    but the last already ends with. With `final_newline`, the result ends with
    a newline even when the original did not.
    Raises ContextNotFoundError naming the chunk and the first line not found.
    """
    index = LineIndex(lines, None if mixed_endings else eol)
    n = len(lines)
    pos = 0
    edits: list[Edit] = []
    for number, chunk in enumerate(chunks, 1):
        start = pos
        anchor_at: int | None = None
        for anchor in chunk.anchors:
            found = index.find([anchor.text], start)
            if found is None:
                raise ContextNotFoundError(path, number, anchor.text, anchor.lineno, "'@@' line")
            anchor_at, start = found, found + 1
        body = list(chunk.lines)
        old = [ln.text for ln in body if ln.kind != "+"]
        if not old:
            at = _insertion_point(chunk, start, n)
        else:
            found = _find(index, chunk, body, old, start, anchor_at)
            if found is None:
                _raise_not_found(path, number, index, chunk, start)
            at = found
        chunk_edits = _edits_of(body, at, lines, eol)
        if chunk.no_newline_at_end and chunk_edits and body[-1].kind == "+":
            last = chunk_edits[-1]
            if last.end == n and last.new:
                chunk_edits[-1] = Edit(
                    last.start, last.old, (*last.new[:-1], last.new[-1].rstrip("\r\n"))
                )
        edits += chunk_edits
        pos = at + len(old)
    edits = merge_touching(edits)
    return _fix_last_line(lines, edits, eol, bool(final_newline))


def _insertion_point(chunk: Chunk, start: int, n: int) -> int:
    """Where a chunk of only added lines goes."""
    if chunk.at_eof:
        return n
    if chunk.hint is not None:  # line numbers from a diff say where
        return min(max(chunk.hint, start), n)
    if chunk.anchors:  # right after the line the anchor found
        return start
    return n  # no anchor: append at the end of the file


def _find(
    index: LineIndex,
    chunk: Chunk,
    body: list[ChunkLine],
    old: list[str],
    start: int,
    anchor_at: int | None,
) -> int | None:
    """Locate `old`; may trim `body` and `old` in place (trailing blank context)."""
    found = index.find(old, start, at_end=chunk.at_eof, near=chunk.hint)
    if found is None and anchor_at is not None:
        # Models often repeat the anchor line as the first context line.
        found = index.find(old, anchor_at, at_end=chunk.at_eof, near=chunk.hint)
    # A blank line at the end of a chunk is often a separator, not context.
    while found is None and len(old) > 1 and body[-1].kind == " " and body[-1].text == "":
        body.pop()
        old.pop()
        found = index.find(old, start, at_end=chunk.at_eof, near=chunk.hint)
    return found


def _raise_not_found(
    path: str, number: int, index: LineIndex, chunk: Chunk, start: int
) -> NoReturn:
    context = [ln for ln in chunk.lines if ln.kind != "+"]
    found = index.longest_prefix([ln.text for ln in context], start)
    if found >= len(context):  # every line is there, just not at the end
        first = context[0]
        raise ContextNotFoundError(
            path,
            number,
            first.text,
            first.lineno,
            "context at the end of the file ('*** End of File')",
        )
    missing = context[found]
    raise ContextNotFoundError(path, number, missing.text, missing.lineno, "context line")


def _edits_of(body: list[ChunkLine], at: int, lines: list[str], eol: str) -> list[Edit]:
    """Turn a located chunk into edits: each run of -/+ lines is one edit.

    Removed lines are taken from the file, not the patch, so the edit records
    what is really there when whitespace or punctuation matched loosely.
    """
    edits: list[Edit] = []
    i = at
    run_start = -1
    run_old: list[str] = []
    run_new: list[str] = []
    for ln in body:
        if ln.kind == " ":
            if run_start >= 0:
                edits.append(Edit(run_start, tuple(run_old), tuple(run_new)))
                run_start, run_old, run_new = -1, [], []
            i += 1
            continue
        if run_start < 0:
            run_start = i
        if ln.kind == "-":
            run_old.append(lines[i])
            i += 1
        else:
            run_new.append(ln.text + eol)
    if run_start >= 0:
        edits.append(Edit(run_start, tuple(run_old), tuple(run_new)))
    return edits


def _fix_last_line(
    lines: list[str], edits: list[Edit], eol: str, final_newline: bool
) -> list[Edit]:
    """Give the old last line a newline when it is kept and must get one.

    It must when lines are appended after it, or when the rule says files
    end with a newline.
    """
    if not lines or lines[-1].endswith("\n"):
        return edits
    last = len(lines) - 1
    if any(e.start <= last < e.end for e in edits):
        return edits  # removed or replaced: the lines replacing it carry endings
    appended = any(e.start == len(lines) and e.new for e in edits)
    if not (final_newline or appended):
        return edits
    return merge_touching([*edits, Edit(last, (lines[last],), (lines[last] + eol,))])
