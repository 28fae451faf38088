"""A SQLite index of the session files under our root and Codex CLI's, for fast
listing and search: `$CODEX_TUI_HOME/index.sqlite`.

Each file is indexed by path, size and modification time; a refresh reads only
files that are new or changed (and of those only the lines the title, counts and
search need) and drops rows of files that are gone. Two processes may refresh at
once: SQLite's WAL journal and one short write transaction keep that safe; if the
database stays locked, a refresh gives up quietly and the next one catches up.
"""

from __future__ import annotations

import contextlib
import operator
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_tui.config import paths
from codex_tui.sessions.errors import AmbiguousSession, ReadOnlySession, SessionNotFound
from codex_tui.sessions.files import UNTITLED, Root, Source, encode_line, repo_root, roots
from codex_tui.sessions.index_folders import FileToScan, FolderScan, scan_folders

if TYPE_CHECKING:
    from codex_tui.sessions.index_rows import Batch

# index_scan (the session decoders), reader and recorder are imported where a
# file is read or written: a listing that finds nothing changed needs none of them.

SCHEMA_VERSION = 2

# In SessionSummary's field order, with its defaults, so a row becomes one at once.
_COLUMNS = (
    f"id, path, coalesce(title, '{UNTITLED}'), coalesce(cwd, ''), branch, model,"
    " coalesce(created, 0), coalesce(updated, 0), coalesce(turns, 0), coalesce(tokens, 0),"
    " source, read_only != 0, coalesce(preview, '')"
)

# `SessionIndex.brief`'s columns: short id, updated (epoch seconds), branch, cwd,
# and the title as listed, Codex CLI's sessions marked (in SQL: a column fewer to
# fetch is ~10 ms less at 50,000 rows).
_BRIEF = (
    "substr(id, 1, 8), coalesce(updated, 0), branch, coalesce(cwd, ''),"
    f" CASE WHEN source = 'codex' THEN '(codex) ' ELSE '' END || coalesce(title, '{UNTITLED}')"
)
Brief = tuple[str, float, str | None, str, str]


@dataclass(slots=True)  # not frozen: listings build thousands, and frozen init is slow
class SessionSummary:
    id: str
    # The session file, as text (a Path per row costs more than the rest of a listing).
    file: str
    title: str
    cwd: str
    branch: str | None
    model: str | None
    # Seconds since the epoch (datetimes for 50,000 rows would double a listing).
    created_at: float
    updated_at: float
    turns: int
    tokens: int
    source: Source
    read_only: bool
    # The last thing the assistant said (cut short), for previews.
    preview: str

    @property
    def path(self) -> Path:
        return Path(self.file)

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def created(self) -> datetime:
        return datetime.fromtimestamp(self.created_at, UTC)

    @property
    def updated(self) -> datetime:
        return datetime.fromtimestamp(self.updated_at, UTC)


@dataclass(frozen=True)
class RefreshReport:
    scanned: int
    read: int
    removed: int
    # Files in the index that are not readable sessions (skipped in listings).
    corrupt: int


