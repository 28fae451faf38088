"""Parse patch text: the apply_patch grammar here, unified diffs handed to `unified`.

Lenient where the noise is harmless (whitespace around markers, a heredoc
wrapper, CRLF, a missing final newline), strict where a mistake would change
what gets written: every such error names the patch line.
"""

from __future__ import annotations

import re
from typing import cast

from codex_tui.patch.errors import PatchSyntaxError
from codex_tui.patch.syntax import (
    AddFile,
    Anchor,
    Chunk,
    ChunkLine,
    DeleteFile,
    LineKind,
    Operation,
    ParsedPatch,
    UpdateFile,
)

__all__ = ["looks_like_unified", "parse_patch", "patch_lines"]

BEGIN = "*** Begin Patch"
END = "*** End Patch"
END_OF_FILE = "*** End of File"

# A header after stripping: `*** Add File: path` and friends (the space after
# the colon is optional, models drop it now and then).
_HEADER = re.compile(r"^\*\*\* (Add File|Delete File|Update File|Move to):[ \t]*(.*)$")
_HEREDOC = re.compile(r"""^\s*(?:apply_patch\s+)?<<-?\s*(['"]?)([A-Za-z_]\w*)\1\s*$""")
# `@@ -12,5 +12,6 @@` in an apply_patch chunk: models borrow it from unified
# diffs; the old line number is a useful hint, never an anchor text.
_NUMERIC_AT = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")

Numbered = list[tuple[int, str]]


