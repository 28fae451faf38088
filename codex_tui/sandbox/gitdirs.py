"""Find every `.git` under the writable roots, within a bound, so all stay read-only.

A nested repository's hooks (vendor/lib/.git/hooks) run when a person next uses
git there, so each `.git` found is protected, not only the top-level one. The
walk is breadth first (shallow repositories are found before any cap), never
enters a `.git`, never follows a symlink, skips a few cache directories that
hold nobody's repository, and stops at `MAX_DIRS` directories or `BUDGET_S`
seconds. A `Sandbox` walks once, when its first command needs the answer.
"""

from __future__ import annotations

import os
import stat
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUDGET_S", "MAX_DIRS", "GitScan", "find_git_entries", "protected_paths"]

MAX_DIRS = 20_000
BUDGET_S = 1.0
SKIP_DIRS = frozenset(
    {"node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox"}
)
_GITFILE_MAX = 4096  # a gitdir file is one short line; read no more than this


@dataclass(frozen=True)
class GitScan:
    """What a walk found: `.git` entries (as found, not resolved) and how far it got."""

    entries: tuple[Path, ...]
    dirs_scanned: int
    complete: bool
    seconds: float


def find_git_entries(
    roots: tuple[Path, ...], *, max_dirs: int = MAX_DIRS, budget_s: float = BUDGET_S
) -> GitScan:
    """Every `.git` (directory, file or symlink) beneath `roots`, breadth first.

    The roots themselves are always read, so their own `.git` is always found;
    the caps apply to the directories below them.
    """
    started = time.monotonic()
    deadline = started + budget_s
    tops = [r for r in roots if not any(r != o and r.is_relative_to(o) for o in roots)]
    queue: deque[str] = deque(str(r) for r in tops)
    entries: list[Path] = []
    scanned = 0
    complete = True
    while queue:
        if scanned >= len(tops) and (scanned >= max_dirs or time.monotonic() >= deadline):
            complete = False
            break
        directory = queue.popleft()
        scanned += 1
        try:
            with os.scandir(directory) as it:
                for n, entry in enumerate(it):
                    if n % 1024 == 1023 and time.monotonic() >= deadline:
                        complete = False
                        break
                    if entry.name == ".git":
                        entries.append(Path(entry.path))
                    elif entry.name not in SKIP_DIRS and entry.is_dir(follow_symlinks=False):
                        if scanned + len(queue) < max_dirs:
                            queue.append(entry.path)
                        else:
                            complete = False
        except OSError:
            continue
    return GitScan(tuple(entries), scanned, complete, time.monotonic() - started)


def protected_paths(
    roots: tuple[Path, ...], entries: tuple[Path, ...] | None = None
) -> tuple[Path, ...]:
    """What stays read-only for the `.git` `entries` (found beneath `roots` when not given).

    A `.git` is protected itself (unless it is a symlink, whose target counts
    instead), and so is where it points — a symlink's target, a gitdir file's
    directory — when that lies inside a writable root; elsewhere it is
    read-only anyway.
    """
    if entries is None:
        entries = find_git_entries(roots).entries
    out: list[Path] = []
    for git in entries:
        targets: list[Path | None] = [git, _resolve(git)]
        if git.is_file():
            targets.append(_gitdir_target(git))
        for target in targets:
            if (
                target is not None
                and os.path.lexists(target)
                and any(target.is_relative_to(r) for r in roots)
                and target not in out
                and not target.is_symlink()
            ):
                out.append(target)
    return tuple(out)


def _resolve(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None


def _gitdir_target(gitfile: Path) -> Path | None:
    """The directory a `gitdir: …` file names; read without blocking and with a cap."""
    try:
        fd = os.open(gitfile, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # a FIFO or a device behind a symlink: never read it
        head = os.read(fd, _GITFILE_MAX).decode(errors="replace")
    except OSError:
        return None
    finally:
        os.close(fd)
    first = head.splitlines()[0] if head else ""
    if not first.startswith("gitdir:"):
        return None
    target = Path(first.removeprefix("gitdir:").strip())
    if not target.is_absolute():
        target = gitfile.parent / target
    return _resolve(target)
