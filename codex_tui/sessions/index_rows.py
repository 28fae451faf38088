"""Storing the index's rows: the tables they go in, the insert that keeps a row
SQLite refuses as an unreadable file, and a first build shared with helper
processes that store their rows in a database of their own, which this process
copies in one statement (index_worker)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from codex_tui.sessions.index_folders import FileToScan
from codex_tui.sessions.index_scan import scan_file

FILE_COLUMNS = (
    "path, dir, size, mtime_ns, ok, id, source, title, cwd, branch, model, created, updated,"
    " turns, tokens, read_only, preview"
)
FILES_TABLE = (
    "CREATE TABLE files (path TEXT PRIMARY KEY, dir TEXT, size INTEGER, mtime_ns INTEGER,"
    " ok INTEGER, id TEXT, source TEXT, title TEXT, cwd TEXT, branch TEXT, model TEXT,"
    " created REAL, updated REAL, turns INTEGER, tokens INTEGER, read_only INTEGER,"
    " preview TEXT)"
)
TEXTS_TABLE = "CREATE TABLE texts (path TEXT PRIMARY KEY, body TEXT)"

_INSERT_FILE = (
    f"INSERT OR REPLACE INTO files ({FILE_COLUMNS}) VALUES (:path, :dir, :size, :mtime_ns,"
    " :ok, :id, :source, :title, :cwd, :branch, :model, :created, :updated, :turns, :tokens,"
    " :read_only, :preview)"
)
_INSERT_TEXT = "INSERT OR REPLACE INTO texts (path, body) VALUES (:path, :text)"


def store_rows(db: sqlite3.Connection, rows: list[dict[str, Any]]) -> int:
    """Store rows (inside the caller's transaction) in two statements; if the
    database refuses one, row by row. How many."""
    try:
        db.execute("SAVEPOINT batch")
        db.executemany(_INSERT_FILE, rows)
        db.executemany(_INSERT_TEXT, [row for row in rows if row["ok"]])
        db.execute("RELEASE batch")
    except (sqlite3.Error, UnicodeError, OverflowError):
        db.execute("ROLLBACK TO batch")
        db.execute("RELEASE batch")
        for row in rows:
            _store_one(db, row)
    return len(rows)


def _store_one(db: sqlite3.Connection, row: dict[str, Any]) -> None:
    """One file's row; a row the database refuses is kept as an unreadable file
    (counted, never listed), so one bad file cannot hide the others."""
    try:
        db.execute(_INSERT_FILE, row)
        if row["ok"]:
            db.execute(_INSERT_TEXT, row)
    except (sqlite3.Error, UnicodeError, OverflowError):
        bad = {**row, "ok": 0, "id": None, "title": None, "cwd": None, "branch": None,
               "model": None, "preview": "", "text": ""}  # fmt: skip
        with contextlib.suppress(sqlite3.Error, UnicodeError):  # a name it cannot store
            db.execute(_INSERT_FILE, bad)


# --- a first build, shared ---------------------------------------------------------------

# A batch this large (a first build) is shared with one helper process per extra core.
PARALLEL_FROM = 2_000
# A helper reads ~10,000 files a second; one still at work after this is stuck
# (its share is read here instead).
HELPER_TIMEOUT_S = 300.0
# Helpers' scratch folders hold message text. A build removes its own; those of a
# build that was killed are removed by a later one, once surely not in use.
SCRATCH_PREFIX = "codex-tui-index-"
STALE_AFTER_S = 3600.0


def scan_batches(todo: list[FileToScan]) -> Iterator[Batch]:
    """The files in `todo` read, in batches, each to be passed to `store_batch`
    inside one transaction. A large batch is split: this process reads the first
    share, which is stored while helper processes still read and store the others."""
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_FROM or workers < 2:
        yield [scan_file(*job) for job in todo]
        return
    size = -(-len(todo) // workers)
    shares = [todo[at : at + size] for at in range(0, len(todo), size)]
    remove_stale_folders()
    helpers = [Helper(share) for share in shares[1:]]
    try:
        yield [scan_file(*job) for job in shares[0]]
        while helpers:
            yield helpers.pop(0)  # released by whoever stores it
    finally:
        for helper in helpers:  # the caller stopped early
            helper.clean_up()


def store_batch(db: sqlite3.Connection, batch: Batch) -> int:
    """Store a batch of `scan_batches` inside the caller's transaction; how many rows.
    After the transaction ends, call `release_batch`."""
    if isinstance(batch, Helper):
        return batch.store(db)
    return store_rows(db, batch)


def release_batch(db: sqlite3.Connection, batch: Batch) -> None:
    """After the transaction that stored `batch`: let go of the helper's database."""
    if isinstance(batch, Helper):
        batch.release(db)


def remove_stale_folders() -> None:
    """Remove this user's helper folders left by a build that was killed (older than
    any build runs). rmtree will not follow a folder replaced by a symlink."""
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(SCRATCH_PREFIX):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            mine = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            if mine and now - info.st_mtime > STALE_AFTER_S:
                shutil.rmtree(entry.path, ignore_errors=True)


class Helper:
    """One `python -m codex_tui.sessions.index_worker` reading a share of files into
    a database of its own, in a private temporary folder. Storing copies that
    database's rows in one statement (~5 µs a row, against ~16 to decode and
    insert rows sent back as JSON); a helper that cannot start or fails has its
    share read and stored here. (multiprocessing's "spawn" would run the caller's
    main module again in each child, and "fork" is unsafe beside the TUI's threads.)"""

    def __init__(self, share: list[FileToScan]) -> None:
        self.share = share
        self.proc: subprocess.Popen[bytes] | None = None
        self.folder: str | None = None
        self.name: str | None = None  # the schema name its rows are attached as
        self.rows_db = ""  # the helper's database, once there is a folder for it
        try:
            self.folder = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)  # 0700: message text
            todo = os.path.join(self.folder, "todo.json")
            self.rows_db = os.path.join(self.folder, "rows.sqlite")
            with open(todo, "w", encoding="ascii") as file:
                json.dump(share, file)
            # -P: never import from the working directory, which may be a hostile
            # repository; the environment is kept (PYTHONPATH finds this checkout).
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "codex_tui.sessions.index_worker", todo, self.rows_db],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
            )
        except (OSError, ValueError):  # no temporary folder, no interpreter: read here
            self.proc = None

    def finished(self) -> bool:
        """Whether the helper ran to the end and stored a row for every file."""
        if self.proc is None:
            return False
        try:
            return self.proc.wait(timeout=HELPER_TIMEOUT_S) == 0
        except subprocess.TimeoutExpired:
            self.clean_up()  # killed; its share is read here
            return False

    def store(self, db: sqlite3.Connection) -> int:
        if self.finished():
            name = f"share_{id(self):x}"
            try:
                db.execute("ATTACH DATABASE ? AS " + name, (self.rows_db,))
                self.name = name
                (count,) = db.execute(f"SELECT count(*) FROM {name}.files").fetchone()
                if count == len(self.share):
                    db.execute(
                        f"INSERT OR REPLACE INTO files ({FILE_COLUMNS})"
                        f" SELECT {FILE_COLUMNS} FROM {name}.files"
                    )
                    db.execute(
                        "INSERT OR REPLACE INTO texts (path, body)"
                        f" SELECT path, body FROM {name}.texts"
                    )
                    return len(self.share)
            except sqlite3.Error:
                pass
        return store_rows(db, [scan_file(*job) for job in self.share])

    def release(self, db: sqlite3.Connection) -> None:
        if self.name is not None:
            with contextlib.suppress(sqlite3.Error):
                db.execute(f"DETACH DATABASE {self.name}")
            self.name = None
        self.clean_up()

    def clean_up(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


Batch = list[dict[str, Any]] | Helper
