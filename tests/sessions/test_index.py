"""The SQLite index: incremental refresh, scope and search, find, delete, rename."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from codex_tui.sessions import (
    AmbiguousSession,
    ReadOnlySession,
    SessionIndex,
    SessionNotFound,
    read_session,
)
from tests.sessions.conftest import line, write_session

REPO = "/home/dev/project"


def ours(
    home: Path,
    session_id: str,
    request: str,
    *,
    cwd: str = REPO,
    answer: str = "Done.",
    originator: str = "codex-tui",
    day: str = "2025/01/02",
) -> Path:
    meta = {
        "id": session_id,
        "timestamp": "2025-01-02T10:00:00.000Z",
        "cwd": cwd,
        "originator": originator,
        "cli_version": "0.1.0",
        "model": "gpt-5-codex",
        "git": {"branch": "main"},
    }
    return write_session(
        home,
        session_id,
        [
            line("session_meta", meta),
            line("event_msg", {"type": "user_message", "message": request}),
            line("event_msg", {"type": "agent_message", "message": answer}),
        ],
        day=day,
    )


def touch_later(path: Path, seconds: int) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def test_refresh_reads_only_new_or_changed_files_and_drops_deleted(isolated_home: Path) -> None:
    first = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "add a cache")
    second = ours(isolated_home, "bbbb2222-0000-4000-8000-000000000002", "write the docs")
    index = SessionIndex.open()
    report = index.refresh()
    assert (report.scanned, report.read, report.removed, report.corrupt) == (2, 2, 0, 0)
    assert {s.title for s in index.list()} == {"add a cache", "write the docs"}

    assert index.refresh().read == 0, "nothing changed, nothing read"

    third = ours(isolated_home, "cccc3333-0000-4000-8000-000000000003", "fix the flaky test")
    with first.open("a") as fh:
        fh.write(
            line("event_msg", {"type": "user_message", "message": "and evict old keys"}) + "\n"
        )
    second.unlink()
    report = index.refresh()
    assert (report.scanned, report.read, report.removed) == (2, 2, 1)
    listed = {s.id[:4]: s for s in index.list()}
    assert set(listed) == {"aaaa", "cccc"}
    assert listed["aaaa"].turns == 2
    assert third.exists()

    # The index is a cache: the same answers after it is rebuilt from nothing.
    index.close()
    (isolated_home / "index.sqlite").unlink()
    rebuilt = SessionIndex.open()
    assert rebuilt.refresh().read == 2
    assert {s.id[:4]: s.turns for s in rebuilt.list()} == {"aaaa": 2, "cccc": 1}


def test_list_scope_search_and_order(isolated_home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    old = ours(
        isolated_home, "aaaa1111-0000-4000-8000-000000000001", "Refactor the LOADER", cwd=str(repo)
    )
    new = ours(
        isolated_home, "bbbb2222-0000-4000-8000-000000000002", "tune queries",
        cwd=str(repo / "pkg"), answer="Added an index on users.email",
    )  # fmt: skip
    ours(
        isolated_home,
        "cccc3333-0000-4000-8000-000000000003",
        "elsewhere",
        cwd=str(tmp_path / "other"),
    )
    ours(isolated_home, "dddd4444-0000-4000-8000-000000000004", "sibling", cwd=str(repo) + "-fork")
    touch_later(new, 60)
    touch_later(old, 30)
    index = SessionIndex.open()
    index.refresh()
    # From a subdirectory: the whole repository, most recently active first.
    in_repo = index.list(repo / "pkg")
    assert [s.title for s in in_repo] == ["tune queries", "Refactor the LOADER"]
    assert len(index.list()) == 4
    assert [s.title for s in index.list(query="loader")] == ["Refactor the LOADER"]
    assert [s.title for s in index.list(query="USERS.EMAIL")] == ["tune queries"]
    assert index.list(query="100%") == []
    assert [s.title for s in index.list(repo, limit=1)] == ["tune queries"]
    assert in_repo[0].preview == "Added an index on users.email"
    # `sessions` prints the brief rows, sorted outside SQLite: the same order.
    assert [row[4] for row in index.brief(repo)] == ["tune queries", "Refactor the LOADER"]
    assert [row[0] for row in index.brief()] == [s.id[:8] for s in index.list()]


def test_find_by_prefix_unknown_and_ambiguous(isolated_home: Path) -> None:
    ours(isolated_home, "abcd1111-0000-4000-8000-000000000001", "one")
    ours(isolated_home, "abcd2222-0000-4000-8000-000000000002", "two")
    index = SessionIndex.open()
    index.refresh()
    assert index.find("abcd1").title == "one"
    assert index.find("ABCD2".lower()).title == "two"
    with pytest.raises(SessionNotFound, match="no session matches `ffff`"):
        index.find("ffff")
    with pytest.raises(AmbiguousSession) as caught:
        index.find("abcd")
    assert sorted(caught.value.candidates) == [
        "abcd1111-0000-4000-8000-000000000001",
        "abcd2222-0000-4000-8000-000000000002",
    ]
    assert "matches 2 sessions" in str(caught.value)
    with pytest.raises(SessionNotFound):
        index.find("")
    with pytest.raises(SessionNotFound):
        index.find("%")


def test_delete_and_rename(isolated_home: Path, codex_home: Path) -> None:
    mine = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "mine")
    theirs = ours(
        codex_home, "bbbb2222-0000-4000-8000-000000000002", "theirs", originator="codex_cli_rs"
    )
    index = SessionIndex.open()
    index.refresh()
    renamed = index.rename("aaaa", "  A better   name ")
    assert renamed.title == "A better name"
    assert read_session(mine).meta.title == "A better name"
    (isolated_home / "index.sqlite").unlink()
    fresh = SessionIndex.open()
    fresh.refresh()
    assert fresh.find("aaaa").title == "A better name", "a rename survives a rebuild"

    before = theirs.read_bytes()
    with pytest.raises(ReadOnlySession):
        fresh.rename("bbbb", "nope")
    with pytest.raises(ReadOnlySession):
        fresh.delete("bbbb")
    assert theirs.read_bytes() == before

    fresh.delete("aaaa")
    assert not mine.exists()
    assert [s.id[:4] for s in fresh.list()] == ["bbbb"]
    with pytest.raises(SessionNotFound):
        fresh.find("aaaa")


def test_corrupt_files_are_counted_and_skipped(isolated_home: Path) -> None:
    ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "fine")
    write_session(isolated_home, "bad1", ["this is not json"])
    write_session(isolated_home, "bad2", [line("event_msg", {"type": "user_message"})])
    write_session(isolated_home, "bad3", [])
    index = SessionIndex.open()
    assert index.refresh().corrupt == 3
    assert [s.title for s in index.list()] == ["fine"]
    assert index.refresh().corrupt == 3, "still reported, without reading them again"


def test_a_corrupt_database_is_rebuilt(isolated_home: Path) -> None:
    ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "fine")
    (isolated_home / "index.sqlite").write_bytes(b"definitely not sqlite" * 100)
    index = SessionIndex.open()
    assert index.refresh().read == 1
    assert [s.title for s in index.list()] == ["fine"]
    index.close()
    assert SessionIndex.open().refresh().read == 0, "the rebuilt database is on disk again"


def test_concurrent_refreshes_from_two_connections(isolated_home: Path) -> None:
    for n in range(200):
        ours(isolated_home, f"{n:08x}-0000-4000-8000-000000000000", f"request {n}")
    indexes = [SessionIndex.open(), SessionIndex.open()]
    errors: list[BaseException] = []

    def refresh(index: SessionIndex) -> None:
        try:
            for _ in range(3):
                index.refresh()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=refresh, args=(i,)) for i in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(indexes[0].list()) == len(indexes[1].list()) == 200
