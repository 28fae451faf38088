"""Agent events as readable progress lines on stderr (exec without --json)."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from codex_tui.agent import events as ev
from codex_tui.exec.jsonl import flag_line

MARKS = {"completed": "✔", "in_progress": "▶", "pending": "□"}


class ProgressPrinter:
    """Prints what the agent does, one short line (or block) per event."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def line(self, text: str) -> None:
        self.write(text.rstrip("\n") + "\n")

    def __call__(self, event: ev.Event) -> None:
        match event:
            case ev.Reasoning(_, text):
                self.line(f"thinking: {text}")
            case ev.AgentMessage(_, text):
                self.line(f"codex: {text}")
            case ev.ExecBegin(_, command, _, sandboxed):
                where = "" if sandboxed else " (no sandbox)"
                self.line(f"$ {shlex.join(command)}{where}")
            case ev.ExecEnd(_, _, exit_code, output, duration, status):
                tail = output.strip().splitlines()[-5:]
                for text in tail:
                    self.line(f"  {text}")
                code = "" if exit_code is None else f"exit {exit_code}, "
                self.line(f"  [{status}: {code}{duration:.1f}s]")
            case ev.PatchEnd(_, changes, success, output):
                marks = ", ".join(f"{c.kind} {c.path} (+{c.added} -{c.removed})" for c in changes)
                self.line(f"patch {'applied' if success else 'not applied'}: {marks or output}")
            case ev.PlanUpdated(explanation, plan):
                self.line("plan:" + (f" {explanation}" if explanation else ""))
                for step in plan:
                    self.line(f"  {MARKS[step.status]} {step.step}")
            case ev.StreamRetry(attempt, limit, delay, reason):
                self.line(f"Reconnecting {attempt}/{limit} in {delay:.1f}s: {reason}")
            case ev.ResponseFlagged(_, flags, source):
                for flag in flags:
                    self.line(flag_line(flag, source))
            case ev.WarningEvent(message):
                self.line(f"warning: {message}")
            case ev.Error(message) | ev.TurnFailed(_, message):
                self.line(f"error: {message}")
            case ev.Compacted():
                self.line("(conversation compacted)")
            case ev.TurnAborted(_, reason):
                self.line(f"turn aborted: {reason}")
            case ev.TurnComplete(_, _, usage, duration):
                self.line(
                    f"tokens: {usage.input_tokens} in ({usage.cached_input_tokens} cached),"
                    f" {usage.output_tokens} out · {duration:.1f}s"
                )
