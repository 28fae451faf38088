"""Where snapshots live: git's object database, driven through git plumbing.

In a git work tree that is the repository's own object database, with commits
under a private ref (`refs/codex-tui/snapshots/<session>/<n>`); the person's
branches, HEAD, index and stash are never touched, because nothing here runs a
porcelain command and every index we write is a private file. Outside git it is
a bare repository of our own under `$CODEX_TUI_HOME/snapshots/`, so both cases
share one content-addressed store with git's packing and integrity checks.

Contents go in with `hash-object --no-filters` and come out with `cat-file`:
no clean/smudge filter, text conversion or LFS driver (from the repository's
attributes or the person's config) can change the bytes that are restored.
Git never runs a program named by the repository's config for us (fsmonitor,
hooks, signing), and every call has a deadline.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EMPTY_TREE",
    "GitStore",
    "SnapshotError",
    "TreeEntry",
    "drop_session",
    "open_store",
    "parse_ref",
    "prune_refs",
    "ref_name",
    "session_prefix",
]

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
REF_PREFIX = "refs/codex-tui/snapshots"
# Outside git nothing is ignored; these folders are then treated as if they
# were (kept when small, listed as not covered when large).
HEAVY_DIRS = (
    "node_modules", ".venv", "venv", "__pycache__", "target", "build", "dist",
    ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".cache", ".gradle",
)  # fmt: skip
TIMEOUT_S = 120.0

# Settings that would make git run a program or change what we store.
SAFE_CONFIG = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "commit.gpgSign=false",
    "-c", "gc.auto=0",
    "-c", "maintenance.auto=false",
    "-c", "core.splitIndex=false",
    "-c", "core.untrackedCache=false",
)  # fmt: skip
IDENTITY = {
    "GIT_AUTHOR_NAME": "codex-tui",
    "GIT_AUTHOR_EMAIL": "snapshots@codex-tui.invalid",
    "GIT_COMMITTER_NAME": "codex-tui",
    "GIT_COMMITTER_EMAIL": "snapshots@codex-tui.invalid",
}


class SnapshotError(Exception):
    """A snapshot could not be taken or read; the message is one line."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One path of a snapshot tree: git mode ("100644", "100755", "120000") and blob."""

    mode: str
    sha: str


