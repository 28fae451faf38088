"""The index's refresh by folder times: a folder that has not changed is not
listed again under our root, our writers' appends still show, Codex CLI's root is
always listed, and folders or roots that went away take their rows with them."""

from __future__ import annotations

import os
from pathlib import Path

from codex_tui.sessions import SessionIndex
from codex_tui.sessions.files import roots
from codex_tui.sessions.recorder import SessionRecorder, append_lines
from tests.sessions.conftest import line
from tests.sessions.test_index import ours

DAY_OLD = 86_400 * 1_000_000_000


def age(path: Path) -> None:
    """Set `path`'s times a day back: a folder that old is trusted."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns - DAY_OLD, st.st_mtime_ns - DAY_OLD))


def age_tree(top: Path) -> None:
    for folder, _, _ in os.walk(top):
        age(Path(folder))


def turn_line(text: str) -> str:
    return line("event_msg", {"type": "user_message", "message": text}) + "\n"


def test_an_unchanged_folder_is_not_listed_again(isolated_home: Path) -> None:
    first = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "add a cache")
    ours(isolated_home, "bbbb2222-0000-4000-8000-000000000002", "write docs", day="2025/01/03")
    age_tree(isolated_home / "sessions")
    index = SessionIndex.open()
    assert index.refresh().scanned == 2
    assert index.refresh().scanned == 0, "both day folders kept their time: nothing listed"

    # Appended by a writer that does not touch the folder: trusted, so not seen...
    with first.open("a") as fh:
        fh.write(turn_line("and evict old keys"))
    assert index.refresh().read == 0
    assert index.find("aaaa").turns == 1
    # ...until the folder changes, as our writers make it do.
    append_lines(first, [turn_line("and test it").encode()])
    report = index.refresh()
    assert (report.scanned, report.read) == (1, 1), "only the touched folder is listed"
    assert index.find("aaaa").turns == 3


def test_the_recorder_marks_its_folder(isolated_home: Path) -> None:
    path = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "add a cache")
    age_tree(isolated_home / "sessions")
    index = SessionIndex.open()
    index.refresh()
    recorder = SessionRecorder.append_to(path, "aaaa1111-0000-4000-8000-000000000001")
    recorder.record_rename("Cache work")
    recorder.close()
    assert index.refresh().read == 1
    assert index.find("aaaa").title == "Cache work"


def test_a_recent_folder_is_listed_until_it_is_old_enough(isolated_home: Path) -> None:
    path = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "add a cache")
    index = SessionIndex.open()
    index.refresh()
    # Its time is seconds old: a change in the same clock tick would keep the time,
    # so the folder is listed again, and a quiet append is found.
    with path.open("a") as fh:
        fh.write(turn_line("more"))
    assert index.refresh().read == 1
    assert index.find("aaaa").turns == 2


def test_codex_clis_root_is_always_listed(isolated_home: Path, codex_home: Path) -> None:
    theirs = ours(
        codex_home, "bbbb2222-0000-4000-8000-000000000002", "theirs", originator="codex_cli_rs"
    )
    age_tree(codex_home / "sessions")
    index = SessionIndex.open()
    index.refresh()
    with theirs.open("a") as fh:  # Codex CLI appends without touching the folder
        fh.write(turn_line("go on"))
    assert index.refresh().read == 1
    assert index.find("bbbb").turns == 2


def test_gone_folders_and_roots_take_their_rows(
    isolated_home: Path, codex_home: Path, tmp_path: Path, monkeypatch
) -> None:
    mine = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "mine", day="2025/02/01")
    ours(isolated_home, "cccc3333-0000-4000-8000-000000000003", "kept")
    ours(codex_home, "bbbb2222-0000-4000-8000-000000000002", "theirs", originator="codex_cli_rs")
    age_tree(isolated_home / "sessions")
    index = SessionIndex.open()
    index.refresh()
    assert len(index.list()) == 3

    for child in mine.parent.iterdir():
        child.unlink()
    mine.parent.rmdir()
    mine.parent.parent.rmdir()  # the month folder too
    assert index.refresh().removed == 1
    assert {s.id[:4] for s in index.list()} == {"bbbb", "cccc"}

    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "elsewhere"))
    index.roots = roots()
    assert index.refresh().removed == 1, "the old Codex home's sessions leave the index"
    assert [s.id[:4] for s in index.list()] == ["cccc"]


def test_a_folder_replaced_by_a_symlink_is_gone(isolated_home: Path, tmp_path: Path) -> None:
    mine = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "mine")
    age_tree(isolated_home / "sessions")
    index = SessionIndex.open()
    index.refresh()
    elsewhere = tmp_path / "elsewhere"
    mine.parent.rename(elsewhere)
    mine.parent.symlink_to(elsewhere, target_is_directory=True)
    assert index.refresh().removed == 1
    assert index.list() == []
