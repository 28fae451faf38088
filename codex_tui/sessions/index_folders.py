"""Which session files changed since the index's last refresh.

Finding changes is the part that must stay fast at 50,000 sessions. Under a root
whose writers are all ours (`Root.marks_folders`), a folder whose modification
time is what the index stored is not listed again: a file created, renamed or
deleted in it changes that time, and our recorder touches the folder whenever it
appends (`files.mark_folder`). So a refresh stats the few hundred day folders, not
every file. Codex CLI's root is always listed in full: its writer appends without
touching anything. A folder modified in the last two seconds is not trusted (the
file system's clock is coarse; a change in the same tick would keep the time).

Kept apart from the row reading (index_scan) so a listing, which only refreshes,
does not import the session decoders.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field

from codex_tui.sessions.files import Root, Source, is_session_file

# A folder modified this recently is listed again on the next refresh.
RACY_NS = 2_000_000_000

FileToScan = tuple[str, int, int, Source]


@dataclass
class FolderScan:
    """One root's folders, as a refresh found them."""

    # Session files in the folders that were listed: path -> (size, mtime_ns).
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Folders whose files were listed: the index's rows for them are compared.
    listed: list[str] = field(default_factory=list)
    # Folders the index knew that are gone: their rows go.
    gone: list[str] = field(default_factory=list)
    # Folder rows to store: (path, parent, mtime_ns, or None to list it next time).
    store: list[tuple[str, str | None, int | None]] = field(default_factory=list)


def scan_folders(root: Root, known: dict[str, tuple[str | None, int | None]]) -> FolderScan:
    """Walk `root`'s folders; `known` maps each folder to (parent, stored mtime)."""
    trust = root.marks_folders and root.source == "codex-tui"
    children: dict[str, list[str]] = {}
    for folder, (parent, _) in known.items():
        if parent is not None:
            children.setdefault(parent, []).append(folder)
    out = FolderScan()
    seen: set[str] = set()
    now = time.time_ns()
    stack: list[tuple[str, str | None]] = [(str(root.path), None)]
    while stack:
        folder, parent = stack.pop()
        try:
            st = os.stat(folder) if parent is None else os.lstat(folder)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or folder in seen:
            continue
        seen.add(folder)
        stored = known.get(folder)
        mtime = st.st_mtime_ns
        if trust and stored is not None and stored[1] == mtime:
            stack += [(child, folder) for child in children.get(folder, ())]
            continue
        out.store.append((folder, parent, None if now - mtime < RACY_NS else mtime))
        out.listed.append(folder)
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, folder))
                    elif is_session_file(entry.name) and entry.is_file():
                        est = entry.stat()
                        out.files[entry.path] = (est.st_size, est.st_mtime_ns)
                except OSError:
                    continue
    out.gone = [folder for folder in known if folder not in seen]
    return out
