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
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codex_tui.config import paths
from codex_tui.sessions.errors import AmbiguousSession, ReadOnlySession, SessionNotFound
from codex_tui.sessions.event_codec import usage_from
from codex_tui.sessions.files import (
    ORIGINATOR,
    Root,
    Source,
    clean_text,
    encode_line,
    is_session_file,
    parse_stamp,
    repo_root,
    roots,
    text_or_none,
)
from codex_tui.sessions.reader import UNTITLED, make_title, parse_line
from codex_tui.sessions.recorder import append_lines

SCHEMA_VERSION = 1
# Searchable message text kept per session (the start of the conversation).
TEXT_CHARS = 16_000
PREVIEW_CHARS = 400
# Lines worth parsing when indexing; everything else is skipped unread.
_WANTED = (b"user_message", b"agent_message", b"token_count", b"session_renamed", b"turn_context")

_COLUMNS = (
    "path, id, source, title, cwd, branch, model, created, updated, turns, tokens, "
    "read_only, preview"
)


@dataclass(slots=True)  # not frozen: listings build thousands, and frozen init is slow
class SessionSummary:
    id: str
    # The session file, as text (a Path per row costs more than the rest of a listing).
    file: str
    title: str
    cwd: str
    branch: str | None
    model: str | None
    created: datetime
    updated: datetime
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
        """Bring the index up to date with the files on disk."""
        found = walk(self.roots)
        with self._lock:
            known = {
                path: (size, mtime)
                for path, size, mtime in self.db.execute("SELECT path, size, mtime_ns FROM files")
            }
        changed = [
            (path, stat) for path, stat in found.items() if known.get(path) != (stat[0], stat[1])
        ]
        removed = [path for path in known if path not in found]
        rows = [
            scan_file(Path(path), size, mtime, source) for path, (size, mtime, source) in changed
        ]
        if rows or removed:
            self._write(rows, removed)
        with self._lock:
            (corrupt,) = self.db.execute("SELECT count(*) FROM files WHERE ok = 0").fetchone()
        return RefreshReport(len(found), len(rows), len(removed), corrupt)

    def _write(self, rows: list[dict[str, Any]], removed: list[str]) -> None:
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return  # another process holds the lock too long: catch up next time
            try:
                self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in removed])
                self.db.executemany("DELETE FROM texts WHERE path = ?", [(p,) for p in removed])
                for row in rows:
                    self._insert(row)
                self.db.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")

    def _insert(self, row: dict[str, Any]) -> None:
        """One file's row; a row the database refuses is kept as an unreadable
        file (counted, never listed), so one bad file cannot hide the others."""
        try:
            self.db.execute(_INSERT_FILE, row)
            if row["ok"]:
                self.db.execute("INSERT OR REPLACE INTO texts VALUES (:path, :text)", row)
        except (sqlite3.Error, UnicodeError, OverflowError):
            bad = {**row, "ok": 0, "id": None, "title": None, "cwd": None, "branch": None,
                   "model": None, "preview": "", "text": ""}  # fmt: skip
            with contextlib.suppress(sqlite3.Error, UnicodeError):  # a name it cannot store
                self.db.execute(_INSERT_FILE, bad)

    # --- queries -----------------------------------------------------------------------

    def list(
        self, cwd: Path | None = None, query: str | None = None, limit: int | None = None
    ) -> list[SessionSummary]:
        """Sessions, most recently active first. `cwd`: only those of the repository
        holding it (or of that directory outside a repository). `query`: only those
        whose title or message text contains it (case-insensitive)."""
        sql = f"SELECT {_COLUMNS} FROM files WHERE ok = 1"
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
        sql += " ORDER BY updated DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            return [_summary(row) for row in self.db.execute(sql, args)]

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
        with contextlib.suppress(FileNotFoundError):
            found.path.unlink()
        self._write([], [str(found.path)])
        return found

    def rename(self, id_prefix: str, title: str) -> SessionSummary:
        """Give a session a title. It is written into the session file, so it holds
        when the index is rebuilt. Codex CLI's sessions are refused."""
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
        self._write([scan_file(found.path, stat.st_size, stat.st_mtime_ns, found.source)], [])
        return self.find(found.id)


# --- files -------------------------------------------------------------------------------


def walk(roots_: list[Root]) -> dict[str, tuple[int, int, Source]]:
    """Every session file under the roots: path -> (size, mtime_ns, source)."""
    found: dict[str, tuple[int, int, Source]] = {}
    for root in roots_:
        stack = [str(root.path)]
        while stack:
            folder = stack.pop()
            try:
                entries = os.scandir(folder)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif is_session_file(entry.name) and entry.is_file():
                            st = entry.stat()
                            found[entry.path] = (st.st_size, st.st_mtime_ns, root.source)
                    except OSError:
                        continue
    return found


_INSERT_FILE = (
    "INSERT OR REPLACE INTO files VALUES (:path, :size, :mtime_ns, :ok, :id, :source, :title,"
    " :cwd, :branch, :model, :created, :updated, :turns, :tokens, :read_only, :preview)"
)


