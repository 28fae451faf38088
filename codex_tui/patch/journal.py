"""The commit journal: what a commit is about to do to the workspace, on disk before it
does it, so that a commit cut short (kill -9, power loss) can be undone or finished.

It is one JSON file at the workspace root, and its name is its phase:

    .codex-tui-commit.writing    the journal being written (removed when found)
    .codex-tui-commit.staging    temporary files and directories are being made;
                                 nothing the patch names has changed yet
    .codex-tui-commit.renaming   files are being put in place; undo it on recovery
    .codex-tui-commit.done       every file is in place (the commit point);
                                 only backups are left to remove

    {"format": "codex-tui commit journal", "version": 1, "id": "…",
     "root": "/abs/workspace", "root_inode": 1234, "host": "…", "pid": 42,
     "started": "2026-12-03T10:00:00Z",
     "dirs": ["new", "new/sub"],              # directories made, parents first
     "steps": [["src", "a.py", ".a.py.1f2e3d4c.codex-tui.tmp", ".a.py.5b6a7980.codex-tui.bak"], …]}

A step is [directory, name, temp, backup]: `temp` holds the new content (null: the entry
is removed), `backup` the old entry until the commit is done (null: there was none).
Names are single path components; directories are `/`-joined below the root.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import dataclass
from typing import Literal, TypeVar

from codex_tui.patch.dirs import RelDir, WorkspaceDirs, entry_exists
from codex_tui.patch.disk import write_new_file
from codex_tui.patch.errors import CommitError

__all__ = [
    "BACKUP_SUFFIX",
    "JOURNAL_NAMES",
    "RESERVED_NAMES",
    "TEMP_SUFFIX",
    "WRITING_NAME",
    "Journal",
    "Phase",
    "Step",
    "find_journal",
    "side_name",
]

Phase = Literal["staging", "renaming", "done"]
PHASES: tuple[Phase, ...] = ("staging", "renaming", "done")
JOURNAL_NAMES: dict[Phase, str] = {phase: f".codex-tui-commit.{phase}" for phase in PHASES}
WRITING_NAME = ".codex-tui-commit.writing"  # a journal being written: only ever removed
RESERVED_NAMES = frozenset((*JOURNAL_NAMES.values(), WRITING_NAME))
FORMAT = "codex-tui commit journal"
VERSION = 1
TEMP_SUFFIX = ".codex-tui.tmp"
BACKUP_SUFFIX = ".codex-tui.bak"
_MAX_BYTES = 64 << 20  # ~450,000 files; a larger "journal" is not ours

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Step:
    """One entry the commit replaces, creates or removes, and its side files."""

    dir: RelDir
    name: str
    temp: str | None  # the new content, staged beside it; None: a removal
    backup: str | None  # the old entry, kept until done; None: nothing was there

    @property
    def shown(self) -> str:
        return "/".join((*self.dir, self.name))


@dataclass(frozen=True, slots=True)
class Journal:
    id: str
    root: str
    root_inode: int
    host: str
    pid: int
    started: str
    made_dirs: tuple[RelDir, ...]
    steps: tuple[Step, ...]

    @classmethod
    def new(cls, dirs: WorkspaceDirs, made: list[RelDir], steps: list[Step]) -> Journal:
        return cls(
            id=os.urandom(8).hex(),
            root=str(dirs.root),
            root_inode=os.fstat(dirs.root_fd).st_ino,
            host=os.uname().nodename,  # gethostname(), without importing socket
            pid=os.getpid(),
            started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            made_dirs=tuple(made),
            steps=tuple(steps),
        )

    def encode(self) -> bytes:
        steps = [["/".join(s.dir), s.name, s.temp, s.backup] for s in self.steps]
        document = {
            "format": FORMAT,
            "version": VERSION,
            "id": self.id,
            "root": self.root,
            "root_inode": self.root_inode,
            "host": self.host,
            "pid": self.pid,
            "started": self.started,
            "dirs": ["/".join(d) for d in self.made_dirs],
            "steps": steps,
        }
        # ASCII only: a file name that is not UTF-8 survives as a \udcXX escape.
        return json.dumps(document, separators=(",", ":")).encode("ascii")

    def write(self, dirs: WorkspaceDirs) -> None:
        """Create the staging journal, flushed to disk: written under another name first,
        so that a journal is never seen half-written."""
        fd = dirs.root_fd
        write_new_file(fd, WRITING_NAME, [self.encode()], 0o600, None)
        os.rename(WRITING_NAME, JOURNAL_NAMES["staging"], src_dir_fd=fd, dst_dir_fd=fd)

    @staticmethod
    def advance(dirs: WorkspaceDirs, old: Phase, new: Phase) -> None:
        """Rename the journal to its next phase (the caller flushes the root directory,
        knowing the rename happened)."""
        fd = dirs.root_fd
        os.rename(JOURNAL_NAMES[old], JOURNAL_NAMES[new], src_dir_fd=fd, dst_dir_fd=fd)

    @staticmethod
    def remove(dirs: WorkspaceDirs, phase: Phase) -> None:
        os.unlink(JOURNAL_NAMES[phase], dir_fd=dirs.root_fd)

    @classmethod
    def load(cls, dirs: WorkspaceDirs, phase: Phase) -> Journal:
        """Read and check the journal; CommitError when it cannot be acted on safely."""
        name = JOURNAL_NAMES[phase]
        where = f"{dirs.root}/{name}"
        try:
            data = _read_regular(dirs.root_fd, name)
            journal = _decode(json.loads(data))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise CommitError(
                f"{where}: an unfinished commit's journal cannot be read ({reason}); "
                "check the files it names and remove it"
            ) from None
        if journal.root_inode != os.fstat(dirs.root_fd).st_ino:
            raise CommitError(
                f"{where}: an unfinished commit's journal written for another directory "
                f"({journal.root} on {journal.host}); check the files it names and remove it"
            )
        return journal


def find_journal(dirs: WorkspaceDirs) -> Phase | None:
    """The phase of the journal at the root, if there is one."""
    found = [phase for phase in PHASES if entry_exists(dirs.root_fd, JOURNAL_NAMES[phase])]
    if len(found) > 1:
        raise CommitError(
            f"{dirs.root}: several commit journals ({', '.join(JOURNAL_NAMES[p] for p in found)}); "
            "check the files they name and remove them"
        )
    return found[0] if found else None


def side_name(name: str, token: str, suffix: str) -> str:
    """A hidden name beside `name` that still fits in 255 bytes."""
    stem = name
    while len(os.fsencode(stem)) > 160:
        stem = stem[: len(stem) * 3 // 4]
    return f".{stem}.{token}{suffix}"


def _read_regular(dir_fd: int, name: str) -> bytes:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fd = os.open(name, flags, dir_fd=dir_fd)
    with open(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > _MAX_BYTES:
            raise ValueError(f"{st.st_size} bytes, too large")
        return f.read()


def _decode(raw: object) -> Journal:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("not a codex-tui commit journal")
    if raw.get("version") != VERSION:
        raise ValueError(f"journal version {raw.get('version')!r}, from another codex-tui")
    steps = []
    for item in _list(raw, "steps"):
        if not isinstance(item, list) or len(item) != 4:
            raise ValueError("a malformed step")
        directory, name, temp, backup = item
        step = Step(
            _rel_dir(directory),
            _component(name),
            None if temp is None else _side(temp, TEMP_SUFFIX),
            None if backup is None else _side(backup, BACKUP_SUFFIX),
        )
        if step.temp is None and step.backup is None:
            raise ValueError(f"{step.shown}: a step with nothing to do")
        steps.append(step)
    return Journal(
        id=_typed(raw, "id", str),
        root=_typed(raw, "root", str),
        root_inode=_typed(raw, "root_inode", int),
        host=_typed(raw, "host", str),
        pid=_typed(raw, "pid", int),
        started=_typed(raw, "started", str),
        made_dirs=tuple(_rel_dir(d) for d in _list(raw, "dirs") if d != ""),
        steps=tuple(steps),
    )


def _typed(raw: dict[object, object], key: str, kind: type[T]) -> T:
    value = raw[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{key}: expected {kind.__name__}")
    return value


def _list(raw: dict[object, object], key: str) -> list[object]:
    value = raw[key]
    if not isinstance(value, list):
        raise ValueError(f"{key}: expected a list")
    return value


def _component(name: object) -> str:
    """A single name a journal may act on: never `..`, never a path, never `.git`."""
    if (
        not isinstance(name, str)
        or name in ("", ".", "..")
        or "/" in name
        or "\0" in name
        or name.lower() == ".git"
    ):
        raise ValueError(f"an unsafe name: {name!r}")
    return name


def _rel_dir(raw: object) -> RelDir:
    if not isinstance(raw, str):
        raise ValueError(f"an unsafe directory: {raw!r}")
    return tuple(_component(part) for part in raw.split("/")) if raw else ()


def _side(raw: object, suffix: str) -> str:
    name = _component(raw)
    if not (name.startswith(".") and name.endswith(suffix)):
        raise ValueError(f"not a name codex-tui makes: {name!r}")
    return name