@dataclass(frozen=True, slots=True)
class GitStore:
    """A git object database and the work tree whose snapshots it keeps."""

    git_dir: Path
    work_tree: Path
    private: bool  # our own bare repository (the work tree is not in git)

    def _env(self, index: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(IDENTITY)
        env.update(LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
        if self.private:  # a repository's own store is found from the work tree
            env.update(GIT_DIR=str(self.git_dir), GIT_WORK_TREE=str(self.work_tree))
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        if index is not None:
            env["GIT_INDEX_FILE"] = str(index)
        return env

    def run(
        self,
        *args: str,
        data: bytes | None = None,
        index: Path | None = None,
        cwd: Path | None = None,
    ) -> bytes:
        """git's standard output; SnapshotError with git's first error line."""
        try:
            done = subprocess.run(
                ["git", *SAFE_CONFIG, *args],
                input=data,
                capture_output=True,
                cwd=cwd or self.work_tree,
                env=self._env(index),
                timeout=TIMEOUT_S,
                check=False,
            )
        except FileNotFoundError:
            raise SnapshotError("git is not installed: snapshots need it") from None
        except subprocess.TimeoutExpired:
            raise SnapshotError(f"git {args[0]} took longer than {TIMEOUT_S:.0f} s") from None
        except OSError as exc:
            raise SnapshotError(f"git {args[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            first = lines[0] if lines else f"exit status {done.returncode}"
            raise SnapshotError(f"git {args[0]}: {first.removeprefix('fatal: ')}")
        return done.stdout

    # --- writing -------------------------------------------------------------------

    def hash_files(self, paths: list[Path]) -> list[str]:
        """Store each file's bytes as a blob, as they are (no filters); their ids."""
        if not paths:
            return []
        data = b"".join(os.fsencode(p) + b"\n" for p in paths)
        if any(b"\n" in os.fsencode(p) for p in paths):
            raise SnapshotError("a file name holds a newline")
        out = self.run("hash-object", "-w", "--no-filters", "--stdin-paths", data=data)
        shas = out.decode().split()
        if len(shas) != len(paths):
            raise SnapshotError("git hash-object answered for fewer files than asked")
        return shas

    def hash_bytes(self, blobs: list[bytes]) -> list[str]:
        """Store byte strings (symlink targets) as blobs, in one git call."""
        if not blobs:
            return []
        with tempfile.TemporaryDirectory(prefix="codex-tui-links-") as tmp:
            paths = []
            for i, blob in enumerate(blobs):
                path = Path(tmp) / str(i)
                path.write_bytes(blob)
                paths.append(path)
            return self.hash_files(paths)

    def write_tree(self, entries: dict[str, TreeEntry]) -> str:
        """A tree object holding exactly `entries` (paths relative, `/`-separated)."""
        if not entries:
            return EMPTY_TREE
        lines = b"".join(
            f"{e.mode} {e.sha}\t".encode() + os.fsencode(path) + b"\0"
            for path, e in entries.items()
        )
        with tempfile.TemporaryDirectory(prefix="codex-tui-index-") as tmp:
            index = Path(tmp) / "index"
            self.run("update-index", "-z", "--index-info", data=lines, index=index)
            return self.run("write-tree", index=index).decode().strip()

    def commit(self, tree: str, message: str) -> str:
        out = self.run("commit-tree", tree, "-F", "-", data=message.encode("utf-8"))
        return out.decode().strip()

    def set_ref(self, name: str, commit: str) -> None:
        self.run("update-ref", name, commit)

    def delete_refs(self, names: Iterable[str]) -> None:
        todo = "".join(f"delete {n}\n" for n in names)
        if todo:
            self.run("update-ref", "--stdin", data=todo.encode())

    def refs(self, prefix: str) -> list[str]:
        out = self.run("for-each-ref", "--format=%(refname)", prefix)
        return out.decode().split()

    # --- reading -------------------------------------------------------------------

    def has_commit(self, commit: str) -> bool:
        try:
            return self.run("cat-file", "-t", commit).strip() == b"commit"
        except SnapshotError:
            return False

    def message(self, commit: str) -> str:
        raw = self.run("cat-file", "commit", commit).decode("utf-8", "replace")
        return raw.split("\n\n", 1)[1] if "\n\n" in raw else ""

    def tree_entries(self, commit: str) -> dict[str, TreeEntry]:
        """Every blob path of the commit's tree (recursively)."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit)
        entries: dict[str, TreeEntry] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            head, _, name = record.partition(b"\t")
            mode, kind, sha = head.decode().split()
            if kind == "blob":
                entries[os.fsdecode(name)] = TreeEntry(mode, sha)
        return entries

    def blobs(self, shas: list[str]) -> Iterator[tuple[str, bytes]]:
        """The bytes of each blob, read through one `cat-file --batch`."""
        unique = list(dict.fromkeys(shas))
        if not unique:
            return
        out = self.run("cat-file", "--batch", data="".join(s + "\n" for s in unique).encode())
        pos = 0
        for sha in unique:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            if len(header) != 3 or header[1] != b"blob":
                raise SnapshotError(f"snapshot object {sha[:12]} is missing")
            size = int(header[2])
            yield sha, out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1


def _git_dir_of(root: Path) -> Path | None:
    """The git directory holding `root`'s history, when `root` is in a work tree."""
    try:
        done = subprocess.run(
            ["git", *SAFE_CONFIG, "rev-parse", "--absolute-git-dir", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            timeout=30,
            check=False,
            env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.decode(errors="replace").splitlines()
    if done.returncode != 0 or len(lines) < 2:
        return None
    return Path(lines[0])


def open_store(root: Path, home: Path) -> GitStore:
    """The store for `root`: its repository's objects, or a private bare one."""
    root = root.resolve()
    git_dir = _git_dir_of(root)
    if git_dir is not None:
        return GitStore(git_dir=git_dir, work_tree=root, private=False)
    key = hashlib.sha256(os.fsencode(root)).hexdigest()[:24]
    private = home / "snapshots" / "repos" / f"{key}.git"
    if not (private / "objects").is_dir():
        private.parent.mkdir(parents=True, exist_ok=True)
        maker = GitStore(git_dir=private, work_tree=private.parent, private=False)
        maker.run("init", "--bare", "--quiet", str(private))
        (private / "codex-tui-root").write_text(str(root) + "\n")
        (private / "info").mkdir(exist_ok=True)
        (private / "info" / "exclude").write_text("".join(f"{n}/\n" for n in HEAVY_DIRS))
    return GitStore(git_dir=private, work_tree=root, private=True)


def session_prefix(session_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", session_id) or "_"
    return f"{REF_PREFIX}/{safe}"


def ref_name(session_id: str, seq: int, phase: str) -> str:
    """The private ref keeping turn `seq`'s snapshot of `phase` alive."""
    return f"{session_prefix(session_id)}/{seq:06d}-{phase}"


def parse_ref(name: str) -> tuple[int, str]:
    """(turn number, phase) of a ref made by `ref_name`; (0, "") for others."""
    seq, _, phase = name.rsplit("/", 1)[-1].partition("-")
    return (int(seq), phase) if seq.isdigit() else (0, "")


PRUNE_BATCH = 10  # turns dropped at a time, so pruning (and gc) is not every turn


def prune_refs(store: GitStore, session_id: str, keep_turns: int) -> int:
    """Drop the refs of all but the session's last `keep_turns` turns, ten turns
    at a time; how many refs went. In a repository their objects go with git's
    next garbage collection; our own store collects them at once."""
    refs = store.refs(session_prefix(session_id))
    numbers = [parse_ref(r)[0] for r in refs]
    newest, oldest = max(numbers, default=0), min(numbers, default=0)
    if oldest > newest - keep_turns - PRUNE_BATCH:
        return 0
    old = [r for r in refs if parse_ref(r)[0] <= newest - keep_turns]
    store.delete_refs(old)
    if store.private and old:
        store.run("gc", "--prune=now", "--quiet")
    return len(old)


def drop_session(store: GitStore, session_id: str) -> None:
    """Forget every snapshot of a session (when the session itself is deleted)."""
    store.delete_refs(store.refs(session_prefix(session_id)))