class SessionIndex:
    """Use `SessionIndex.open()`; methods are safe to call from several threads."""

    def __init__(self, db: sqlite3.Connection, roots_: list[Root]) -> None:
        self.db = db
        self.roots = roots_
        self._lock = threading.RLock()

    @classmethod
    def open(cls, db_path: Path | None = None, roots_: list[Root] | None = None) -> SessionIndex:
        """The index at `db_path` (default `$CODEX_TUI_HOME/index.sqlite`). A corrupt
        database is rebuilt; one that cannot be written is replaced by memory."""
        db_path = db_path or paths.home() / "index.sqlite"
        try:
            db = _connect(db_path)
        except (sqlite3.OperationalError, OSError):
            # Locked for too long, or not writable: work from memory this time.
            db = _connect(None)
        except sqlite3.DatabaseError:
            # Not a database (any more): it is only a cache, so start it again.
            _remove_db(db_path)
            try:
                db = _connect(db_path)
            except sqlite3.Error:
                db = _connect(None)
        return cls(db, roots_ if roots_ is not None else roots())

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # --- refresh -----------------------------------------------------------------------

    def refresh(self) -> RefreshReport:
        """Bring the index up to date with the files on disk, reading only the
        folders and files that changed (see index_scan)."""
        changed: list[FileToScan] = []
        removed: list[str] = []
        folders: list[tuple[str, str, str | None, int | None]] = []
        gone: list[str] = []
        scanned = 0
        with self._lock:
            indexed_roots = [r for (r,) in self.db.execute("SELECT DISTINCT root FROM dirs")]
        current = {str(root.path) for root in self.roots}
        # A root no longer configured (CODEX_HOME moved): its folders are gone.
        for stale in (r for r in indexed_roots if r not in current):
            gone += self._known_folders(stale)
        for root in self.roots:
            key = str(root.path)
            scan: FolderScan = scan_folders(root, self._known_folders(key))
            scanned += len(scan.files)
            gone += scan.gone
            folders += [(path, key, parent, mtime) for path, parent, mtime in scan.store]
            known = self._files_in(scan.listed)
            changed += [
                (path, *stat, root.source)
                for path, stat in scan.files.items()
                if known.get(path) != stat
            ]
            removed += [path for path in known if path not in scan.files]
        removed += list(self._files_in(gone))
        batches: Iterator[Batch] = iter(())
        if changed:
            from codex_tui.sessions.index_rows import scan_batches

            batches = scan_batches(changed)
        read = 0
        if changed or removed or folders or gone:
            read = self._write(batches, removed, folders, gone)
        with self._lock:
            (corrupt,) = self.db.execute("SELECT count(*) FROM files WHERE ok = 0").fetchone()
        return RefreshReport(scanned, read, len(removed), corrupt)

    def _known_folders(self, root: str) -> dict[str, tuple[str | None, int | None]]:
        with self._lock:
            rows = self.db.execute(
                "SELECT path, parent, mtime_ns FROM dirs WHERE root = ?", (root,)
            ).fetchall()
        return {path: (parent, mtime) for path, parent, mtime in rows}

    def _files_in(self, folders: Iterable[str]) -> dict[str, tuple[int, int]]:
        """The index's files in `folders`: path -> (size, mtime_ns)."""
        names = list(folders)
        out: dict[str, tuple[int, int]] = {}
        with self._lock:
            for at in range(0, len(names), 500):
                chunk = names[at : at + 500]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT path, size, mtime_ns FROM files WHERE dir IN ({marks})"
                for path, size, mtime in self.db.execute(sql, chunk):
                    out[path] = (size, mtime)
        return out

    def _write(
        self,
        batches: Iterable[Batch],
        removed: list[str],
        folders: Sequence[tuple[str, str, str | None, int | None]] = (),
        gone: Sequence[str] = (),
    ) -> int:
        """One transaction: files and folders change together, so a folder's time
        is never stored without the files it stands for. The first batch of rows
        is read before the transaction begins; later ones (a first build's helper
        processes) are stored as they finish. How many rows."""
        from codex_tui.sessions.index_rows import release_batch, store_batch

        pending = iter(batches)
        taken = [next(pending, [])]
        count = 0
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return 0  # another process holds the lock too long: catch up next time
            try:
                self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in removed])
                self.db.executemany("DELETE FROM texts WHERE path = ?", [(p,) for p in removed])
                count += store_batch(self.db, taken[0])
                for batch in pending:
                    taken.append(batch)
                    count += store_batch(self.db, batch)
                self.db.executemany("DELETE FROM dirs WHERE path = ?", [(p,) for p in gone])
                self.db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?, ?, ?)", folders)
                self.db.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                count = 0
            finally:
                for batch in taken:
                    release_batch(self.db, batch)
        return count

    # --- queries -----------------------------------------------------------------------

    def brief(self, cwd: Path | None = None) -> list[Brief]:
        """What `codex-tui sessions` prints, as plain tuples, in `list`'s order: a
        table of 50,000 sessions should not pay for 50,000 summaries. Sorted here:
        SQLite's sort of the whole table took longer than reading it."""
        with self._lock:
            rows = self._select(_BRIEF, cwd, None, None, ordered=False).fetchall()
        rows.sort(key=operator.itemgetter(1), reverse=True)
        return rows

    def list(
        self, cwd: Path | None = None, query: str | None = None, limit: int | None = None
    ) -> list[SessionSummary]:
        """Sessions, most recently active first. `cwd`: only those of the repository
        holding it (or of that directory outside a repository). `query`: only those
        whose title or message text contains it (case-insensitive)."""
        with self._lock:
            return [_summary(row) for row in self._select(_COLUMNS, cwd, query, limit)]

    def _select(
        self,
        columns: str,
        cwd: Path | None,
        query: str | None,
        limit: int | None,
        *,
        ordered: bool = True,
    ) -> sqlite3.Cursor:
        sql = f"SELECT {columns} FROM files WHERE ok = 1"
        args: list[Any] = []
        if cwd is not None:
            scope = str(repo_root(Path(cwd).resolve()))
            sql += " AND (cwd = ? OR cwd LIKE ? ESCAPE '\\')"
            args += [scope, _like_prefix(scope.rstrip("/") + "/")]
        if query and query.strip():
            pattern = "%" + _escape_like(query.strip()) + "%"
            sql += (
                " AND (title LIKE ? ESCAPE '\\' OR path IN"
                " (SELECT path FROM texts WHERE body LIKE ? ESCAPE '\\'))"
            )
            args += [pattern, pattern]
        if ordered:
            sql += " ORDER BY updated DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return self.db.execute(sql, args)

    def find(self, id_prefix: str) -> SessionSummary:
        """The one session whose id starts with `id_prefix` (or whose file it names).
        Raises SessionNotFound or AmbiguousSession."""
        wanted = id_prefix.strip()
        if not wanted:
            raise SessionNotFound(id_prefix)
        as_path = Path(wanted).expanduser()
        sql = f"SELECT {_COLUMNS} FROM files WHERE ok = 1 AND (id LIKE ? ESCAPE '\\' OR path = ?)"
        with self._lock:
            rows = self.db.execute(
                sql + " ORDER BY updated DESC", [_like_prefix(wanted), _abspath(as_path)]
            ).fetchall()
        matches = [_summary(r) for r in rows]
        ids = list(dict.fromkeys(m.id for m in matches))
        if not matches:
            raise SessionNotFound(id_prefix)
        if len(ids) > 1:
            raise AmbiguousSession(id_prefix, ids)
        return matches[0]

    def delete(self, id_prefix: str) -> SessionSummary:
        """Delete a session's file (and its row). Codex CLI's sessions are refused."""
        found = self.find(id_prefix)
        if found.read_only:
            raise ReadOnlySession(
                f"session {found.short_id} belongs to Codex CLI; codex-tui does not delete it"
            )
        from codex_tui.undo.prune import drop_session_snapshots

        with contextlib.suppress(Exception):  # snapshots are best effort, the file is not
            drop_session_snapshots(found.path, found.id)
        with contextlib.suppress(FileNotFoundError):
            found.path.unlink()
        self._write([], [str(found.path)])
        return found

    def rename(self, id_prefix: str, title: str) -> SessionSummary:
        """Give a session a title. It is written into the session file, so it holds
        when the index is rebuilt. Codex CLI's sessions are refused."""
        from codex_tui.sessions.files import make_title
        from codex_tui.sessions.index_scan import scan_file
        from codex_tui.sessions.recorder import append_lines

        found = self.find(id_prefix)
        title = make_title(title)
        if not title:
            raise ValueError("a session title cannot be empty")
        if found.read_only:
            raise ReadOnlySession(
                f"session {found.short_id} belongs to Codex CLI; codex-tui does not change it"
            )
        line = encode_line("event_msg", {"type": "session_renamed", "title": title})
        append_lines(found.path, [line])
        stat = found.path.stat()
        self._write([[scan_file(found.file, stat.st_size, stat.st_mtime_ns, found.source)]], [])
        return self.find(found.id)


