"""`codex-tui sessions [--all] [--json]`: list recorded sessions (ours and Codex
CLI's), those of the current repository unless `--all`. Also the lookup that
`resume` and `exec resume` share."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from codex_tui.cli_context import CliError, Context
from codex_tui.sessions.display import clip, relative_time, short_path
from codex_tui.sessions.errors import SessionError
from codex_tui.sessions.index import SessionIndex, SessionSummary, summary_json


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


def resolve_session(cwd: Path, session_id: str | None, last: bool, command: str) -> SessionSummary:
    """The session `resume` / `exec resume` means: an id (a unique prefix is
    enough, or a session file's path), or with `last` the latest of this repository.
    Raises CliError with one line."""

    if last and session_id:
        raise CliError(f"{command}: give a session ID or --last, not both", 2)
    if not last and not session_id:
        raise CliError(
            f"{command} needs a session ID or --last (`codex-tui sessions` lists them)", 2
        )
    index, corrupt = open_index()
    try:
        warn_corrupt(corrupt)
        if last:
            latest = index.list(cwd, limit=1)
            if not latest:
                raise CliError(f"{command}: no recorded session for {short_path(str(cwd))}", 1)
            return latest[0]
        try:
            return index.find(session_id or "")
        except SessionError as exc:
            raise CliError(f"{command}: {exc}", 1) from None
    finally:
        index.close()


def run(ctx: Context) -> int:
    index, corrupt = open_index()
    try:
        sessions = index.list(None if ctx.args.all else ctx.cwd)
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
    for line in table(sessions, show_dir=ctx.args.all):
        print(line)
    return 0


def table(sessions: list[SessionSummary], *, show_dir: bool) -> list[str]:
    """A compact table: id, when, branch, (directory,) title."""
    width = shutil.get_terminal_size((100, 24)).columns
    now = datetime.now(UTC)
    rows = [
        (
            s.short_id,
            relative_time(s.updated, now),
            s.branch or "-",
            short_path(s.cwd) if show_dir else "",
            ("(codex) " if s.source == "codex" else "") + s.title,
        )
        for s in sessions
    ]
    header = ("ID", "UPDATED", "BRANCH", "DIRECTORY" if show_dir else "", "TITLE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    widths[2] = min(widths[2], 20)
    widths[3] = min(widths[3], 40)
    lines = []
    for row in [header, *rows]:
        cells = [clip(row[i], widths[i]).ljust(widths[i]) for i in range(4) if widths[i]]
        head = "  ".join(cells) + "  "
        lines.append(head + clip(row[4], max(10, width - len(head))))
    return lines
