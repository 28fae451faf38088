"""The composer's history store: history.jsonl reading, appending, and its failure modes."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

from codex_tui.ui import history as history_module
from codex_tui.ui.history import HistoryStore, default_history_path


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def write_lines(path: Path, lines: list[str], *, trailing_newline: bool = True) -> None:
    path.write_text("\n".join(lines) + ("\n" if trailing_newline else ""), "utf-8")


def entry(text: str) -> str:
    return json.dumps({"ts": 1, "text": text, "cwd": "/w"})


def test_default_path_is_under_codex_tui_home(isolated_home: Path) -> None:
    assert default_history_path() == isolated_home / "history.jsonl"
    assert HistoryStore().path == isolated_home / "history.jsonl"


def test_add_then_flush_appends_one_json_line_per_entry(tmp_path: Path) -> None:
    path = tmp_path / "home" / "history.jsonl"  # the directory does not exist yet
    store = HistoryStore(path, cwd="/repo")
    assert store.add("fix the bug")
    assert store.add("now add a test\nwith two lines")
    assert not path.exists()  # nothing written before flush
    store.flush()
    got = records(path)
    assert [r["text"] for r in got] == ["fix the bug", "now add a test\nwith two lines"]
    assert all(r["cwd"] == "/repo" and isinstance(r["ts"], int) for r in got)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.flush()  # nothing pending: no duplicate lines
    assert len(records(path)) == 2


def test_blank_and_repeated_entries_are_ignored(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.jsonl")
    assert not store.add("   \n ")
    assert store.add("same")
    assert not store.add("same")
    assert store.add("other")
    assert store.add("same")
    assert store.entries == ["same", "other", "same"]


def test_load_skips_corrupt_and_torn_lines(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    write_lines(
        path,
        [
            entry("first"),
            "{not json",
            '{"text": "torn in the midd',
            "[1, 2, 3]",
            json.dumps({"text": 5}),
            json.dumps({"ts": 2}),
            "\xff\xfe garbage",
            entry("second"),
            '{"ts": 3, "text": "crash mid-wri',
        ],
        trailing_newline=False,
    )
    store = HistoryStore(path)
    store.load()
    assert store.loaded
    assert store.entries == ["first", "second"]


def test_append_after_a_torn_last_line_starts_a_new_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(entry("kept") + "\n" + '{"text": "torn', "utf-8")
    store = HistoryStore(path)
    store.add("after the crash")
    store.flush()
    again = HistoryStore(path)
    again.load()
    assert again.entries == ["kept", "after the crash"]


def test_load_keeps_only_the_newest_entries(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "h.jsonl"
    write_lines(path, [entry(f"prompt {i}") for i in range(300)])
    # Small read chunks so the tail is assembled from many reads.
    monkeypatch.setattr(history_module, "_CHUNK", 100)
    store = HistoryStore(path, limit=50)
    store.load()
    assert store.entries == [f"prompt {i}" for i in range(250, 300)]


def test_entries_added_before_load_stay_newest(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    write_lines(path, [entry("old one"), entry("old two")])
    store = HistoryStore(path)
    store.add("typed while loading")
    store.load()
    assert store.entries == ["old one", "old two", "typed while loading"]
    store.load()  # a second load changes nothing
    assert store.entries == ["old one", "old two", "typed while loading"]


def test_missing_file_loads_empty(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "nope" / "history.jsonl")
    store.load()
    assert store.loaded and store.entries == []


def test_persistence_none_neither_reads_nor_writes(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    write_lines(path, [entry("on disk")])
    before = path.read_bytes()
    store = HistoryStore(path, persistence="none")
    store.load()
    assert store.entries == []
    assert store.add("in memory only")
    assert not store.has_pending
    store.flush()
    assert store.entries == ["in memory only"]
    assert path.read_bytes() == before


def test_unpersisted_entries_are_not_written(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    store = HistoryStore(path)
    store.add("cleared draft", persist=False)
    store.add("sent")
    store.flush()
    assert [r["text"] for r in records(path)] == ["sent"]
    assert store.entries == ["cleared draft", "sent"]


def test_write_errors_are_swallowed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = HistoryStore(blocker / "history.jsonl")
    store.add("goes nowhere")
    store.flush()  # mkdir fails: no exception
    assert store.entries == ["goes nowhere"]


def test_concurrent_flushes_keep_lines_whole_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    store = HistoryStore(path)
    long_text = "x" * 5000

    def writer(n: int) -> None:
        for i in range(40):
            store.add(f"{n}:{i}:{long_text}")
            store.flush()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = [r["text"] for r in records(path)]  # every line parses
    assert len(texts) == 240
    for n in range(6):
        mine = [int(t.split(":")[1]) for t in texts if t.startswith(f"{n}:")]
        assert mine == list(range(40))
    assert texts == store.entries