# --- sqlite ------------------------------------------------------------------------------


def _connect(db_path: Path | None) -> sqlite3.Connection:
    if db_path is None:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    else:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        if not db_path.exists():
            # It holds message text: readable by its owner only (SQLite gives its
            # -wal and -shm files the same mode).
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = sqlite3.connect(db_path, timeout=5.0, isolation_level=None, check_same_thread=False)
    try:
        with contextlib.suppress(sqlite3.OperationalError):  # locked: another process sets it
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        _ensure_schema(db)
    except sqlite3.Error:
        db.close()
        raise
    return db


def _ensure_schema(db: sqlite3.Connection) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            for table in ("files", "texts", "dirs"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            from codex_tui.sessions.index_rows import FILES_TABLE, TEXTS_TABLE

            db.execute(FILES_TABLE)
            db.execute(TEXTS_TABLE)
            db.execute("CREATE INDEX files_id ON files(id)")
            db.execute("CREATE INDEX files_dir ON files(dir)")
            # Folders and their modification times when last listed (NULL: list again).
            db.execute(
                "CREATE TABLE dirs (path TEXT PRIMARY KEY, root TEXT, parent TEXT,"
                " mtime_ns INTEGER)"
            )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


def _remove_db(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(str(db_path) + suffix).unlink()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(text: str) -> str:
    return _escape_like(text) + "%"


def _abspath(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)


def _summary(row: tuple[Any, ...]) -> SessionSummary:
    summary = SessionSummary(*row)
    summary.read_only = bool(summary.read_only)
    return summary


def summary_json(s: SessionSummary) -> dict[str, Any]:
    """The fields `codex-tui sessions --json` prints for one session."""
    return {
        "id": s.id,
        "created": s.created.isoformat(timespec="seconds"),
        "updated": s.updated.isoformat(timespec="seconds"),
        "cwd": s.cwd,
        "title": s.title,
        "source": s.source,
        "branch": s.branch,
        "turns": s.turns,
        "read_only": s.read_only,
        "path": s.file,
    }
