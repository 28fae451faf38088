"""The index's row reader skips parsing most lines (only the last token count,
model and answer matter); whatever the file holds, it must give the row a plain
read of every line gives. Also: a large build shared with helper processes stores
the same rows as one read here."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.sessions import SessionIndex, index_rows
from codex_tui.sessions.event_codec import usage_from
from codex_tui.sessions.files import UNTITLED, Root, clean_text, make_title, text_or_none
from codex_tui.sessions.index_scan import PREVIEW_CHARS, TEXT_CHARS, scan_file

WORDS = ["fix", "user_message", "agent_message", "token_count", "turn_context", "_message", "é"]
text = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
long_text = st.integers(0, 9000).map(lambda n: "x" * n)


def event(payload: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": "2025-01-02T10:00:00.000Z", "type": "event_msg", "payload": payload}


def usage(n: int) -> dict[str, Any] | None:
    """Codex CLI writes token_count with `info: null` at times: not a count."""
    return None if n < 0 else {"total_token_usage": {"input_tokens": n, "output_tokens": 1}}


def answer_item(said: str) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": said}],
    }


lines = st.one_of(
    st.builds(lambda t: event({"type": "user_message", "message": t}), text | long_text),
    st.builds(lambda t: event({"type": "agent_message", "message": t}), text | long_text),
    st.builds(lambda n: event({"type": "token_count", "info": usage(n)}), st.integers(-1, 10_000)),
    st.builds(
        lambda m, t: {"type": "turn_context", "payload": {"model": m, "user_instructions": t}},
        st.sampled_from([None, "", "gpt-5", "local-model"]),
        text,
    ),
    st.builds(lambda t: event({"type": "session_renamed", "title": t}), text),
    st.builds(lambda t: event({"type": "agent_reasoning", "text": t}), text),
    st.builds(lambda t: {"type": "response_item", "payload": answer_item(t)}, text),
    st.just("not json at all _message token_count"),
)


def reference(body: list[Any]) -> dict[str, Any]:
    """Every line parsed, in order: what the row must say."""
    turns, tokens, model, title, renamed, preview = 0, 0, "meta-model", None, None, ""
    texts: list[str] = []
    budget = TEXT_CHARS
    for entry in body:
        if isinstance(entry, str):
            continue
        payload = entry["payload"]
        if entry["type"] == "turn_context":
            model = text_or_none(payload.get("model")) or model
            continue
        if entry["type"] != "event_msg":
            continue
        kind = payload.get("type")
        if kind in ("user_message", "agent_message"):
            said = clean_text(payload["message"])
            if kind == "user_message":
                turns += 1
                if title is None and said.strip():
                    title = make_title(said)
            else:
                preview = said[:PREVIEW_CHARS]
            if budget > 0:
                texts.append(said[:budget])
                budget -= len(texts[-1])
        elif kind == "token_count" and isinstance(payload.get("info"), dict):
            tokens = usage_from(payload["info"]["total_token_usage"]).total_tokens
        elif kind == "session_renamed":
            renamed = clean_text(payload["title"]).strip() or renamed
    return {
        "turns": turns,
        "tokens": tokens,
        "model": model,
        "title": renamed or title or UNTITLED,
        "preview": preview,
        "text": "\n".join(texts),
    }


def write(path: Path, body: list[Any]) -> None:
    meta = {"type": "session_meta", "payload": {"id": "s1", "model": "meta-model", "cwd": "/w"}}
    encoded = [json.dumps(e) if not isinstance(e, str) else e for e in [meta, *body]]
    path.write_text("\n".join(encoded) + "\n")


@settings(max_examples=300, deadline=None)
@given(body=st.lists(lines, max_size=30))
def test_the_row_is_what_reading_every_line_gives(tmp_path_factory, body: list[Any]) -> None:
    path = tmp_path_factory.mktemp("rows") / "rollout-x.jsonl"
    write(path, body)
    row = scan_file(str(path), 1, 1, "codex-tui")
    want = reference(body)
    assert {key: row[key] for key in want} == want


def sessions_folder(root: Path, count: int) -> Path:
    """`count` sessions in one day folder, and a FIFO named like one (never read)."""
    day = root / "2025" / "01" / "02"
    day.mkdir(parents=True)
    for n in range(count):
        path = day / f"rollout-{n:03d}.jsonl"
        write(path, [event({"type": "user_message", "message": f"request {n} é"})])
    os.mkfifo(day / "rollout-fifo.jsonl")
    return day


def build(root: Path, db: Path) -> list[list[tuple[Any, ...]]]:
    index = SessionIndex.open(db, [Root(root, "codex-tui")])
    try:
        report = index.refresh()
        assert report.read == 40
        return [
            index.db.execute(f"SELECT * FROM {table} ORDER BY path").fetchall()
            for table in ("files", "texts")
        ]
    finally:
        index.close()


def test_a_large_build_shared_with_helpers_stores_what_one_read_here_does(
    tmp_path: Path, monkeypatch
) -> None:
    sessions_folder(tmp_path / "sessions", 40)
    here = build(tmp_path / "sessions", tmp_path / "here.sqlite")
    monkeypatch.setattr(index_rows, "PARALLEL_FROM", 10)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    copied: list[tuple[bool, str]] = []
    real_store = index_rows.Helper.store

    def store(helper: index_rows.Helper, db: sqlite3.Connection) -> int:
        reader = index_rows.scan_file
        index_rows.scan_file = None  # type: ignore[assignment]  # nothing is read here
        try:
            count = real_store(helper, db)
        finally:
            index_rows.scan_file = reader
        copied.append((helper.name is not None, helper.folder))
        return count

    monkeypatch.setattr(index_rows.Helper, "store", store)
    shared = build(tmp_path / "sessions", tmp_path / "shared.sqlite")
    assert [attached for attached, _ in copied] == [True, True], "two helpers' rows copied"
    assert shared == here
    files, texts = shared
    assert [row[7] for row in files[:2]] == ["request 0 é", "request 1 é"]
    assert len(files) == len(texts) == 40
    assert not any(os.path.exists(folder) for _, folder in copied), "scratch folders removed"


@pytest.mark.parametrize(
    "failure", ["no-python", "python-fails", "no-temporary-folder", "python-hangs"]
)
def test_a_helper_that_cannot_start_or_fails_has_its_share_read_here(
    tmp_path: Path, monkeypatch, failure: str
) -> None:
    sessions_folder(tmp_path / "sessions", 40)
    here = build(tmp_path / "sessions", tmp_path / "here.sqlite")
    monkeypatch.setattr(index_rows, "PARALLEL_FROM", 10)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    if failure == "no-python":
        monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    elif failure == "python-fails":
        monkeypatch.setattr(sys, "executable", "/bin/false")
    elif failure == "python-hangs":
        hangs = tmp_path / "hangs"
        hangs.write_text("#!/bin/sh\nexec sleep 60\n")
        hangs.chmod(0o755)
        monkeypatch.setattr(sys, "executable", str(hangs))
        monkeypatch.setattr(index_rows, "HELPER_TIMEOUT_S", 0.5)
    else:
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    assert build(tmp_path / "sessions", tmp_path / "shared.sqlite") == here


def test_a_build_removes_scratch_folders_a_killed_build_left(tmp_path: Path, monkeypatch) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    old = time.time() - 2 * index_rows.STALE_AFTER_S
    stale = temp / f"{index_rows.SCRATCH_PREFIX}stale"
    stale.mkdir()
    (stale / "rows.sqlite").write_text("message text")
    os.utime(stale, (old, old))
    recent = temp / f"{index_rows.SCRATCH_PREFIX}recent"  # perhaps another build's
    recent.mkdir()
    other = temp / "someone-else"
    other.mkdir()
    os.utime(other, (old, old))
    # A stale name that is a symlink is not followed (its target stays).
    target = tmp_path / "target"
    target.mkdir()
    (temp / f"{index_rows.SCRATCH_PREFIX}link").symlink_to(target)
    os.utime(temp / f"{index_rows.SCRATCH_PREFIX}link", (old, old), follow_symlinks=False)
    sessions_folder(tmp_path / "sessions", 40)
    monkeypatch.setattr(index_rows, "PARALLEL_FROM", 10)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    build(tmp_path / "sessions", tmp_path / "shared.sqlite")
    left = sorted(p.name for p in temp.iterdir())
    assert left == [
        f"{index_rows.SCRATCH_PREFIX}link",
        f"{index_rows.SCRATCH_PREFIX}recent",
        "someone-else",
    ]
    assert target.is_dir()
