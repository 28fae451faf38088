"""read_file and apply_patch through an editor's buffers (ACP `fs/*`): the same
path checks and policy as on disk, with the text read from, and the patched
files' whole contents written to, the editor, so it sees (and keeps) unsaved
changes. What the editor cannot express (deletes, moves, modes, bytes that are
not UTF-8) goes to the disk as before."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from codex_tui.patch import (
    ChangeKind,
    CommitError,
    CommitResult,
    CommittedFile,
    PatchError,
    PatchPlan,
    StaleFileError,
    commit,
    files_updated,
)
from codex_tui.tools import files
from codex_tui.tools.access import EditorFilesError

if TYPE_CHECKING:
    from codex_tui.patch import FileChange
    from codex_tui.tools.access import EditorFiles


async def read_file(
    editor: EditorFiles, root: Path, path: str, start: int | None, end: int | None
) -> str:
    """read_file's page of the editor's text of `path` (the disk's for a binary
    or huge file, or when the editor cannot say)."""
    full = await asyncio.to_thread(files.editor_readable, root, path)
    if full is not None:
        try:
            text = await editor.read_text(full)
        except EditorFilesError:
            pass
        else:
            return await asyncio.to_thread(files.page_text, root, full, path, text, start, end)
    return await asyncio.to_thread(files.read_file, root, path, start, end)


async def buffers_for(editor: EditorFiles, patch: str, root: Path) -> dict[Path, str]:
    """The editor's text of each regular file the patch edits (one it cannot
    give, or too large to ask for, is read from the disk by the planner)."""
    paths = await asyncio.to_thread(_askable, files_updated(patch, root))
    found: dict[Path, str] = {}
    for path in paths:
        try:
            found[path] = await editor.read_text(path)
        except EditorFilesError:
            continue
    return found


def _askable(paths: list[Path]) -> list[Path]:
    out = []
    for path in paths:
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size <= files.EDITOR_READ_MAX_BYTES:
            out.append(path)
    return out


def _editor_writes(change: FileChange) -> bool:
    """Whether the editor can make this change: new or edited text, nothing else."""
    d = change._detail
    if change.kind not in (ChangeKind.ADD, ChangeKind.UPDATE) or change.new_abspath is None:
        return False
    if d.bom or (change.kind is ChangeKind.ADD and d.create_perms != 0o666):
        return False  # a BOM or an executable bit: bytes and modes are the disk's
    if change.old_mode is not None and change.new_mode != change.old_mode:
        return False
    try:
        (change.new_text or "").encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 survive only on disk
        return False
    return True


async def commit_via_editor(editor: EditorFiles, plan: PatchPlan) -> CommitResult:
    """Write the plan: text changes as whole files through the editor, the rest
    atomically on disk. All or nothing as far as can be: a file that changed in
    the editor since planning stops it before any write, and a failed write
    restores what was already written. Raises CommitError (one line)."""
    by_editor = [c for c in plan.files if _editor_writes(c)]
    on_disk = tuple(c for c in plan.files if not _editor_writes(c))
    for change in by_editor:
        if change.old_text is None or change.new_abspath is None:
            continue
        try:
            now = await editor.read_text(change.new_abspath)
        except EditorFilesError:
            now = None
        if now is not None and now != change.old_text:
            raise StaleFileError(f"{change.path}: changed in the editor since the patch was made")
    written: list[FileChange] = []
    try:
        for change in by_editor:
            assert change.new_abspath is not None
            try:
                await editor.write_text(change.new_abspath, change.new_text or "")
            except EditorFilesError as exc:
                raise CommitError(f"{change.path}: the editor did not write it: {exc}") from None
            written.append(change)
        disk = await asyncio.to_thread(commit, PatchPlan(plan.root, on_disk)) if on_disk else None
    except PatchError as exc:
        left = await _restore(editor, written)
        if left:
            raise CommitError(f"{exc}; PARTLY APPLIED, not restored: {', '.join(left)}") from None
        raise
    done = {c.path: c for c in disk.files} if disk is not None else {}
    ordered: list[CommittedFile] = []
    for change in plan.files:
        if change in written:
            ordered.append(CommittedFile(change.action, change.path, None, change.overwritten))
        elif change.path in done:
            ordered.append(done[change.path])
    return CommitResult(tuple(ordered))


async def _restore(editor: EditorFiles, written: list[FileChange]) -> list[str]:
    """Put back what the editor wrote (an added file is removed from the disk);
    the paths that could not be."""
    left = []
    for change in reversed(written):
        assert change.new_abspath is not None
        try:
            if change.old_text is not None:
                await editor.write_text(change.new_abspath, change.old_text)
            else:
                await asyncio.to_thread(_remove, change.new_abspath)
        except (EditorFilesError, OSError):
            left.append(change.path)
    return left


def _remove(path: Path) -> None:
    if path.is_file() and not path.is_symlink():
        path.unlink()
