"""Session index figures on 1,000, 10,000 and 50,000 synthetic session files:
building the index from nothing, opening the sidebar, `codex-tui sessions --all`;
then search, an incremental refresh, and reading one long session back.

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

SIZES = (1_000, 10_000, 50_000)
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


def _cli_ms(args: list[str], repeat: int) -> float:
    """Wall time of a whole `codex-tui sessions` process, median of `repeat`."""
    import subprocess
    import sys

    argv = [sys.executable, "-m", "codex_tui", "sessions", *args]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, timeout=120)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> list[dict]:
    from codex_tui.config import paths
    from codex_tui.sessions import SessionIndex, read_session
    from codex_tui.sessions.files import Root
    from codex_tui.ui.sidebar import MAX_ROWS

    figures: list[dict] = []

    def fig(name: str, value: float, goal: str = "", note: str = "", unit: str = "ms") -> None:
        figures.append({"name": name, "value": value, "unit": unit, "goal": goal, "note": note})

    saved = {k: os.environ.get(k) for k in ("CODEX_TUI_HOME", "CODEX_HOME")}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CODEX_TUI_HOME"] = str(Path(tmp) / "home")
        os.environ["CODEX_HOME"] = str(Path(tmp) / "codex")
        try:
            root = paths.sessions_dir()
            db = paths.home() / "index.sqlite"
            roots = [Root(root, "codex-tui")]

            def drop_db() -> None:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db) + suffix).unlink(missing_ok=True)

            def build() -> None:
                index = SessionIndex.open(db, roots)
                index.refresh()
                index.close()

            def sidebar_open() -> None:
                # What the sidebar's worker does when it is shown.
                index = SessionIndex.open(db, roots)
                index.refresh()
                index.list(None, None, limit=MAX_ROWS + 1)
                index.close()

            written = size = 0
            for count in SIZES:
                size += _write_sessions(root, written, count - written)
                written = count
                # Day folders written seconds ago are listed again (their times are
                # too fresh to trust): age them as a day's use would.
                _age_folders(root)
                where = f"{count:,} sessions, {size / 1e6:.0f} MB, page cache warm"
                fig(
                    f"index build from nothing, {count:,} sessions",
                    _median_ms(build, 3, drop_db),
                    "≤ 3 s at 50,000",
                    where + "; median of 3; files read by one process per core from 2,000 on",
                )
                build()
                fig(
                    f"sidebar open (refresh + newest {MAX_ROWS + 1}), {count:,} sessions",
                    _median_ms(sidebar_open, 9),
                    "≤ 100 ms at 50,000",
                    "index opened, day folders' times compared, rows read; before: every file"
                    " stat'ed (0.30 s at 50,000)",
                )
                fig(
                    f"`codex-tui sessions --all`, {count:,} sessions",
                    _cli_ms(["--all"], 5),
                    "≤ 300 ms at 50,000",
                    "whole process, warm index, output to /dev/null; before: 1.06 s at 50,000",
                )

            index = SessionIndex.open(db, roots)
            fig(
                "search titles and message text",
                _median_ms(lambda: index.list(query="Session 4242 turn"), 9),
                note=f"substring match over {written:,} sessions (one filter keystroke)",
            )
            extra = iter(range(written, written + 1000, 10))
            fig(
                "incremental refresh after 10 new sessions",
                _median_ms(index.refresh, 5, lambda: _write_sessions(root, next(extra), 10)),
                note="only the new files' folders are listed",
            )
            index.close()

            long = root / "long.jsonl"
            long.write_bytes(_session_lines(written + 5000, 500))
            fig(
                "read_session of a 500-turn session",
                _median_ms(lambda: read_session(long), 5),
                note=f"{long.stat().st_size / 1e6:.1f} MB: history + transcript",
            )
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return figures


def _age_folders(root: Path) -> None:
    day = 86_400 * 1_000_000_000
    for folder, _, _ in os.walk(root):
        st = os.stat(folder)
        os.utime(folder, ns=(st.st_atime_ns - day, st.st_mtime_ns - day))


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['value']:.1f} {figure['unit']}  ({figure['note']})")
