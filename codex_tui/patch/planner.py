"""Turn parsed operations into a PatchPlan: check paths, read files, locate chunks, compute
every result in memory. Nothing is written here, so any failure leaves the tree alone."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from codex_tui.patch.disk import Snapshot, take_snapshot
from codex_tui.patch.edits import Edit, diff_lines, splice
from codex_tui.patch.errors import FileStateError, PatchError
from codex_tui.patch.locate import locate_chunks
from codex_tui.patch.model import ChangeKind, FileChange, PatchPlan, _Detail, build_change
from codex_tui.patch.parser import parse_patch
from codex_tui.patch.paths import WorkspacePath, link_entry, resolve_path
from codex_tui.patch.syntax import AddFile, DeleteFile, ParsedPatch, UpdateFile
from codex_tui.patch.textfile import TextFile, decode

__all__ = ["build_patch_plan", "files_updated"]


def build_patch_plan(
    patch: str | ParsedPatch,
    root: str | os.PathLike[str],
    buffers: Mapping[Path, str] | None = None,
) -> PatchPlan:
    """Parse (if given text), check and compute `patch` against the workspace at `root`.

    `buffers`: an editor's text of some files (resolved paths), used in place of
    what is on disk for a regular file there (its unsaved changes).
    Raises a PatchError subclass with a one-line message; never writes.
    """
    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise FileStateError(str(root), "workspace root is not a directory")
    parsed = patch if isinstance(patch, ParsedPatch) else parse_patch(patch)
    planner = _Planner(root_path, buffers=dict(buffers or {}))
    for op in parsed.operations:
        if isinstance(op, AddFile):
            planner.add(op)
        elif isinstance(op, DeleteFile):
            planner.delete(op)
        else:
            planner.update(op)
    return PatchPlan(root_path, tuple(planner.changes()))


def files_updated(patch: str | ParsedPatch, root: str | os.PathLike[str]) -> list[Path]:
    """The resolved paths whose content `patch` edits (Update operations, with
    their fallback paths): the files an editor's buffers matter for. [] when the
    patch does not parse or names a path outside the workspace (planning says why)."""
    root_path = Path(root).resolve()
    try:
        parsed = patch if isinstance(patch, ParsedPatch) else parse_patch(patch)
        found: list[Path] = []
        for op in parsed.operations:
            if isinstance(op, UpdateFile):
                names = [op.path, *([op.fallback_path] if op.fallback_path else [])]
                found += [resolve_path(root_path, name).resolved for name in names]
    except PatchError:
        return []
    return list(dict.fromkeys(found))


@dataclass
class _Entry:
    """A file's content as the patch leaves it so far."""

    lines: list[str]
    bom: bool = False
    eol: str = "\n"
    mixed: bool = False  # lines end with both `\n` and `\r\n` (else all but the last with eol)
    mode: int | None = None  # permission bits; None: a new file, default mode
    create_perms: int = 0o666
    origin: Path | None = None  # the disk file this content descends from
    pristine: bool = False  # exactly the disk content of `origin`
    edits: list[Edit] | None = None  # exact edits from the origin, while one op made this
    added: bool = False  # last written whole by an Add


