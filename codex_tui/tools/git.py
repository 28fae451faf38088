"""git_status and git_diff: what has changed in the workspace.

git itself reads a repository's `.gitignore` and `.gitattributes` with blocking
reads: one that is a FIFO would hang it. The top-level ones (and those on the
way to a path asked about) are checked first for a clear message; anywhere
else, the deadline in `process` stops git, and Ctrl-C always kills it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from codex_tui.config.safe_read import kind_of
from codex_tui.tools.files import output_window, window_text
from codex_tui.tools.process import run_lines, run_whole
from codex_tui.tools.registry import ToolArgumentError
from codex_tui.tools.workspace import resolve_inside, shown

# Files git opens with a blocking read while it works out status and diffs.
GIT_READS = (".gitignore", ".gitattributes")
GIT_DIR_READS = ("info/exclude", "info/attributes")


# A repository's own .git/config could name programs git runs for us (outside
# the sandbox): an fsmonitor hook on `status`, diff drivers and textconv filters
# on `diff`. None of them run: git reads the files itself.
NO_REPO_PROGRAMS = ("-c", "core.fsmonitor=false", "-c", "diff.external=")


async def git(root: Path, *args: str) -> str:
    """git's whole output; ToolArgumentError with its first error line if it fails."""
    return await _git_env(root, None, *args)


async def _git_lines(root: Path, *args: str) -> str:
    """git's output as the model sees it: capped at MAX_OUTPUT_CHARS, bounded in memory."""
    window = output_window()
    result = await run_lines(
        ["git", "--no-pager", *NO_REPO_PROGRAMS, *args], cwd=root, label=_label(args), window=window
    )
    if result.returncode not in (0, None):
        raise ToolArgumentError(result.first_error_line or f"git {args[0]} failed")
    return window_text(window, result.returncode is None)


async def git_status(root: Path) -> str:
    _check_git_reads(root, root)
    return await _git_lines(root, "status", "--short", "--branch") or "clean"


async def git_diff(root: Path, path: str | None, staged: bool | None) -> str:
    args = ["diff", "--no-color", "--no-ext-diff", "--no-textconv"]
    if staged:
        args.append("--staged")
    target = root
    if path:
        target = resolve_inside(root, path)
        _check_special(root, target, path)
        args += ["--", shown(root, target)]
    _check_git_reads(root, target)
    return await _git_lines(root, *args) or "no changes"


def _label(args: tuple[str, ...] | list[str]) -> str:
    """`git diff` for ("-c", "core.quotePath=false", "diff", ...)."""
    words = iter(args)
    for word in words:
        if word == "-c":
            next(words, None)
        elif not word.startswith("-"):
            return f"git {word}"
    return "git"


def _check_special(root: Path, target: Path, path: str) -> None:
    """A path that is there but is neither a file, a link nor a directory
    (git_diff has nothing to show for a FIFO or a device)."""
    try:
        mode = os.lstat(target).st_mode
    except OSError:
        return  # absent (deleted files have diffs too) or unreachable: git says
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
        raise ToolArgumentError(f"{path}: is a {kind_of(mode)}, not a regular file or directory")


def _check_git_reads(root: Path, target: Path) -> None:
    """Refuse when an ignore or attributes file git will read is not a regular file."""
    top = root.resolve()
    places = [top]
    if top in target.parents:
        inner = target if target.is_dir() else target.parent
        for part in inner.relative_to(top).parts:
            places.append(places[-1] / part)
    candidates = [place / name for place in places for name in GIT_READS]
    git_dir = top / ".git"
    if git_dir.is_dir():
        candidates += [git_dir / name for name in GIT_DIR_READS]
    for candidate in candidates:
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ToolArgumentError(
                f"{shown(root, candidate)} is a {kind_of(mode)}, not a regular file: git would"
                " wait on it forever; remove or replace it for git to work here"
            )


async def working_tree_diff(root: Path) -> str:
    """The workspace's changes against HEAD as `git diff` text, untracked files included
    (as new files; ignored files are left out). A repository without commits is
    compared with the empty tree. Outside a repository: ToolArgumentError.

    Untracked files are added as intent-to-add to a throwaway copy of the index,
    so one `git diff` covers them (renames of tracked files included) and the
    real index is never touched.
    """
    try:
        top = Path((await git(root, "rev-parse", "--show-toplevel")).strip())
    except (ToolArgumentError, OSError):
        raise ToolArgumentError(f"not a git repository (or a bare one): {root}") from None
    try:
        base = (await git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")).strip()
    except ToolArgumentError:  # no commit yet: everything is new
        base = (await git(top, "hash-object", "-t", "tree", "/dev/null")).strip()
    # A wholly untracked folder comes as one entry (`new/`), not as its files:
    # `add -N` matches every pathspec against every path, so thousands of new
    # files one by one cost seconds; their folders, milliseconds.
    untracked = await git(
        top, "ls-files", "--others", "--exclude-standard", "--directory", "--no-empty-directory",
        "-z",
    )  # fmt: skip
    index = Path(
        (await git(top, "rev-parse", "--path-format=absolute", "--git-path", "index")).strip()
    )
    with tempfile.TemporaryDirectory(prefix="codex-tui-diff-") as scratch:
        # Literal: a file named `a[1].txt` is that file, not a pattern.
        env = {
            **os.environ,
            "GIT_INDEX_FILE": str(Path(scratch) / "index"),
            "GIT_LITERAL_PATHSPECS": "1",
        }
        if index.exists():
            # copy2 keeps the index's mtime: git compares it with the entries' mtimes to
            # spot files changed within the same second ("racily clean"); a fresh mtime
            # would make such an edit of the same size invisible.
            try:
                shutil.copy2(index, env["GIT_INDEX_FILE"])
            except OSError as exc:  # shutil refuses a FIFO rather than block on it
                raise ToolArgumentError(f"cannot copy the git index {index}: {exc}") from None
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
            "--no-textconv",
            "--find-renames",
            base,
        )


async def _git_env(
    root: Path, env: dict[str, str] | None, *args: str, stdin: bytes | None = None
) -> str:
    code, out, err = await run_whole(
        ["git", "--no-pager", *NO_REPO_PROGRAMS, *args],
        cwd=root,
        label=_label(args),
        env=env,
        stdin=stdin,
    )
    if code != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise ToolArgumentError(message[0] if message else f"git {args[0]} failed")
    return out.decode("utf-8", errors="replace")
