"""The apply_patch engine: parse a patch, locate it in the workspace, commit it atomically.

    plan = build_patch_plan(patch_text, root)   # parse + check + compute, in memory
    plan.files[0].hunks, plan.diff        # the change model, for display and approval
    plan = plan.select([(0, 0), (1, 2)])  # keep only some hunks
    result = commit(plan)                 # all files or none, even across kill -9
    print(result.summary())

    recover_unfinished_commit(root)       # at start-up: undo a commit cut short

Every failure is a PatchError with a one-line message, and leaves the tree as it was.
The names load on first use: the TUI's first frame imports the diff view, which
needs none of the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codex_tui.lazy_names import lazy_getattr

if TYPE_CHECKING:
    import os

    from codex_tui.patch.errors import (
        CommitError,
        ContextNotFoundError,
        FileStateError,
        PatchError,
        PatchSyntaxError,
        PathError,
        StaleFileError,
    )
    from codex_tui.patch.model import ChangeKind, FileChange, Hunk, HunkLine, PatchPlan
    from codex_tui.patch.parser import parse_patch
    from codex_tui.patch.planner import build_patch_plan, files_updated
    from codex_tui.patch.recovery import Recovery, recover_unfinished_commit
    from codex_tui.patch.syntax import ParsedPatch
    from codex_tui.patch.transaction import CommitResult, CommittedFile, commit

_WHERE = {
    "CommitError": "errors",
    "ContextNotFoundError": "errors",
    "FileStateError": "errors",
    "PatchError": "errors",
    "PatchSyntaxError": "errors",
    "PathError": "errors",
    "StaleFileError": "errors",
    "ChangeKind": "model",
    "FileChange": "model",
    "Hunk": "model",
    "HunkLine": "model",
    "PatchPlan": "model",
    "parse_patch": "parser",
    "build_patch_plan": "planner",
    "files_updated": "planner",
    "Recovery": "recovery",
    "recover_unfinished_commit": "recovery",
    "ParsedPatch": "syntax",
    "CommitResult": "transaction",
    "CommittedFile": "transaction",
    "commit": "transaction",
}

__all__ = [
    "ChangeKind",
    "CommitError",
    "CommitResult",
    "CommittedFile",
    "ContextNotFoundError",
    "FileChange",
    "FileStateError",
    "Hunk",
    "HunkLine",
    "ParsedPatch",
    "PatchError",
    "PatchPlan",
    "PatchSyntaxError",
    "PathError",
    "Recovery",
    "StaleFileError",
    "apply_patch",
    "build_patch_plan",
    "commit",
    "files_updated",
    "parse_patch",
    "recover_unfinished_commit",
]


def apply_patch(patch: str, root: str | os.PathLike[str]) -> CommitResult:
    """Plan and commit in one step (no approval in between)."""
    from codex_tui.patch.planner import build_patch_plan
    from codex_tui.patch.transaction import commit

    return commit(build_patch_plan(patch, root))


__getattr__ = lazy_getattr(__name__, _WHERE, globals())