@dataclass
class _Planner:
    root: Path
    disk: dict[Path, Snapshot | None] = field(default_factory=dict)
    current: dict[Path, _Entry | None] = field(default_factory=dict)  # overlay; None: deleted
    names: dict[Path, str] = field(default_factory=dict)  # touched paths, in order: display
    texts: dict[Path, TextFile] = field(default_factory=dict)  # decoded disk contents
    buffers: dict[Path, str] = field(default_factory=dict)  # an editor's, over the disk's

    # -- reading ------------------------------------------------------------

    def _snapshot(self, path: Path, display: str) -> Snapshot | None:
        if path not in self.disk:
            snap = take_snapshot(path, display)
            if snap is not None and snap.kind == "file" and path in self.buffers:
                data = self.buffers[path].encode("utf-8", errors="replace")
                snap = Snapshot("file", snap.mode, data)
            self.disk[path] = snap
        return self.disk[path]

    def _touch(self, key: Path, display: str) -> None:
        self.names.setdefault(key, display)

    def _load(self, wp: WorkspacePath, verb: str) -> _Entry:
        """The current content of a file the operation needs to exist."""
        key = wp.resolved
        if key in self.current:
            entry = self.current[key]
            if entry is None:
                raise FileStateError(wp.display, f"cannot {verb}: deleted earlier in this patch")
            return entry
        snap = self._snapshot(key, wp.display)
        if snap is None:
            raise FileStateError(wp.display, f"cannot {verb}: no such file")
        self._require_file(snap, wp.display, verb)
        if b"\0" in snap.data:
            raise FileStateError(wp.display, f"cannot {verb}: looks like a binary file")
        text = self._decoded(key, snap)
        return _Entry(
            text.lines, text.bom, text.eol, text.mixed, snap.mode, origin=key, pristine=True
        )

    def _decoded(self, key: Path, snap: Snapshot) -> TextFile:
        if key not in self.texts:
            self.texts[key] = decode(snap.data)
        return self.texts[key]

    def _exists(self, wp: WorkspacePath) -> bool:
        if wp.resolved in self.current:
            return self.current[wp.resolved] is not None
        return self._snapshot(wp.resolved, wp.display) is not None

    @staticmethod
    def _require_file(snap: Snapshot, display: str, verb: str) -> None:
        if snap.kind == "dir":
            raise FileStateError(display, f"cannot {verb}: is a directory")
        if snap.kind not in ("file", "link"):
            raise FileStateError(display, f"cannot {verb}: not a regular file")

    def _replaced_mode(self, key: Path, display: str) -> int | None:
        """Check a path about to be (over)written; the mode of the file there, if any."""
        if key in self.current:
            entry = self.current[key]
            return entry.mode if entry is not None else None
        snap = self._snapshot(key, display)
        if snap is None:
            return None
        if snap.kind == "dir":
            raise FileStateError(display, "cannot write: is a directory")
        if snap.kind != "file":
            raise FileStateError(display, "cannot write: not a regular file")
        return snap.mode

    def _check_parents(self, key: Path, display: str) -> None:
        """Every existing ancestor of a file to create must be a directory."""
        for parent in key.parents:
            if parent == self.root or not parent.is_relative_to(self.root):
                return
            snap = self._snapshot(parent, display)
            if snap is not None and snap.kind != "dir":
                rel = parent.relative_to(self.root).as_posix()
                raise FileStateError(display, f"cannot create: {rel} is not a directory")

    # -- operations ---------------------------------------------------------

    def add(self, op: AddFile) -> None:
        wp = resolve_path(self.root, op.path)
        key = wp.resolved
        mode = self._replaced_mode(key, wp.display)  # an overwritten file keeps its mode
        self._check_parents(key, wp.display)
        lines = [line + "\n" for line in op.lines]
        if lines and not op.final_newline:
            lines[-1] = lines[-1][:-1]
        entry = _Entry(
            lines,
            mixed=any(line.endswith("\r") for line in op.lines),  # a `\r\n` line among `\n`s
            mode=mode,
            create_perms=0o777 if op.executable else 0o666,
            added=True,
        )
        self._touch(key, wp.display)
        self.current[key] = entry

    def delete(self, op: DeleteFile) -> None:
        wp = resolve_path(self.root, op.path)
        # Deleting a symlink removes the link, not what it points to.
        link = self._snapshot(wp.lexical, wp.display)
        key = link_entry(self.root, wp) if link is not None and link.kind == "link" else wp.resolved
        if key in self.current:
            if self.current[key] is None:
                raise FileStateError(wp.display, "cannot delete: deleted earlier in this patch")
        else:
            snap = self._snapshot(key, wp.display)
            if snap is None:
                raise FileStateError(wp.display, "cannot delete: no such file")
            self._require_file(snap, wp.display, "delete")
            if op.expect is not None and key == wp.resolved:
                self._check_expected(wp.display, snap, op.expect)
        self._touch(key, wp.display)
        self.current[key] = None

    @staticmethod
    def _check_expected(display: str, snap: Snapshot, expect: tuple[str, ...]) -> None:
        # A unified diff's deletion lists the content; refuse to drop a file that differs.
        have = [line.rstrip() for line in decode(snap.data).text.split("\n")]
        want = [line.rstrip() for line in expect]
        while have and not have[-1]:
            have.pop()
        while want and not want[-1]:
            want.pop()
        if have != want:
            raise FileStateError(display, "cannot delete: the file differs from the diff")

    def update(self, op: UpdateFile) -> None:
        wp = resolve_path(self.root, op.path)
        if op.fallback_path is not None and not self._exists(wp):
            other = resolve_path(self.root, op.fallback_path)
            if self._exists(other):
                wp = other
        key = wp.resolved
        entry = self._load(wp, "update")
        edits = locate_chunks(
            wp.display,
            entry.lines,
            op.chunks,
            eol=entry.eol,
            final_newline=op.final_newline,
            mixed_endings=entry.mixed,
        )
        mode = entry.mode
        if op.executable is not None and mode is not None:
            mode = mode | ((mode & 0o444) >> 2) if op.executable else mode & ~0o111
        # A patch line ending in `\r` makes a `\r\n` line in a `\n` file.
        added = (line for edit in edits for line in edit.new if line.endswith("\n"))
        result = _Entry(
            splice(entry.lines, edits),
            entry.bom,
            entry.eol,
            entry.mixed or any(line.endswith("\r\n") != (entry.eol == "\r\n") for line in added),
            mode,
            entry.create_perms,
            origin=entry.origin,
            edits=edits if entry.pristine else None,
            added=entry.added,
        )
        self._touch(key, wp.display)
        if op.move_to is None:
            self.current[key] = result
            return
        dest = resolve_path(self.root, op.move_to)
        if dest.resolved == key:
            self.current[key] = result
            return
        self._replaced_mode(dest.resolved, dest.display)
        self._check_parents(dest.resolved, dest.display)
        self._touch(dest.resolved, dest.display)
        self.current[key] = None
        self.current[dest.resolved] = result

    # -- result -------------------------------------------------------------

    def changes(self) -> list[FileChange]:
        """One FileChange per file, net of every operation on it."""
        moved = {
            entry.origin: key
            for key, entry in self.current.items()
            if entry is not None
            and entry.origin is not None
            and entry.origin != key
            and self.current.get(entry.origin, False) is None
        }
        destinations = set(moved.values())
        out: list[FileChange] = []
        for key in self.names:
            if key in destinations:
                continue
            change = self._change(key, moved.get(key, key))
            if change is not None:
                out.append(change)
        return out

    def _change(self, src: Path, dst: Path) -> FileChange | None:
        before = self.disk.get(src)
        old_file = before is not None and before.kind == "file"
        old_lines = self._decoded(src, before).lines if before is not None and old_file else []
        entry = self.current[dst]
        if entry is None:  # deleted
            if before is None:
                return None  # added, then deleted again
            removal = [Edit(0, tuple(old_lines), ())] if old_lines else []
            return self._make(ChangeKind.DELETE, src, None, old_lines, removal, before, None)
        edits = entry.edits
        if edits is None or entry.origin != src:
            edits = diff_lines(old_lines, entry.lines)
        if src != dst:
            kind = ChangeKind.MOVE
        elif entry.added or before is None or not old_file:
            kind = ChangeKind.ADD
        else:
            kind = ChangeKind.UPDATE
            if not edits and entry.mode == before.mode:
                return None  # changed and changed back
        return self._make(kind, src, dst, old_lines, edits, before, entry)

    def _make(
        self,
        kind: ChangeKind,
        src: Path,
        dst: Path | None,
        old_lines: list[str],
        edits: list[Edit],
        before: Snapshot | None,
        entry: _Entry | None,
    ) -> FileChange:
        dest_before = self.disk.get(dst) if dst is not None and dst != src else None
        expect = [(src, before)]
        if dst is not None and dst != src:
            expect.append((dst, dest_before))
        existed = before is not None and before.kind == "file"
        detail = _Detail(
            old_lines=old_lines,
            bom=entry.bom if entry else False,
            write_to=dst,
            remove=src if dst != src else None,
            expect=tuple(expect),
            create_perms=entry.create_perms if entry else 0o666,
        )
        return build_change(
            kind,
            old_path=self.names[src] if kind != ChangeKind.ADD or existed else None,
            new_path=self.names[dst] if dst is not None else None,
            edits=edits,
            overwritten=(kind == ChangeKind.ADD and existed)
            or (kind == ChangeKind.MOVE and dest_before is not None),
            old_mode=before.mode if existed and before else None,
            new_mode=entry.mode if entry else None,
            old_abspath=src if kind != ChangeKind.ADD or existed else None,
            new_abspath=dst,
            detail=detail,
            new_lines=entry.lines if entry and kind != ChangeKind.DELETE else None,
        )
