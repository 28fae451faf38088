"""git_status and git_diff: what has changed in the workspace."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
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


async def working_tree_diff(root: Path) -> str:
    """The workspace's changes against HEAD as `git diff` text, untracked files included
    (as new files; ignored files are left out). A repository without commits is
    compared with the empty tree. Outside a repository: ToolArgumentError.

    Untracked files are added as intent-to-add to a throwaway copy of the index,
    so one `git diff` covers them and the real index is never touched.
    """
    try:
        top = Path((await git(root, "rev-parse", "--show-toplevel")).strip())
    except (ToolArgumentError, OSError):
        raise ToolArgumentError(f"not a git repository (or a bare one): {root}") from None
    try:
        base = (await git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")).strip()
    except ToolArgumentError:  # no commit yet: everything is new
        base = (await git(top, "hash-object", "-t", "tree", "/dev/null")).strip()
    untracked = await git(top, "ls-files", "--others", "--exclude-standard", "-z")
    index = Path(
        (await git(top, "rev-parse", "--path-format=absolute", "--git-path", "index")).strip()
    )
    with tempfile.TemporaryDirectory(prefix="codex-tui-diff-") as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if index.exists():
            # copy2 keeps the index's mtime: git compares it with the entries' mtimes to
            # spot files changed within the same second ("racily clean"); a fresh mtime
            # would make such an edit of the same size invisible.
            shutil.copy2(index, env["GIT_INDEX_FILE"])
        if untracked:
            await _git_env(
                top,
                env,
                "add",
                "--intent-to-add",
                "--pathspec-from-file=-",
                "--pathspec-file-nul",
                stdin=untracked.encode(),
            )
        return await _git_env(
            top,
            env,
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--find-renames",
            base,
        )


async def _git_env(root: Path, env: dict[str, str], *args: str, stdin: bytes = b"") -> str:
    proc = await asyncio.create_subprocess_exec(
        "git",
        "--no-pager",
        *args,
        cwd=root,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(stdin)
    if proc.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise ToolArgumentError(message[0] if message else f"git {args[0]} failed")
    return out.decode("utf-8", errors="replace")
