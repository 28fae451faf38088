"""Session index figures on 10,000 synthetic session files: building the index
from nothing, warm listing, search, an incremental refresh; and reading one long
session back.

The files are written first (untimed) in the recorder's own line format, two turns
each with a command, so the page cache is warm for every figure: they measure our
work, not the disk.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SESSIONS = 10_000
REPOS = 10


def _median_ms(work: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None):
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _session_lines(n: int, turns: int) -> bytes:
    from codex_tui.agent.items import user_message
    from codex_tui.sessions.files import encode_line

    sid = f"{n:08x}-5e55-4000-8000-{n:012x}"
    meta = {
        "id": sid,
        "timestamp": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00.000Z",
        "cwd": f"/home/dev/repo{n % REPOS}",
        "originator": "codex-tui",
        "cli_version": "0.1.0",
        "model": "gpt-5-codex",
        "model_provider": "openai",
        "git": {"branch": f"topic-{n % 7}", "commit_hash": "0" * 40},
    }
    out = [encode_line("session_meta", meta)]
    out.append(
        encode_line("response_item", user_message("<environment_context>…</environment_context>"))
    )
    usage = {"total_token_usage": {"input_tokens": 9000, "output_tokens": 700}}
    for t in range(turns):
        ask = f"Session {n} turn {t}: make the parser accept trailing commas in lists"
        call = {"type": "function_call", "call_id": f"c{t}", "name": "shell", "arguments": "{}"}
        output = "collected 120 items\n" + "." * 120 + "\n120 passed in 1.2s\n"
        events = [
            {"type": "user_message", "message": ask},
            {"type": "agent_reasoning", "text": "Looking at the grammar."},
            {"type": "exec_command_end", "call_id": f"c{t}", "aggregated_output": output},
            {"type": "agent_message", "message": f"Done with turn {t}."},
            {"type": "token_count", "info": usage},
            {"type": "task_complete", "turn_id": f"t{t}"},
        ]
        items = [
            user_message(ask),
            call,
            {"type": "function_call_output", "call_id": f"c{t}", "output": output},
        ]
        out.append(encode_line("turn_context", {"cwd": meta["cwd"], "model": "gpt-5-codex"}))
        out += [encode_line("event_msg", e) for e in events[:2]]
        out += [encode_line("response_item", i) for i in items[:2]]
        out += [encode_line("event_msg", events[2]), encode_line("response_item", items[2])]
        out += [encode_line("event_msg", e) for e in events[3:]]
    return b"".join(out)


def _write_sessions(root: Path, start: int, count: int) -> int:
    size = 0
    for n in range(start, start + count):
        day = root / f"2025/{1 + n % 12:02d}/{1 + n % 28:02d}"
        day.mkdir(parents=True, exist_ok=True)
        data = _session_lines(n, 2)
        (day / f"rollout-2025-01-01T10-00-00-{n:08x}.jsonl").write_bytes(data)
        size += len(data)
    return size


def run() -> list[dict]:
    from codex_tui.config import paths
    from codex_tui.sessions import SessionIndex, read_session
    from codex_tui.sessions.files import Root

    figures: list[dict] = []
    saved = {k: os.environ.get(k) for k in ("CODEX_TUI_HOME", "CODEX_HOME")}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CODEX_TUI_HOME"] = str(Path(tmp) / "home")
        os.environ["CODEX_HOME"] = str(Path(tmp) / "codex")
        try:
            root = paths.sessions_dir()
            size = _write_sessions(root, 0, SESSIONS)
            db = paths.home() / "index.sqlite"
            roots = [Root(root, "codex-tui")]

            def drop_db() -> None:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db) + suffix).unlink(missing_ok=True)

            def build() -> None:
                index = SessionIndex.open(db, roots)
                index.refresh()
                index.close()

            note = f"{SESSIONS:,} files, {size / 1e6:.0f} MB, page cache warm"
            figures.append(
                {
                    "name": "index build from nothing",
                    "value": _median_ms(build, 3, drop_db),
                    "unit": "ms",
                    "goal": "≤ 3 s",
                    "note": note,
                }
            )
            build()
            index = SessionIndex.open(db, roots)

            def warm_list() -> None:
                index.refresh()
                assert len(index.list()) == SESSIONS

            figures.append(
                {
                    "name": "warm listing (refresh + list all)",
                    "value": _median_ms(warm_list, 9),
                    "unit": "ms",
                    "goal": "≤ 300 ms",
                    "note": f"{SESSIONS:,} sessions; refresh stats every file",
                }
            )
            repo = Path("/home/dev/repo3")
            figures.append(
                {
                    "name": "warm listing of one repository",
                    "value": _median_ms(lambda: (index.refresh(), index.list(repo)), 9),
                    "unit": "ms",
                    "goal": "",
                    "note": f"{SESSIONS // REPOS:,} of {SESSIONS:,} sessions",
                }
            )
            figures.append(
                {
                    "name": "search titles and message text",
                    "value": _median_ms(lambda: index.list(query="Session 4242 turn"), 9),
                    "unit": "ms",
                    "goal": "",
                    "note": "substring match over all sessions (one filter keystroke)",
                }
            )
            extra = iter(range(SESSIONS, SESSIONS + 1000, 10))
            figures.append(
                {
                    "name": "incremental refresh after 10 new sessions",
                    "value": _median_ms(
                        index.refresh, 5, lambda: _write_sessions(root, next(extra), 10)
                    ),
                    "unit": "ms",
                    "goal": "",
                    "note": "only the new files are read",
                }
            )
            index.close()

            long = root / "long.jsonl"
            long.write_bytes(_session_lines(SESSIONS + 5000, 500))
            figures.append(
                {
                    "name": "read_session of a 500-turn session",
                    "value": _median_ms(lambda: read_session(long), 5),
                    "unit": "ms",
                    "goal": "",
                    "note": f"{long.stat().st_size / 1e6:.1f} MB: history + transcript",
                }
            )
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['value']:.1f} {figure['unit']}  ({figure['note']})")
