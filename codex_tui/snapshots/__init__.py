"""Workspace snapshots for undo: taken around each turn that writes, kept as git
objects (the repository's own, or a private store outside git), restored path by
path. Knows nothing of the agent; `agent/turn_snapshots.py` drives it and
`undo/` turns a session's records into undo and redo."""

from codex_tui.snapshots.gitstore import (
    GitStore,
    SnapshotError,
    drop_session,
    open_store,
    parse_ref,
    prune_refs,
    ref_name,
    session_prefix,
)
from codex_tui.snapshots.restore import Change, RestorePlan, apply_plan, diff_text, plan_restore
from codex_tui.snapshots.scan import Limits
from codex_tui.snapshots.snapshot import Item, Manifest, Snapshot, Snapshotter

__all__ = [
    "Change",
    "GitStore",
    "Item",
    "Limits",
    "Manifest",
    "RestorePlan",
    "Snapshot",
    "SnapshotError",
    "Snapshotter",
    "apply_plan",
    "diff_text",
    "drop_session",
    "open_store",
    "parse_ref",
    "plan_restore",
    "prune_refs",
    "ref_name",
    "session_prefix",
]
