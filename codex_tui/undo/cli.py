"""`codex-tui undo [--last | SESSION_ID] [--turns N] [--dry-run] [--yes] [--force]`:
undo a recorded session's latest turns from the shell, as `/undo` does in the app.

Exit 0 when it restored (or, with --dry-run, printed) what it would; 1 with one
line when there is nothing to undo, a turn cannot be restored, or files changed
since the turn stop it (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys

from codex_tui.agent.events import UndoDirection
from codex_tui.cli_context import CliError, Context
from codex_tui.config import paths
from codex_tui.undo.engine import Prepared, UndoError, apply, prepare, turn_title


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", nargs="?", help="the session (an id or a unique prefix)")
    parser.add_argument("--last", action="store_true", help="the latest session of this directory")
    parser.add_argument(
        "--turns", type=int, default=1, metavar="N", help="undo the last N turns that wrote"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the diff undo would apply; write nothing"
    )
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before restoring")
    parser.add_argument(
        "--force", action="store_true", help="overwrite files changed since the turn"
    )
    parser.add_argument("--redo", action="store_true", help="take back the latest undo instead")


def run(ctx: Context) -> int:
    from codex_tui.sessions.cli import resolve_session
    from codex_tui.sessions.reader import read_session
    from codex_tui.sessions.recorder import SessionRecorder
    from codex_tui.undo.history import UndoHistory

    args = ctx.args
    if args.turns < 1:
        raise CliError("undo: --turns must be at least 1", 2)
    last = args.last or not args.session_id
    path = resolve_session(ctx.cwd, args.session_id, last, "undo")
    data = read_session(path)
    if data.meta.read_only:
        raise CliError("undo: Codex CLI's sessions have no snapshots", 1)
    history = UndoHistory.from_events(data.transcript)
    direction: UndoDirection = "redo" if args.redo else "undo"
    limits = None
    recorder: SessionRecorder | None = None
    done = 0
    try:
        for _ in range(args.turns):
            turn = history.next_redo() if args.redo else history.next_undo()
            if turn is None:
                if done:
                    break
                raise CliError(
                    f"{direction}: nothing to {direction} in session {data.meta.id[:8]}", 1
                )
            try:
                prepared = prepare(turn, direction, paths.home(), limits)
            except UndoError as exc:
                raise CliError(f"{direction}: {exc}", 1) from None
            if args.dry_run:
                print_dry_run(prepared)
                return 0
            if prepared.conflicts and not args.force:
                shown = ", ".join(prepared.conflicts[:5])
                raise CliError(
                    f"{direction}: changed since {turn_title(turn)}: {shown} (--force overwrites)",
                    1,
                )
            if not args.yes and not confirm(prepared):
                raise CliError(f"{direction}: nothing written", 1)
            result = apply(prepared, force=args.force)
            if recorder is None:
                recorder = SessionRecorder.append_to(path, data.meta.id)
            recorder.record_event(result)
            history.add(result)
            report(prepared, result.failed)
            if result.failed:
                return 1
            done += 1
    finally:
        if recorder is not None:
            recorder.close()
    return 0


def print_dry_run(prepared: Prepared) -> None:
    verb = "undo" if prepared.direction == "undo" else "redo"
    what = turn_title(prepared.turn)
    if prepared.empty:
        print(f"{verb} of {what}: the files are already as they would be restored")
        return
    print(f"# {verb} of {what} would apply:")
    sys.stdout.write(prepared.diff())
    notes(prepared)


def notes(prepared: Prepared) -> None:
    if prepared.conflicts:
        print("# changed since the turn: " + ", ".join(prepared.conflicts))
    if prepared.not_covered:
        print("# not covered by the snapshots: " + ", ".join(prepared.not_covered))


def confirm(prepared: Prepared) -> bool:
    if not sys.stdin.isatty():
        raise CliError("undo: add --yes to restore without asking (stdin is not a terminal)", 1)
    count = len(prepared.changes)
    answer = input(
        f"{prepared.direction} {turn_title(prepared.turn)}: restore {count} paths? [y/N] "
    )
    return answer.strip().lower() in ("y", "yes")


def report(prepared: Prepared, failed: tuple[str, ...]) -> None:
    verb = "undid" if prepared.direction == "undo" else "redid"
    count = len(prepared.changes)
    print(f"{verb} {turn_title(prepared.turn)}: {count} path{'s' if count != 1 else ''} restored")
    for root_plan in prepared.roots:
        for change in root_plan.plan.changes:
            mark = "D" if change.target is None else ("A" if change.now is None else "M")
            print(f"  {mark} {change.path}")
    for line in failed:
        print(f"codex-tui: could not restore {line}", file=sys.stderr)
    if prepared.not_covered:
        print("  not covered: " + ", ".join(prepared.not_covered))