def patch_lines(text: str) -> Numbered:
    """Split patch text into (1-based line number, line) with CRLF and a BOM removed."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return list(enumerate(lines, 1))


def _unwrap_heredoc(lines: Numbered) -> Numbered:
    """Drop a `<<'EOF'` … `EOF` wrapper copied along with the patch."""
    body = [(n, s) for n, s in lines if s.strip()]
    if not body:
        return lines
    opener = _HEREDOC.match(body[0][1])
    if not opener:
        return lines
    start = lines.index(body[0]) + 1
    stop = len(lines)
    if body[-1][1].strip() == opener.group(2) and len(body) > 1:
        stop = lines.index(body[-1])
    return lines[start:stop]


def looks_like_unified(lines: Numbered) -> bool:
    """True for `git diff` / `diff -u` output: a `diff --git` or `---` + `+++` pair."""
    for i, (_, line) in enumerate(lines):
        if line.startswith("diff --git "):
            return True
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1][1].startswith("+++ "):
            return True
    return False


def parse_patch(text: str) -> ParsedPatch:
    """Parse apply_patch text or a unified diff into operations.

    Raises PatchSyntaxError naming the offending line.
    """
    lines = _unwrap_heredoc(patch_lines(text))
    first = next(((n, s) for n, s in lines if s.strip()), None)
    if first is None:
        raise PatchSyntaxError("empty patch: expected '*** Begin Patch' or a unified diff")
    if first[1].strip() == BEGIN:
        return ParsedPatch(_Grammar(lines, first[0]).parse(), "apply_patch")
    if looks_like_unified(lines):
        from codex_tui.patch.unified import parse_unified

        return parse_unified(lines)
    raise PatchSyntaxError(
        f"expected '*** Begin Patch' or a unified diff, found {first[1].strip()!r}", first[0]
    )


def _is_marker(raw: str) -> bool:
    """A line that ends the current block: a `***` line, padded or not.

    A padded line counts only when it is a known marker, so a context line
    such as ` *** bold ***` stays context.
    """
    if raw.startswith("***"):
        return True
    stripped = raw.strip()
    return stripped == END_OF_FILE or _HEADER.match(stripped) is not None


class _Grammar:
    """A cursor over the lines between `*** Begin Patch` and `*** End Patch`."""

    def __init__(self, lines: Numbered, begin_lineno: int) -> None:
        begin = next(i for i, (n, _) in enumerate(lines) if n == begin_lineno)
        end = next((i for i in range(begin + 1, len(lines)) if lines[i][1].strip() == END), None)
        if end is None:
            last = lines[-1][0]
            raise PatchSyntaxError("missing '*** End Patch' at the end of the patch", last)
        trailing = next(((n, s) for n, s in lines[end + 1 :] if s.strip()), None)
        if trailing is not None:
            raise PatchSyntaxError(
                f"text after '*** End Patch': {trailing[1].strip()!r}", trailing[0]
            )
        self.lines = lines[begin + 1 : end]
        self.end_lineno = lines[end][0]
        self.i = 0

    def parse(self) -> tuple[Operation, ...]:
        ops: list[Operation] = []
        while self.i < len(self.lines):
            lineno, raw = self.lines[self.i]
            stripped = raw.strip()
            if not stripped:
                self.i += 1
                continue
            header = _HEADER.match(stripped)
            if header is None:
                if stripped.startswith("***"):
                    raise PatchSyntaxError(
                        f"unknown header {stripped!r}; expected '*** Add File:', "
                        "'*** Delete File:' or '*** Update File:'",
                        lineno,
                    )
                raise PatchSyntaxError(
                    f"expected a '*** Add File:', '*** Delete File:' or '*** Update File:' "
                    f"header, found {stripped!r}",
                    lineno,
                )
            kind, path = header.groups()
            if not path:
                raise PatchSyntaxError(f"'*** {kind}:' needs a path", lineno)
            self.i += 1
            if kind == "Add File":
                ops.append(self._add(path, lineno))
            elif kind == "Delete File":
                ops.append(DeleteFile(path, lineno))
            elif kind == "Update File":
                ops.append(self._update(path, lineno))
            else:
                raise PatchSyntaxError(
                    "'*** Move to:' must directly follow '*** Update File:'", lineno
                )
        if not ops:
            raise PatchSyntaxError(
                "empty patch: no file operations before '*** End Patch'", self.end_lineno
            )
        return tuple(ops)

    def _add(self, path: str, lineno: int) -> AddFile:
        content: list[str] = []
        while self.i < len(self.lines):
            n, raw = self.lines[self.i]
            if raw.startswith("+"):
                content.append(raw[1:])
            elif _is_marker(raw) or (not raw.strip() and self._blank_run_ends_block()):
                break  # (the operation loop skips the blank lines)
            else:
                raise PatchSyntaxError(
                    f"every line of '*** Add File: {path}' must start with '+', found {raw!r}", n
                )
            self.i += 1
        return AddFile(path, tuple(content), lineno)

    def _blank_run_ends_block(self) -> bool:
        """Blank lines are a harmless separator when only a marker (or the end) follows."""
        j = self.i
        while j < len(self.lines) and not self.lines[j][1].strip():
            j += 1
        return j == len(self.lines) or _is_marker(self.lines[j][1])

    def _update(self, path: str, lineno: int) -> UpdateFile:
        move_to = None
        if self.i < len(self.lines):
            n, raw = self.lines[self.i]
            header = _HEADER.match(raw.strip())
            if header and header.group(1) == "Move to":
                move_to = header.group(2)
                if not move_to:
                    raise PatchSyntaxError("'*** Move to:' needs a path", n)
                self.i += 1
        chunks: list[Chunk] = []
        while self.i < len(self.lines):
            n, raw = self.lines[self.i]
            if not raw.strip():
                self.i += 1  # blank lines between chunks (inside one they are context)
                continue
            if _is_marker(raw) and raw.strip() != END_OF_FILE:
                break
            chunks.append(self._chunk(path))
        if not any(c.changes for c in chunks) and move_to is None:
            raise PatchSyntaxError(f"'*** Update File: {path}' has no changes", lineno)
        return UpdateFile(path, tuple(chunks), lineno, move_to=move_to)

    def _chunk(self, path: str) -> Chunk:
        start = self.lines[self.i][0]
        anchors: list[Anchor] = []
        hint = None
        while self.i < len(self.lines) and self.lines[self.i][1].startswith("@@"):
            n, raw = self.lines[self.i]
            numeric = _NUMERIC_AT.match(raw.strip())
            if numeric:
                hint = max(int(numeric.group(1)) - 1, 0)
            else:
                text = raw[2:].removeprefix(" ").rstrip()
                if text:
                    anchors.append(Anchor(text, n))
            self.i += 1
        body: list[ChunkLine] = []
        at_eof = False
        while self.i < len(self.lines):
            n, raw = self.lines[self.i]
            if raw == "":
                body.append(ChunkLine(" ", "", n))  # an empty context line lost its space
            elif raw.strip() == END_OF_FILE:
                at_eof = True
                self.i += 1
                break
            elif raw.startswith("@@") or _is_marker(raw):
                break
            elif raw[0] in " -+":
                body.append(ChunkLine(cast(LineKind, raw[0]), raw[1:], n))
            else:
                raise PatchSyntaxError(
                    f"in '*** Update File: {path}': a change line must start with ' ', '-' or "
                    f"'+', found {raw!r}",
                    n,
                )
            self.i += 1
        if not body:
            raise PatchSyntaxError(
                f"in '*** Update File: {path}': '@@' with no change lines", start
            )
        return Chunk(tuple(body), start, tuple(anchors), at_eof, hint)
