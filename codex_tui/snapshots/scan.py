"""What a snapshot covers: a walk of the root with git's ignore rules and limits.

Everything under the root is covered (tracked, untracked and ignored files, so a
deleted `.env` comes back), except `.git` entries, ignored folders holding more
than `max_ignored_files` files (`node_modules`, `.venv`, build output) and files
over `max_file_bytes`; those are listed as not covered. Only regular files,
symlinks and folders are kept: a FIFO, socket or device is never opened.

The walk is our own (one `lstat` per entry); git is asked once which paths are
ignored (`ls-files -o -i --directory`, which collapses ignored folders).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from codex_tui.snapshots.gitstore import HEAVY_DIRS, GitStore, SnapshotError

__all__ = ["FileStat", "Limits", "Scan", "scan"]


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 10 * 1024 * 1024
    max_ignored_files: int = 2_000
    # A root with more files is not snapshotted at all (a home directory opened
    # as the workspace, say): every writing turn would wait for its walk.
    max_files: int = 250_000


class FileStat(NamedTuple):
    """What tells a file apart from its earlier self without reading it (a tuple:
    50,000 of them are made and compared per snapshot)."""

    perm: int  # permission bits
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    link: bool


@dataclass
class Scan:
    files: dict[str, FileStat] = field(default_factory=dict)  # regular files and symlinks
    dirs: set[str] = field(default_factory=set)
    not_covered: list[str] = field(default_factory=list)
    warning: str = ""


def ignored_paths(store: GitStore) -> tuple[set[str], str]:
    """Ignored paths relative to the root (folders end in `/`), and a warning
    when git could not say (then the heavy folder names stand in)."""
    try:
        out = store.run("ls-files", "-z", "-o", "-i", "--exclude-standard", "--directory")
    except SnapshotError as exc:
        return {f"{name}/" for name in HEAVY_DIRS}, str(exc)
    return {os.fsdecode(p) for p in out.split(b"\0") if p}, ""


def _stat(st: os.stat_result, link: bool) -> FileStat:
    return FileStat(
        stat.S_IMODE(st.st_mode), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, link
    )


def _count_files(path: Path, limit: int) -> int:
    """Files under `path`, counting stops past `limit`."""
    count = 0
    stack = [path]
    while stack and count <= limit:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    else:
                        count += 1
        except OSError:
            continue
    return count


def scan(store: GitStore, limits: Limits | None = None) -> Scan:
    """Walk the store's work tree; SnapshotError if the root itself is unreadable."""
    limits = limits or Limits()
    root = store.work_tree
    ignored, warning = ignored_paths(store)
    by_name = not store.private and bool(warning)  # git failed: fall back to names
    result = Scan(warning=warning)
    try:
        os.scandir(root).close()
    except OSError as exc:
        raise SnapshotError(f"cannot read {root}: {exc.strerror or exc}") from None
    stack: list[tuple[str, bool]] = [("", False)]
    while stack:
        rel, in_ignored = stack.pop()
        try:
            entries = list(os.scandir(root / rel if rel else root))
        except OSError as exc:
            result.not_covered.append(f"{rel}/ ({exc.strerror or 'unreadable'})")
            continue
        for entry in entries:
            name = entry.name
            if name == ".git":
                continue
            if "\n" in name:  # git's path lists are line-based
                result.not_covered.append(f"{rel}/{name!r}" if rel else repr(name))
                continue
            path = f"{rel}/{name}" if rel else name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                ignored_dir = (
                    in_ignored or f"{path}/" in ignored or (by_name and name in HEAVY_DIRS)
                )
                limit = limits.max_ignored_files
                if ignored_dir and not in_ignored and _count_files(Path(entry.path), limit) > limit:
                    result.not_covered.append(f"{path}/")
                    continue
                result.dirs.add(path)
                stack.append((path, ignored_dir))
            elif stat.S_ISLNK(st.st_mode):
                result.files[path] = _stat(st, True)
            elif stat.S_ISREG(st.st_mode):
                if st.st_size > limits.max_file_bytes:
                    result.not_covered.append(path)
                else:
                    result.files[path] = _stat(st, False)
        if len(result.files) > limits.max_files:
            raise SnapshotError(
                f"{root} holds more than {limits.max_files:,} files: too many to snapshot"
            )
    result.not_covered.sort()
    return result