def scan_file(path: Path, size: int, mtime_ns: int, source: Source) -> dict[str, Any]:
    """An index row for one file, reading only what the listing and search need."""
    row: dict[str, Any] = {
        "path": str(path),
        "size": size,
        "mtime_ns": mtime_ns,
        "ok": 0,
        "id": None,
        "source": source,
        "title": None,
        "cwd": None,
        "branch": None,
        "model": None,
        "created": None,
        "updated": mtime_ns / 1e9,
        "turns": 0,
        "tokens": 0,
        "read_only": 1,
        "preview": "",
        "text": "",
    }
    try:
        raw = path.read_bytes()
    except OSError:
        return row
    try:
        return _read_row(raw, row, source)
    except Exception:  # a file we cannot make sense of is counted, never fatal
        return {**row, "ok": 0}


def _read_row(raw: bytes, row: dict[str, Any], source: Source) -> dict[str, Any]:
    lines = iter(raw.split(b"\n"))
    first = next((chunk for chunk in lines if chunk.strip()), b"")
    head = parse_line(first)
    if head is None or head["type"] != "session_meta" or not head["payload"].get("id"):
        return row
    meta = head["payload"]
    git = meta.get("git") if isinstance(meta.get("git"), dict) else {}
    created = parse_stamp(meta.get("timestamp")) or parse_stamp(head.get("timestamp"))
    ours = meta.get("originator") == ORIGINATOR
    row.update(
        ok=1,
        id=clean_text(str(meta["id"])),
        source="codex-tui" if ours else "codex",
        cwd=clean_text(meta.get("cwd")),
        branch=text_or_none(git.get("branch")),
        model=text_or_none(meta.get("model")),
        created=created.timestamp() if created else row["updated"],
        read_only=0 if ours and source == "codex-tui" else 1,
    )
    title = renamed = None
    texts: list[str] = []
    budget = TEXT_CHARS
    for chunk in lines:
        if not any(word in chunk for word in _WANTED):
            continue
        line = parse_line(chunk)
        if line is None:
            continue
        payload = line["payload"]
        if line["type"] == "turn_context":
            row["model"] = text_or_none(payload.get("model")) or row["model"]
            continue
        if line["type"] != "event_msg":
            continue
        kind = payload.get("type")
        if kind in ("user_message", "agent_message"):
            text = clean_text(payload.get("message"))
            if kind == "user_message":
                row["turns"] += 1
                if title is None and text.strip():
                    title = make_title(text)
            else:
                row["preview"] = text[:PREVIEW_CHARS]
            if budget > 0:
                texts.append(text[:budget])
                budget -= len(texts[-1])
        elif kind == "token_count" and isinstance(payload.get("info"), dict):
            row["tokens"] = usage_from(payload["info"].get("total_token_usage")).total_tokens
        elif kind == "session_renamed":
            renamed = clean_text(payload.get("title")).strip() or renamed
    row["title"] = renamed or title or _title_from_items(raw) or UNTITLED
    row["text"] = "\n".join(texts)
    return row


def _title_from_items(raw: bytes) -> str | None:
    """A file without user_message events: the first request among its items."""
    from codex_tui.agent.context import is_user_request
    from codex_tui.agent.items import history_item, message_text
    from codex_tui.sessions.history import is_context_item

    for chunk in raw.split(b"\n"):
        if b"response_item" not in chunk or b"user" not in chunk:
            continue
        line = parse_line(chunk)
        if line is None or line["type"] != "response_item":
            continue
        item = history_item(line["payload"])
        if item is not None and is_user_request(item) and not is_context_item(item):
            return make_title(message_text(item))
    return None


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
            db.execute("DROP TABLE IF EXISTS files")
            db.execute("DROP TABLE IF EXISTS texts")
            db.execute(
                "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
                " ok INTEGER, id TEXT, source TEXT, title TEXT, cwd TEXT, branch TEXT,"
                " model TEXT, created REAL, updated REAL, turns INTEGER, tokens INTEGER,"
                " read_only INTEGER, preview TEXT)"
            )
            db.execute("CREATE TABLE texts (path TEXT PRIMARY KEY, body TEXT)")
            db.execute("CREATE INDEX files_id ON files(id)")
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


def _when(value: float | None) -> datetime:
    return datetime.fromtimestamp(value or 0, UTC)


def _summary(row: tuple[Any, ...]) -> SessionSummary:
    path, sid, source, title, cwd, branch, model, created, updated, turns, tokens, ro, prev = row
    return SessionSummary(
        id=sid,
        file=path,
        title=title or UNTITLED,
        cwd=cwd or "",
        branch=branch,
        model=model,
        created=_when(created),
        updated=_when(updated),
        turns=turns or 0,
        tokens=tokens or 0,
        source=source,
        read_only=bool(ro),
        preview=prev or "",
    )


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
