"""`codex-tui sessions [--all] [--json]`: list recorded sessions (ours and Codex
CLI's), those of the current repository unless `--all`. Also the lookup that
`resume` and `exec resume` share."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from codex_tui.cli_context import CliError, Context
from codex_tui.sessions.display import clip, relative_stamps, short_path
from codex_tui.sessions.errors import SessionError
from codex_tui.sessions.files import parse_line, roots
from codex_tui.sessions.index import Brief, SessionIndex, summary_json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--all", action="store_true", help="sessions of every directory, not only this repository"
    )
    parser.add_argument("--json", action="store_true", help="print the sessions as a JSON array")


def open_index() -> tuple[SessionIndex, int]:
    """The refreshed index and how many unreadable files it skips."""
    index = SessionIndex.open()
    report = index.refresh()
    return index, report.corrupt


def warn_corrupt(count: int) -> None:
    if count:
        noun = "file" if count == 1 else "files"
        print(f"codex-tui: skipped {count} unreadable session {noun}", file=sys.stderr)


def resolve_session(cwd: Path, session_id: str | None, last: bool, command: str) -> Path:
    """The session file `resume` / `exec resume` / `undo` mean: an id (a unique
    prefix is enough, or a session file's path), or with `last` the latest of this
    repository. Raises CliError with one line.

    A whole id is looked for by file name first (`rollout-…-<id>.jsonl`): the
    index's refresh would read the session's file, which every resume appends to
    (0.3 s for one of 20,000 items)."""

    if last and session_id:
        raise CliError(f"{command}: give a session ID or --last, not both", 2)
    if not last and not session_id:
        raise CliError(
            f"{command} needs a session ID or --last (`codex-tui sessions` lists them)", 2
        )
    if session_id and _WHOLE_ID.fullmatch(session_id.strip()):
        named = _files_named(session_id.strip().lower())
        if len(named) == 1:
            return named[0]
    index, corrupt = open_index()
    try:
        warn_corrupt(corrupt)
        if last:
            latest = index.list(cwd, limit=1)
            if not latest:
                raise CliError(f"{command}: no recorded session for {short_path(str(cwd))}", 1)
            return latest[0].path
        try:
            return index.find(session_id or "").path
        except SessionError as exc:
            raise CliError(f"{command}: {exc}", 1) from None
    finally:
        index.close()


_WHOLE_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def _files_named(session_id: str) -> list[Path]:
    """Session files of either root whose name ends in the id and whose first line
    says it is that session (anything else is left to the index, which reports
    a damaged file as not found)."""
    found = []
    for root in roots():
        for path in root.path.glob(f"*/*/*/rollout-*-{session_id}.jsonl"):
            if not path.is_symlink() and _opens_as(path, session_id):
                found.append(path)
    return found


HEAD_BYTES = 1 << 20  # a session_meta line is a few hundred bytes; never read a huge one


def _opens_as(path: Path, session_id: str) -> bool:
    try:
        if not path.is_file():  # a FIFO would block the open
            return False
        with path.open("rb") as file:
            head = parse_line(file.readline(HEAD_BYTES))
    except OSError:
        return False
    if head is None or head["type"] != "session_meta":
        return False
    found = head["payload"].get("id")
    return isinstance(found, str) and found.lower() == session_id


def run(ctx: Context) -> int:
    index, corrupt = open_index()
    try:
        scope = None if ctx.args.all else ctx.cwd
        sessions: list[Any] = index.list(scope) if ctx.args.json else index.brief(scope)
    finally:
        index.close()
    warn_corrupt(corrupt)
    if ctx.args.json:
        print(json.dumps([summary_json(s) for s in sessions], ensure_ascii=False, indent=2))
        return 0
    if not sessions:
        where = "" if ctx.args.all else f" for {short_path(str(ctx.cwd))} (--all lists every one)"
        print(f"no recorded sessions{where}", file=sys.stderr)
        return 0
    print("\n".join(table(sessions, show_dir=ctx.args.all)))
    return 0


def table(sessions: list[Brief], *, show_dir: bool) -> list[str]:
    """A compact table: id, when, branch, (directory,) title. `--all` may print
    50,000 rows, so the per-row work is one f-string: the times, branches and
    folders are few distinct values, each padded once and then looked up."""
    width = shutil.get_terminal_size((100, 24)).columns
    header = ("ID", 0.0, "BRANCH", "DIRECTORY" if show_dir else "", "TITLE")
    rows = [header, *sessions]
    when = ["UPDATED", *relative_stamps((row[1] for row in sessions), time.time())]
    # Each column after the id: its distinct values, and what each is shown as.
    columns: list[dict[Any, str]] = [
        {text: text for text in when},
        {branch: branch or "-" for branch in {row[2] for row in rows}},
        {cwd: short_path(cwd) if show_dir else "" for cwd in {row[3] for row in rows}},
    ]
    id_width = max(len(row[0]) for row in rows)
    widths = [max(map(len, column.values())) for column in columns]
    widths[1] = min(widths[1], 20)
    widths[2] = min(widths[2], 40)
    # Every cell before the title is padded to its width and followed by the two
    # spaces between columns: the title's room is the same on every line.
    stamp, branch, cwd = (
        {key: _cell(text, w) + "  " if w else "" for key, text in column.items()}
        for column, w in zip(columns, widths, strict=True)
    )
    room = max(10, width - id_width - 2 - sum(w + 2 for w in widths if w))
    # An id is never wider than id_width (the widest), so it is only padded.
    return [
        f"{short_id:<{id_width}}  {stamp[ago]}{branch[on]}{cwd[at]}"
        f"{title if len(title) <= room else title[: room - 1] + '…'}"
        for (short_id, _, on, at, title), ago in zip(rows, when, strict=True)
    ]


def _cell(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else clip(text, width)
