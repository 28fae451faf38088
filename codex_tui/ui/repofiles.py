"""The files `@` completes: a repository's files as git sees them (so .gitignore holds).

`list_files` blocks (a `git ls-files` process, or a directory walk outside git); the
composer calls it from a worker thread. No Textual here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = [
    "DEFAULT_LIMIT",
    "SKIPPED_DIRS",
    "list_files",
    "list_git_files",
    "walk_files",
    "with_folders",
]

# Not a cap a repository meets (a 200,000-file one lists in ~0.3 s and searches in
# ~10–30 ms a keystroke): a bound on memory for a runaway listing.
DEFAULT_LIMIT = 2_000_000
# Outside git, directories that are never worth offering (hidden ones are skipped too).
SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        "__pycache__",
        "venv",
        "site-packages",
        "vendor",
        "target",
        "build",
        "dist",
    }
)
# A walk of $HOME or / must not take long: stop after this many directories.
_MAX_WALK_DIRS = 10_000
_GIT_TIMEOUT_S = 10.0


def _start_git(root: Path, *args: str) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            ["git", "-c", "core.fsmonitor=false", *args],  # no repository's program runs
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _collect(proc: subprocess.Popen[bytes] | None, limit: int) -> list[str] | None:
    """The NUL-separated paths `proc` prints (at most `limit`); None when git failed."""
    if proc is None:
        return None
    assert proc.stdout is not None
    out: list[str] = []
    rest = b""
    truncated = False
    with proc:
        while chunk := proc.stdout.read(1 << 16):
            parts = (rest + chunk).split(b"\0")
            rest = parts.pop()
            out.extend(p.decode("utf-8", "replace") for p in parts if p)
            if len(out) >= limit:
                truncated = True
                proc.kill()
                break
        try:
            code = proc.wait(timeout=_GIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            return None
    if rest:
        out.append(rest.decode("utf-8", "replace"))
    if code != 0 and not truncated:
        return None
    return out[:limit]


def list_git_files(root: Path, limit: int = DEFAULT_LIMIT) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files under `root`, relative to it, or None
    when `root` is not inside a git work tree (or git is missing).

    Tracked files deleted from the work tree are left out.
    """
    # Both listings stat the whole work tree; run them side by side.
    deleted_proc = _start_git(root, "ls-files", "-z", "--deleted")
    listed = _collect(
        _start_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"), limit
    )
    deleted = _collect(deleted_proc, limit) or []
    if listed is None:
        return None
    if deleted:
        gone = set(deleted)
        listed = [p for p in listed if p not in gone]
    # --cached and --others can name a path twice (e.g. during a merge).
    return list(dict.fromkeys(listed))


def walk_files(root: Path, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Files under `root` (relative, "/"-separated), skipping hidden and vendor directories;
    bounded by `limit` files and a fixed number of directories."""
    out: list[str] = []
    for dirs_seen, (dirpath, dirnames, filenames) in enumerate(os.walk(root), start=1):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIPPED_DIRS)
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in sorted(filenames):
            if not name.startswith("."):
                out.append(prefix + name)
                if len(out) >= limit:
                    return out
        if dirs_seen >= _MAX_WALK_DIRS:
            break
    return out


def with_folders(files: list[str]) -> list[str]:
    """The files, then every folder holding one (as `dir/`): folders complete too."""
    folders: set[str] = set()
    for path in files:
        cut = path.rfind("/")
        while cut > 0:
            folder = path[: cut + 1]
            if folder in folders:
                break
            folders.add(folder)
            cut = path.rfind("/", 0, cut)
    return [*files, *sorted(folders)]


def list_files(root: Path | str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """What `@` offers under `root`: git's view when it is a repository, else a walk;
    the files and their folders."""
    root = Path(root)
    if not root.is_dir():
        return []
    files = list_git_files(root, limit)
    return with_folders(files if files is not None else walk_files(root, limit))
