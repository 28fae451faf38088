"""Read `git diff` / `diff -u` text (via unidiff) into the same operations as apply_patch.

Line numbers in hunk headers become hints (the nearest match wins), so a diff
made against a slightly different version still applies; wrong line counts
in `@@` headers, a common slip of hand-written diffs, are recounted.
"""

from __future__ import annotations

import re
from typing import cast

from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk, PatchedFile, PatchSet

from codex_tui.patch.errors import PatchSyntaxError
from codex_tui.patch.git_names import unquote_git_path
from codex_tui.patch.syntax import (
    AddFile,
    Chunk,
    ChunkLine,
    DeleteFile,
    LineKind,
    Operation,
    ParsedPatch,
    UpdateFile,
)

__all__ = ["parse_unified", "unquote_git_path"]

DEV_NULL = "/dev/null"
EXECUTABLE = "100755"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


def parse_unified(lines: list[tuple[int, str]]) -> ParsedPatch:
    """Parse numbered diff lines (as `parser.patch_lines` gives them)."""
    offset = lines[0][0] - 1 if lines else 0
    text = "".join(line + "\n" for _, line in lines)
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        try:
            patch = PatchSet(_recount(text))
        except UnidiffParseError:
            raise _syntax_error(exc, lines) from None
    ops: list[Operation] = []
    for pf in patch:
        op = _operation(pf, offset)
        if op is not None:
            ops.append(op)
    if not ops:
        raise PatchSyntaxError("empty diff: no file changes found")
    return ParsedPatch(tuple(ops), "unified")


def _syntax_error(exc: UnidiffParseError, lines: list[tuple[int, str]]) -> PatchSyntaxError:
    message = str(exc)
    # unidiff quotes the offending line; find it to give its number.
    quoted = message.split(": ", 1)[1].rstrip("\n") if ": " in message else None
    lineno = next((n for n, line in lines if quoted is not None and line == quoted), 0)
    return PatchSyntaxError(f"not a valid unified diff: {message.strip()}", lineno)


def _recount(text: str) -> str:
    """Rewrite each `@@` header's line counts to match the lines that follow it."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        header = _HUNK.match(line)
        if not header:
            continue
        old = new = 0
        pending_blank = 0  # blank lines count only if more hunk lines follow
        for j in range(i + 1, len(lines)):
            body = lines[j]
            if body.startswith(("@@", "diff --git ")) or (
                body.startswith("--- ") and j + 1 < len(lines) and lines[j + 1].startswith("+++ ")
            ):
                break
            if body == "":
                pending_blank += 1
                continue
            if body[0] not in " +-\\":
                break
            old += pending_blank
            new += pending_blank
            pending_blank = 0
            if body[0] in " -":
                old += 1
            if body[0] in " +":
                new += 1
        src, _, dst, _, section = header.groups()
        lines[i] = f"@@ -{src},{old} +{dst},{new} @@{section}"
    return "\n".join(lines)


def _names(pf: PatchedFile) -> tuple[str, str, bool]:
    """(source, target, is_git) with `a/` and `b/` prefixes removed."""
    is_git = any(line.startswith("diff --git ") for line in pf.patch_info or ())
    src = unquote_git_path(pf.source_file.strip())
    dst = unquote_git_path(pf.target_file.strip())
    both_prefixed = src.startswith("a/") or src == DEV_NULL
    both_prefixed = both_prefixed and (dst.startswith("b/") or dst == DEV_NULL)
    if is_git or both_prefixed:
        src = src[2:] if src.startswith("a/") else src
        dst = dst[2:] if dst.startswith("b/") else dst
    return src, dst, is_git


def _operation(pf: PatchedFile, offset: int) -> Operation | None:
    src, dst, is_git = _names(pf)
    lineno = (pf.diff_line_no or 0) + offset
    shown = dst if dst != DEV_NULL else src
    if pf.is_binary_file:
        raise PatchSyntaxError(f"{shown}: binary diffs are not supported", lineno)
    if pf.is_symlink or pf.is_submodule:
        raise PatchSyntaxError(
            f"{shown}: symbolic link and submodule diffs are not supported", lineno
        )
    if any(line.startswith("copy from ") for line in pf.patch_info or ()):
        raise PatchSyntaxError(f"{shown}: copies are not supported", lineno)
    chunks = [_chunk(hunk, offset) for hunk in pf]
    if src == DEV_NULL:
        added = [ln for c in chunks for ln in c.lines if ln.kind == "+"]
        final_newline = not (chunks and chunks[-1].no_newline_at_end)
        return AddFile(
            dst,
            tuple(ln.text for ln in added),
            lineno,
            final_newline=final_newline,
            executable=pf.target_mode == EXECUTABLE,
        )
    if dst == DEV_NULL:
        removed = [ln.text for c in chunks for ln in c.lines if ln.kind == "-"]
        return DeleteFile(src, lineno, expect=tuple(removed) if chunks else None)
    executable = None
    if pf.source_mode and pf.target_mode and pf.source_mode != pf.target_mode:
        executable = pf.target_mode == EXECUTABLE
    renamed = is_git and src != dst
    if not chunks and not renamed and executable is None:
        return None  # e.g. only an `index` line: nothing to do
    if is_git:
        return UpdateFile(
            src,
            tuple(chunks),
            lineno,
            move_to=dst if renamed else None,
            final_newline=None,
            executable=executable,
        )
    # Plain diff -u: the new name is usually the file to patch; if it is not
    # there, the old name is (`diff -u file file.new`).
    return UpdateFile(
        dst,
        tuple(chunks),
        lineno,
        final_newline=None,
        fallback_path=src if src != dst else None,
    )


def _chunk(hunk: Hunk, offset: int) -> Chunk:
    lines: list[ChunkLine] = []
    at_eof = False
    no_newline_at_end = False
    for line in hunk:
        kind = line.line_type
        if kind == "\\":
            if lines and lines[-1].kind == "+":
                no_newline_at_end = True
            elif lines:
                at_eof = True  # the old file ends right after this line
            continue
        if kind not in (" ", "-", "+"):
            continue  # a blank separator after the hunk
        text = line.value.rstrip("\n").removesuffix("\r")
        lines.append(ChunkLine(cast(LineKind, kind), text, (line.diff_line_no or 0) + offset))
    hint = hunk.source_start - 1 if hunk.source_length else hunk.source_start
    first = lines[0].lineno - 1 if lines else offset
    return Chunk(
        tuple(lines),
        first,
        hint=max(hint, 0),
        at_eof=at_eof,
        no_newline_at_end=no_newline_at_end,
    )
