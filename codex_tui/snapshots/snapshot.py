"""Taking a snapshot of one root and reading one back.

A snapshot is a git commit: its tree holds every covered file and symlink (git
modes 100644, 100755, 120000), its message a JSON record of what a tree cannot
hold: exact permission bits, every folder (empty ones included) and what was
not covered. Files whose size, times, inode and mode are unchanged since the
last walk are not read again (a stat cache, like git's index), so a snapshot of
a workspace where nothing changed costs one walk and no git call.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from codex_tui.snapshots.gitstore import GitStore, SnapshotError, TreeEntry, open_store
from codex_tui.snapshots.scan import FileStat, Limits, Scan, scan

__all__ = ["Item", "Manifest", "Snapshot", "Snapshotter"]

TITLE = "codex-tui snapshot"
RACY_NS = 2_000_000_000  # files changed this recently are read again next time


class Item(NamedTuple):
    kind: Literal["file", "link"]
    sha: str
    perm: int  # permission bits of a file; 0 for a symlink

    @property
    def git_mode(self) -> str:
        if self.kind == "link":
            return "120000"
        return "100755" if self.perm & 0o111 else "100644"


@dataclass(frozen=True)
class Manifest:
    """Everything a snapshot holds, as paths relative to its root."""

    items: dict[str, Item]
    dirs: frozenset[str]
    not_covered: tuple[str, ...] = ()

    def same_content(self, other: Manifest) -> bool:
        return self.items == other.items and self.dirs == other.dirs


@dataclass(frozen=True)
class Snapshot:
    root: Path
    commit: str
    manifest: Manifest


def _metadata(root: Path, manifest: Manifest) -> str:
    modes = {
        p: i.perm
        for p, i in manifest.items.items()
        if i.kind == "file" and i.perm not in (0o644, 0o755)
    }
    record = {
        "version": 1,
        "root": str(root),
        "modes": modes,
        "dirs": sorted(manifest.dirs),
        "not_covered": list(manifest.not_covered),
    }
    return f"{TITLE}\n\n{json.dumps(record, ensure_ascii=True)}\n"


def _read_metadata(message: str) -> dict[str, Any]:
    _, _, body = message.partition("\n\n")
    try:
        record = json.loads(body)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


@dataclass
class Snapshotter:
    """Snapshots of one root, with the stat cache that makes repeated ones cheap."""

    store: GitStore
    cache_file: Path
    limits: Limits = field(default_factory=Limits)
    _cache: dict[str, tuple[FileStat, Item]] | None = None
    _last: Snapshot | None = None
    _dirty: bool = False  # the cache changed since it was written

    @classmethod
    def open(cls, root: Path, home: Path, limits: Limits | None = None) -> Snapshotter:
        """Snapshots of `root`, in its repository or our private store."""
        return cls._with(open_store(root, home), home, limits)

    @classmethod
    def at(cls, root: Path, git_dir: Path, home: Path, limits: Limits | None = None) -> Snapshotter:
        """Snapshots of `root` in the store a recorded snapshot named."""
        private = git_dir.resolve().parent == (home / "snapshots" / "repos").resolve()
        return cls._with(GitStore(git_dir=git_dir, work_tree=root, private=private), home, limits)

    @classmethod
    def _with(cls, store: GitStore, home: Path, limits: Limits | None) -> Snapshotter:
        key = hashlib.sha256(os.fsencode(store.work_tree)).hexdigest()[:24]
        cache_file = home / "snapshots" / "cache" / f"{key}.json"
        return cls(store, cache_file, limits or Limits())

    @property
    def root(self) -> Path:
        return self.store.work_tree

    # --- the stat cache --------------------------------------------------------------

    def _load_cache(self) -> dict[str, tuple[FileStat, Item]]:
        if self._cache is None:
            self._cache = {}
            with contextlib.suppress(OSError, ValueError, TypeError):
                raw = json.loads(self.cache_file.read_bytes())
                for path, (perm, size, mtime, ctime, ino, link, sha) in raw.items():
                    st = FileStat(perm, size, mtime, ctime, ino, link)
                    item = Item("link", sha, 0) if link else Item("file", sha, perm)
                    self._cache[path] = (st, item)
        return self._cache

    def _save_cache(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        fresh = {
            p: [s.perm, s.size, s.mtime_ns, s.ctime_ns, s.ino, s.link, item.sha]
            for p, (s, item) in self._load_cache().items()
        }
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_suffix(f".{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(fresh, separators=(",", ":")))
            os.replace(tmp, self.cache_file)

    # --- the current state -----------------------------------------------------------

    def current(self) -> Manifest:
        """The root as it is now; changed files' bytes are stored on the way."""
        manifest = self._manifest(scan(self.store, self.limits))
        self._save_cache()
        return manifest

    def _manifest(self, found: Scan, retry: bool = True) -> Manifest:
        # A file changed in the last moments could change again without its
        # size or times moving (coarse clocks): it is not trusted to the cache.
        settled = time.time_ns() - RACY_NS
        cache = self._load_cache()
        items: dict[str, Item] = {}
        files: list[str] = []
        links: list[str] = []
        for path, st in found.files.items():
            known = cache.get(path)
            if known is not None and known[0] == st:
                items[path] = known[1]  # same stat data: same kind, mode and content
            else:
                (links if st.link else files).append(path)
        root = self.root
        try:
            shas = self.store.hash_files([root / p for p in files])
            targets = [os.readlink(os.fsencode(root / p)) for p in links]
            link_shas = self.store.hash_bytes(targets)
        except (SnapshotError, OSError):
            if not retry:
                raise
            # A file changed kind or went away under the walk: walk again, once.
            return self._manifest(scan(self.store, self.limits), retry=False)
        for path, sha in zip(files, shas, strict=True):
            items[path] = Item("file", sha, found.files[path].perm)
        for path, sha in zip(links, link_shas, strict=True):
            items[path] = Item("link", sha, 0)
        for path in (*files, *links):
            st = found.files[path]
            if st.mtime_ns < settled and st.ctime_ns < settled:
                cache[path] = (st, items[path])
                self._dirty = True
            elif cache.pop(path, None) is not None:
                self._dirty = True
        if len(cache) > len(items) or files or links:
            for gone in cache.keys() - found.files.keys():
                del cache[gone]
                self._dirty = True
        return Manifest(items, frozenset(found.dirs), tuple(found.not_covered))

    # --- snapshots -------------------------------------------------------------------

    def take(self, ref: str | None = None) -> Snapshot:
        """A snapshot of the root now, kept alive by `ref` when given."""
        manifest = self._manifest(scan(self.store, self.limits))
        last = self._last
        if last is not None and last.manifest.same_content(manifest):
            commit = last.commit
        else:
            commit = self._commit(manifest)
        if ref:
            self.store.set_ref(ref, commit)
        self._save_cache()
        self._last = Snapshot(self.root, commit, manifest)
        return self._last

    def _commit(self, manifest: Manifest) -> str:
        entries = {p: TreeEntry(i.git_mode, i.sha) for p, i in manifest.items.items()}
        try:
            tree = self.store.write_tree(entries)
        except SnapshotError:
            # A cached id whose object is gone (pruned): read every file again.
            self._cache = {}
            manifest = self._manifest(scan(self.store, self.limits))
            entries = {p: TreeEntry(i.git_mode, i.sha) for p, i in manifest.items.items()}
            tree = self.store.write_tree(entries)
        return self.store.commit(tree, _metadata(self.root, manifest))

    def load(self, commit: str) -> Manifest:
        """The manifest of a snapshot commit; SnapshotError if it is gone."""
        if self._last is not None and self._last.commit == commit:
            return self._last.manifest
        if not self.store.has_commit(commit):
            raise SnapshotError(f"snapshot {commit[:12]} is no longer in {self.store.git_dir}")
        meta = _read_metadata(self.store.message(commit))
        modes = meta.get("modes") if isinstance(meta.get("modes"), dict) else {}
        items: dict[str, Item] = {}
        for path, entry in self.store.tree_entries(commit).items():
            if entry.mode == "120000":
                items[path] = Item("link", entry.sha, 0)
            else:
                default = 0o755 if entry.mode == "100755" else 0o644
                perm = modes.get(path, default) if isinstance(modes, dict) else default
                items[path] = Item("file", entry.sha, perm if isinstance(perm, int) else default)
        dirs = meta.get("dirs")
        not_covered = meta.get("not_covered")
        return Manifest(
            items,
            frozenset(d for d in dirs if isinstance(d, str))
            if isinstance(dirs, list)
            else frozenset(),
            tuple(n for n in not_covered if isinstance(n, str))
            if isinstance(not_covered, list)
            else (),
        )
