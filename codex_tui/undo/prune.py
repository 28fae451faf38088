"""Snapshots go with their session: deleting a session drops its private refs."""

from __future__ import annotations

import contextlib
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.config import paths
from codex_tui.snapshots import SnapshotError, Snapshotter, drop_session


def drop_session_snapshots(path: Path, session_id: str) -> None:
    """Drop the refs of every store the session's snapshots went to (best effort:
    a store that is gone or unreadable is skipped)."""
    from codex_tui.sessions.reader import read_session

    data = read_session(path)
    stores = {
        (root.root, root.git_dir)
        for event in data.transcript
        if isinstance(event, ev.SnapshotTaken)
        for root in event.roots
    }
    for root, git_dir in stores:
        with contextlib.suppress(SnapshotError, OSError):
            drop_session(Snapshotter.at(root, git_dir, paths.home()).store, session_id)
