"""read_file and search_files: read-only views of the workspace for the model.

Both take what the model names as hostile: only regular files are read (a FIFO
would block forever), never through a link out of the workspace, and a file is
streamed a chunk at a time, so a 2 GB file costs no more memory than a small one.
"""

from __future__ import annotations

import asyncio
import codecs
import io
import os
import re
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from codex_tui.config.safe_read import (
    OpenedFile,
    UnreadableFile,
    kind_of,
    open_regular,
    size_text,
)
from codex_tui.tools.lines import LineWindow
from codex_tui.tools.process import run_lines
from codex_tui.tools.registry import ToolArgumentError
from codex_tui.tools.workspace import os_reason, resolve_inside, shown

PAGE_LINES = 400  # lines per read_file call when no end_line is given
MAX_LINES = 2000  # hard cap per call
MAX_LINE_CHARS = 500
MAX_SEARCH_MATCHES = 200
MAX_OUTPUT_CHARS = 48_000
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".mypy_cache", ".tox"}
CHUNK_BYTES = 1 << 20
SNIFF_BYTES = 8192  # a NUL byte among the first ones: a binary file
# How far read_file reads (about 0.3 s): a larger file is paged without counting
# all its lines, and a page beyond this point is for shell tools (sed, tail).
SCAN_LIMIT_BYTES = 256 << 20
# A larger file is read from the disk even when an editor offers its buffers
# (its text would not fit one protocol message, and no editor holds it open).
EDITOR_READ_MAX_BYTES = 16 << 20
# A search pattern this long is a mistake (and the argv of rg has a limit).
MAX_PATTERN_CHARS = 4096
# Without ripgrep, larger files are left out of a search.
MAX_SEARCH_FILE_BYTES = 16 << 20


def read_file(root: Path, path: str, start_line: int | None, end_line: int | None) -> str:
    full, opened = _open_regular(root, path)
    with opened:
        return _page(shown(root, full), path, opened.file, opened.size, start_line, end_line)


def editor_readable(root: Path, path: str) -> Path | None:
    """read_file's checks (the same refusals) without the read: the file's path
    when its text may come from an editor's buffer, None when read_file reads the
    disk (a binary file, or one too large for an editor to send in one message)."""
    full, opened = _open_regular(root, path)
    with opened:
        if opened.size > EDITOR_READ_MAX_BYTES or b"\x00" in opened.file.read(SNIFF_BYTES):
            return None
    return full


def page_text(
    root: Path, full: Path, path: str, text: str, start_line: int | None, end_line: int | None
) -> str:
    """read_file's page of `text`, an editor's content of `full`."""
    data = text.encode("utf-8", errors="replace")  # a lone surrogate from the JSON
    name = shown(root, full)
    return _page(name, path, io.BytesIO(data), len(data), start_line, end_line)


def _open_regular(root: Path, path: str) -> tuple[Path, OpenedFile]:
    full = resolve_inside(root, path)
    try:
        return full, open_regular(full, beneath=root)
    except FileNotFoundError:
        raise ToolArgumentError(f"{path}: no such file") from None
    except UnreadableFile as exc:
        if exc.kind == "directory":
            raise ToolArgumentError(
                f"{path}: is a directory (use search_files or shell ls)"
            ) from None
        raise ToolArgumentError(f"{path}: {exc}") from None


def _page(
    name: str,
    path: str,
    file: BinaryIO,
    size: int,
    start_line: int | None,
    end_line: int | None,
) -> str:
    """Lines `start_line`..`end_line` of an open file, numbered, with paging hints."""
    first = file.read(SNIFF_BYTES)
    if b"\x00" in first:
        return f"{name}: binary file, {size} bytes; not shown"
    start = max(1, start_line or 1)
    last = end_line if end_line is not None else start + PAGE_LINES - 1
    window = LineWindow(start, min(last, start + MAX_LINES - 1) - start + 1, MAX_LINE_CHARS)
    large = size > SCAN_LIMIT_BYTES
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    data, scanned = first, 0
    while data:
        window.feed(decoder.decode(data))
        scanned += len(data)
        if scanned >= SCAN_LIMIT_BYTES or (large and window.closed):
            return _page_of_large(name, path, size, window, start)
        data = file.read(CHUNK_BYTES)
    window.feed(decoder.decode(b"", final=True))
    window.finish()
    total = window.total
    if total == 0:
        return f"{name}: empty file"
    if start > total:
        raise ToolArgumentError(f"start_line {start} is past the end ({total} lines)")
    end = min(total, last, start + MAX_LINES - 1)
    if end < start:
        raise ToolArgumentError("end_line is before start_line")
    header = f"{name} (lines {start}-{end} of {total})"
    footer = ""
    if end < total:
        footer = f"\n… {total - end} more lines; read on with start_line={end + 1}"
    return header + "\n" + _numbered(window, start) + footer


def _page_of_large(name: str, path: str, size: int, window: LineWindow, start: int) -> str:
    """The page of a file too large to count: what was found, and how to go on."""
    if not window.lines:
        if window.count is not None and window.count <= 0:
            raise ToolArgumentError("end_line is before start_line")
        raise ToolArgumentError(
            f"start_line {start} is beyond the first {size_text(SCAN_LIMIT_BYTES)} of {path}"
            f" ({window.done} lines there); read further with shell tools (sed -n, tail)"
        )
    end = start + len(window.lines) - 1
    header = f"{name} (lines {start}-{end}; {size:,} bytes, too large to count its lines)"
    footer = f"\n… more lines; read on with start_line={end + 1}"
    return header + "\n" + _numbered(window, start) + footer


