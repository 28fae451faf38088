"""read_file and search_files: read-only views of the workspace for the model."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

from codex_tui.tools.registry import ToolArgumentError
from codex_tui.tools.workspace import resolve_inside, shown

PAGE_LINES = 400  # lines per read_file call when no end_line is given
MAX_LINES = 2000  # hard cap per call
MAX_LINE_CHARS = 500
MAX_SEARCH_MATCHES = 200
MAX_OUTPUT_CHARS = 48_000
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".mypy_cache", ".tox"}


def read_file(root: Path, path: str, start_line: int | None, end_line: int | None) -> str:
    full = resolve_inside(root, path)
    if full.is_dir():
        raise ToolArgumentError(f"{path}: is a directory (use search_files or shell ls)")
    try:
        data = full.read_bytes()
    except FileNotFoundError:
        raise ToolArgumentError(f"{path}: no such file") from None
    except OSError as exc:
        raise ToolArgumentError(f"{path}: {exc.strerror}") from None
    if b"\x00" in data[:8192]:
        return f"{shown(root, full)}: binary file, {len(data)} bytes; not shown"
    lines = data.decode("utf-8", errors="replace").splitlines()
    total = len(lines)
    start = max(1, start_line or 1)
    if total == 0:
        return f"{shown(root, full)}: empty file"
    if start > total:
        raise ToolArgumentError(f"start_line {start} is past the end ({total} lines)")
    end = end_line if end_line is not None else start + PAGE_LINES - 1
    end = min(total, end, start + MAX_LINES - 1)
    if end < start:
        raise ToolArgumentError("end_line is before start_line")
    width = len(str(end))
    body = []
    for number in range(start, end + 1):
        text = lines[number - 1]
        if len(text) > MAX_LINE_CHARS:
            text = text[:MAX_LINE_CHARS] + f" … [{len(text) - MAX_LINE_CHARS} more characters]"
        body.append(f"{number:>{width}}\t{text}")
    header = f"{shown(root, full)} (lines {start}-{end} of {total})"
    footer = ""
    if end < total:
        footer = f"\n… {total - end} more lines; read on with start_line={end + 1}"
    return header + "\n" + "\n".join(body) + footer


async def search_files(root: Path, pattern: str, path: str | None, context: int | None) -> str:
    base = resolve_inside(root, path or ".")
    if not base.exists():
        raise ToolArgumentError(f"{path}: no such file or directory")
    context = max(0, min(context or 0, 10))
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ToolArgumentError(f"invalid pattern: {exc}") from None
    rg = shutil.which("rg")
    if rg:
        lines = await ripgrep(rg, root, base, pattern, context)
    else:
        lines = python_search(root, base, regex, context)
    if not lines:
        return "no matches"
    return cap_lines(lines)


async def ripgrep(rg: str, root: Path, base: Path, pattern: str, context: int) -> list[str]:
    argv = [rg, "--line-number", "--no-heading", "--color", "never", "--max-columns", "300"]
    argv += ["--max-count", str(MAX_SEARCH_MATCHES)]
    if context:
        argv += ["--context", str(context)]
    argv += ["--regexp", pattern]
    if base != root.resolve():
        argv += ["--", shown(root, base)]
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    out, err = await proc.communicate()
    if proc.returncode not in (0, 1):
        raise ToolArgumentError(f"search failed: {err.decode(errors='replace').strip()}")
    return out.decode("utf-8", errors="replace").splitlines()


def python_search(root: Path, base: Path, regex: re.Pattern[str], context: int) -> list[str]:
    """A plain walk for machines without ripgrep (skips VCS and build folders)."""
    files = [base] if base.is_file() else walk(base)
    out: list[str] = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue
        if b"\x00" in data[:8192]:
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


def cap_lines(lines: list[str]) -> str:
    out, size = [], 0
    for i, line in enumerate(lines):
        size += len(line) + 1
        if size > MAX_OUTPUT_CHARS:
            out.append(f"… {len(lines) - i} more lines not shown; narrow the search")
            break
        out.append(line)
    return "\n".join(out)
