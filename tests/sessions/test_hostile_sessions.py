"""Session files with wrong types and invalid text (ours damaged, or Codex CLI's,
which are read too): `sessions`, the reader and `exec resume` go on, and one bad
file never hides the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codex_tui.cli import main
from codex_tui.sessions import SessionIndex, read_session
from codex_tui.sessions.files import encode_line, parse_line, parse_lines
from tests.sessions.test_index import ours

SID = "11111111-2222-4333-8444-555555555555"


def hostile_file(home: Path, cwd: Path) -> Path:
    path = home / "sessions" / "2026" / "12" / "03" / f"rollout-2026-12-03T10-00-00-{SID}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "id": SID,
        "timestamp": 5,
        "cwd": str(cwd),
        "originator": "codex-tui",
        "model": {"a": 1},
        "model_provider": 7,
        "git": {"branch": ["b"], "commit_hash": 3},
    }
    lines = [
        {"timestamp": "2026-12-03T10:00:00Z", "type": "session_meta", "payload": meta},
        {"timestamp": 7, "type": "turn_context", "payload": {"model": ["m"]}},
        {"type": "event_msg", "payload": {"type": "user_message", "message": ["not", "text"]}},
        {"type": "event_msg", "payload": {"type": "user_message", "message": "hello \udcff"}},
        {
            "type": "event_msg",
            "payload": {
                "type": "token_count",
                "info": {"total_token_usage": {"input_tokens": "many", "output_tokens": [1]}},
            },
        },
        {"type": "event_msg", "payload": {"type": "session_renamed", "title": {"x": 1}}},
        {"type": "event_msg", "payload": {"type": "exec_command_end", "status": ["x"]}},
        {
            "type": "response_item",
            "payload": {"type": "message", "role": "user", "content": [{"text": {"x": 1}}]},
        },
        {"type": "compacted", "payload": {"message": ["x"], "replacement_history": "nope"}},
    ]
    with path.open("w", encoding="utf-8", errors="surrogatepass") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")
    return path


def test_the_reader_takes_what_it_can(isolated_home: Path, tmp_path: Path) -> None:
    data = read_session(hostile_file(isolated_home, tmp_path))
    assert data.meta.title == "hello \ufffd"
    assert (data.meta.model, data.meta.branch, data.meta.provider) == (None, None, None)
    assert data.total_usage.total_tokens == 0
    json.dumps([str(e) for e in data.transcript])  # all of it is text we can show


def test_sessions_lists_it_beside_the_good_ones(isolated_home: Path, tmp_path: Path, capsys):
    hostile_file(isolated_home, tmp_path)
    ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "A good one", cwd=str(tmp_path))
    assert main(["-C", str(tmp_path), "sessions", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(s["title"] for s in listed) == ["A good one", "hello \ufffd"]


def test_a_row_the_database_refuses_is_counted_not_fatal(isolated_home: Path, tmp_path: Path):
    ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "A good one", cwd=str(tmp_path))
    index = SessionIndex.open()
    index.refresh()
    # A title sqlite cannot store (a lone surrogate reached the row).
    bad = {"path": "/x/y.jsonl", "dir": "/x", "size": 1, "mtime_ns": 1, "ok": 1, "id": "z", "source": "codex",
           "title": "\udcff", "cwd": "", "branch": None, "model": None, "created": 0.0,
           "updated": 0.0, "turns": 0, "tokens": 0, "read_only": 1, "preview": "", "text": ""}  # fmt: skip
    index._write([[bad]], [])
    titles = [s.title for s in index.list()]
    assert titles == ["A good one"]
    counted = index.db.execute("SELECT count(*) FROM files WHERE ok = 0").fetchone()
    assert counted == (1,), "kept as an unreadable file"


def test_a_file_saved_with_a_byte_order_mark_is_read_and_listed_alike(
    isolated_home: Path, tmp_path: Path
) -> None:
    # An editor may save a session file with a UTF-8 BOM: the reader and the index
    # (one line parser for both) read it the same, and bytes that are not UTF-8
    # are a skipped line, not an error.
    path = ours(
        isolated_home, "b0b0b0b0-0000-4000-8000-000000000001", "With a mark", cwd=str(tmp_path)
    )
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b"\xff\xfe not utf-8\n")
    assert read_session(path).meta.title == "With a mark"
    index = SessionIndex.open()
    index.refresh()
    assert [s.title for s in index.list()] == ["With a mark"]


def test_a_line_nested_past_the_decoders_stack_is_a_skipped_line(
    isolated_home: Path, tmp_path: Path
) -> None:
    # json's C decoder raises RecursionError (not ValueError) for deep nesting.
    path = ours(
        isolated_home, "b0b0b0b0-0000-4000-8000-000000000002", "Deep inside", cwd=str(tmp_path)
    )
    deep = b'{"type":"event_msg","payload":{"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}}\n"
    path.write_bytes(path.read_bytes() + deep)
    data = read_session(path)
    assert data.meta.title == "Deep inside" and data.torn_lines == 1
    index = SessionIndex.open()
    index.refresh()
    assert [s.title for s in index.list()] == ["Deep inside"]


def test_encode_line_always_writes_valid_utf8() -> None:
    line = encode_line("event_msg", {"type": "user_message", "message": "bad \udcff end"})
    assert json.loads(line.decode("utf-8"))["payload"]["message"] == "bad \ufffd end"


def test_a_fifo_in_git_metadata_does_not_hang_the_session_start(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    os.mkfifo(repo / ".git" / "HEAD")
    code = (
        "from pathlib import Path; from codex_tui.sessions.files import git_head;"
        f" print(git_head(Path({str(repo)!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "{}"


LINES = st.sampled_from(
    [
        b'{"type":"event_msg","payload":{"type":"agent_message","message":"hi"}}',
        b'{"type":"event_msg","payload":{"type":"x"}},{"type":"event_msg","payload":{}}',
        b'{"type":"event_msg","payload":{"type":"x"',  # torn
        b'"type":"event_msg"}',  # the rest of a torn line
        b"\xef\xbb\xbf" + b'{"type":"t","payload":{}}',  # a byte-order mark
        b'{"type":"t","payload":{"s":"caf\xc3\xa9"}}',
        b'{"type":"t","payload":{"s":"\xff"}}',  # not UTF-8
        b"[1, 2]",
        b"7",
        b'{"type":3,"payload":{}}',
        b'{"type":"t","payload":[]}',
        b"  \r",
        b'{"type":"t","payload":{"deep":' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
    ]
)


@given(st.lists(LINES, max_size=8))
def test_a_file_decoded_at_once_reads_like_one_decoded_line_by_line(chunks: list[bytes]) -> None:
    """The reader decodes a whole file as one JSON array when it can; whatever the
    lines, each reads back exactly as on its own (a torn line never takes its
    neighbour, nor do two objects on one line count as two lines)."""
    assert parse_lines(chunks) == [parse_line(chunk) for chunk in chunks]


JSON_BITS = st.sampled_from(
    [" ", "\t", "\r\n", "\u00a0", "\x0c", "{", "}", "[", "]", '"', "\\", ",", ":", "1", "-",
     "e", "true", "null", "NaN", "Infinity", '"a"', '{"k": [1, 2.5]}', "[]", "x"]
)  # fmt: skip
SPACE = st.text(alphabet=" \t\r\n\u00a0\x0c", max_size=3)
VALUE = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
).map(json.dumps)
JSON_TEXT = st.lists(JSON_BITS, max_size=12).map("".join) | st.tuples(
    SPACE, VALUE, SPACE, st.sampled_from(["", "x", ",1", "]", " {}"])
).map("".join)


@given(JSON_TEXT)
def test_the_line_decoder_is_json_loads(text: str) -> None:
    """files._decode calls json's C scanner directly: the same value as json.loads
    for any text, and an error exactly when json.loads raises one."""
    from codex_tui.sessions.files import _decode

    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            _decode(text)
        return
    assert repr(_decode(text)) == repr(expected)  # repr: NaN is not equal to itself


def test_codex_calls_nested_past_the_decoders_stack_read_as_nothing() -> None:
    """A Codex CLI rollout's tool call and its output are JSON inside strings;
    nested past json's C stack they read as no arguments and raw text."""
    from codex_tui.sessions.history import call_arguments, parse_exec_output

    deep = "[" * 100_000 + "]" * 100_000
    assert call_arguments({"type": "function_call", "arguments": deep}) == {}
    assert parse_exec_output(deep) == (deep, None, 0.0)


def test_a_composer_history_line_nested_too_deep_is_skipped() -> None:
    from codex_tui.ui.history import _parse_line

    assert _parse_line(b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}") is None