def _numbered(window: LineWindow, start: int) -> str:
    width = len(str(start + len(window.lines) - 1))
    body = []
    for number, line in enumerate(window.lines, start):
        text = line.text
        if line.length > MAX_LINE_CHARS:
            text += f" … [{line.length - MAX_LINE_CHARS} more characters]"
        body.append(f"{number:>{width}}\t{text}")
    return "\n".join(body)


async def search_files(root: Path, pattern: str, path: str | None, context: int | None) -> str:
    regex = _compile(pattern)
    base = resolve_inside(root, path or ".")
    try:
        mode = base.stat().st_mode
    except FileNotFoundError:
        raise ToolArgumentError(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise ToolArgumentError(f"{path}: {os_reason(exc)}") from None
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        # rg skips special files while walking, but reads one it is given: a FIFO hangs it.
        raise ToolArgumentError(f"{path}: is a {kind_of(mode)}, not a regular file or directory")
    context = max(0, min(context or 0, 10))
    rg = shutil.which("rg")
    if rg:
        return await ripgrep(rg, root, base, pattern, context)
    lines = await asyncio.to_thread(python_search, root, base, regex, context)
    if not lines:
        return "no matches"
    return cap_lines(lines)


def _compile(pattern: str) -> re.Pattern[str]:
    """The pattern checked: bounded, passable to rg, and a regular expression."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ToolArgumentError(
            f"`pattern` is {len(pattern)} characters long; the limit is {MAX_PATTERN_CHARS}"
        )
    if "\x00" in pattern:
        raise ToolArgumentError("`pattern` must not contain a NUL character")
    try:
        pattern.encode("utf-8")
        return re.compile(pattern)
    except UnicodeEncodeError:
        raise ToolArgumentError("`pattern` is not valid Unicode text") from None
    except re.error as exc:
        raise ToolArgumentError(f"invalid pattern: {exc}") from None
    except (RecursionError, OverflowError) as exc:  # "((((…", "a{9999999999}"
        raise ToolArgumentError(f"invalid pattern: {str(exc) or 'too complex'}") from None


async def ripgrep(rg: str, root: Path, base: Path, pattern: str, context: int) -> str:
    argv = [rg, "--line-number", "--no-heading", "--color", "never", "--max-columns", "300"]
    argv += ["--max-count", str(MAX_SEARCH_MATCHES)]
    if context:
        argv += ["--context", str(context)]
    argv += ["--regexp", pattern]
    if base != root.resolve():
        argv += ["--", shown(root, base)]
    window = output_window()
    result = await run_lines(argv, cwd=root, label="the search", window=window)
    if result.returncode not in (0, 1, None):
        raise ToolArgumentError(f"search failed: {result.stderr.strip()}")
    return window_text(window, result.returncode is None) or "no matches"


def python_search(root: Path, base: Path, regex: re.Pattern[str], context: int) -> list[str]:
    """A plain walk for machines without ripgrep (skips VCS and build folders, and
    what is not a regular file inside the workspace)."""
    files = [base] if base.is_file() else walk(base)
    out: list[str] = []
    for file in files:
        try:
            with open_regular(file, beneath=root) as opened:
                data = opened.file.read(MAX_SEARCH_FILE_BYTES + 1)
        except (OSError, UnreadableFile):
            continue
        if b"\x00" in data[:SNIFF_BYTES] or len(data) > MAX_SEARCH_FILE_BYTES:
            continue
        lines = data.decode("utf-8", errors="replace").splitlines()
        name = shown(root, file)
        for i, line in enumerate(lines):
            if regex.search(line):
                lo, hi = max(0, i - context), min(len(lines), i + context + 1)
                for j in range(lo, hi):
                    sep = ":" if j == i else "-"
                    out.append(f"{name}{sep}{j + 1}{sep}{lines[j][:300]}")
                if len(out) >= MAX_SEARCH_MATCHES * (1 + 2 * context):
                    return out
    return out


def walk(base: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        found += [Path(dirpath) / f for f in sorted(filenames)]
    return found


def output_window() -> LineWindow:
    """A window for a program's output: whole lines while MAX_OUTPUT_CHARS last."""
    return LineWindow(keep=MAX_OUTPUT_CHARS, budget=MAX_OUTPUT_CHARS)


def window_text(window: LineWindow, stopped: bool = False) -> str:
    """The kept lines and how many were left out (`cap_lines`'s text); `stopped`:
    the program was stopped, so more lines than counted were left out."""
    out = [line.text for line in window.lines]
    more = window.total - len(out)
    if stopped:
        out.append(f"… over {more} more lines not shown; narrow the search")
    elif more:
        out.append(f"… {more} more lines not shown; narrow the search")
    return "\n".join(out)


def cap_lines(lines: list[str]) -> str:
    out, size = [], 0
    for i, line in enumerate(lines):
        size += len(line) + 1
        if size > MAX_OUTPUT_CHARS:
            out.append(f"… {len(lines) - i} more lines not shown; narrow the search")
            break
        out.append(line)
    return "\n".join(out)
