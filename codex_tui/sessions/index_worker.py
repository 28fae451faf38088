"""A helper process for a large index build (see index_rows.Helper): reads the
JSON list of files to scan at argv[1] and stores their rows in a new SQLite
database at argv[2], which the parent copies into the index. Exit 0 only when
every file has its row there."""

from __future__ import annotations

import json
import sqlite3
import sys

from codex_tui.sessions.index_rows import FILES_TABLE, TEXTS_TABLE, store_rows
from codex_tui.sessions.index_scan import scan_file

# Rows are stored this many at a time: memory stays flat for any share.
CHUNK = 1_000


def main(argv: list[str]) -> int:
    todo_path, rows_path = argv
    with open(todo_path, "rb") as file:
        todo = json.load(file)
    db = sqlite3.connect(rows_path, isolation_level=None)
    try:
        # A scratch file the parent reads once: no journal, no syncs.
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN")
        db.execute(FILES_TABLE)
        db.execute(TEXTS_TABLE)
        for at in range(0, len(todo), CHUNK):
            store_rows(db, [scan_file(*job) for job in todo[at : at + CHUNK]])
        db.execute("COMMIT")
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
