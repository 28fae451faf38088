"""git_status and git_diff: what has changed in the workspace."""

from __future__ import annotations

import asyncio
from pathlib import Path

from codex_tui.tools.files import cap_lines
from codex_tui.tools.registry import ToolArgumentError
from codex_tui.tools.workspace import resolve_inside, shown


async def git(root: Path, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "git",
        "--no-pager",
        *args,
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise ToolArgumentError(message[0] if message else f"git {args[0]} failed")
    return out.decode("utf-8", errors="replace")


async def git_status(root: Path) -> str:
    text = await git(root, "status", "--short", "--branch")
    return cap_lines(text.splitlines()) or "clean"


async def git_diff(root: Path, path: str | None, staged: bool | None) -> str:
    args = ["diff", "--no-color", "--no-ext-diff"]
    if staged:
        args.append("--staged")
    if path:
        args += ["--", shown(root, resolve_inside(root, path))]
    text = await git(root, *args)
    return cap_lines(text.splitlines()) or "no changes"
