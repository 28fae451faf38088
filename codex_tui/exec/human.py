"""Agent events as readable progress lines on stderr (exec without --json)."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from codex_tui.agent import events as ev
from codex_tui.exec.jsonl import flag_line
from codex_tui.hooks.display import hook_line

MARKS = {"completed": "✔", "in_progress": "▶", "pending": "□"}


class ProgressPrinter:
    """Prints what the agent does, one short line (or block) per event."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def line(self, text: str) -> None:
        self.write(text.rstrip("\n") + "\n")

    def __call__(self, event: ev.Event) -> None:
        match event:
            case ev.Reasoning(text=text):
                self.line(f"thinking: {text}")
            case ev.AgentMessage(text=text):
                self.line(f"codex: {text}")
            case ev.AgentMessageCutOff(text=text, reason=reason):
                self.line(f"codex (cut off, {reason}): {text}")
            case ev.ExecBegin(command=command, sandboxed=sandboxed):
                where = "" if sandboxed else " (no sandbox)"
                self.line(f"$ {shlex.join(command)}{where}")
            case ev.ExecEnd(exit_code=exit_code, output=output, duration_s=duration, status=status):
                tail = output.strip().splitlines()[-5:]
                for text in tail:
                    self.line(f"  {text}")
                code = "" if exit_code is None else f"exit {exit_code}, "
                self.line(f"  [{status}: {code}{duration:.1f}s]")
            case ev.PatchEnd(changes=changes, success=success, output=output):
                marks = ", ".join(f"{c.kind} {c.path} (+{c.added} -{c.removed})" for c in changes)
                self.line(f"patch {'applied' if success else 'not applied'}: {marks or output}")
            case ev.PlanUpdated(explanation=explanation, plan=plan):
                self.line("plan:" + (f" {explanation}" if explanation else ""))
                for step in plan:
                    self.line(f"  {MARKS[step.status]} {step.step}")
            case ev.StreamRetry(attempt=attempt, max_attempts=limit, delay_s=delay, reason=reason):
                self.line(f"Reconnecting {attempt}/{limit} in {delay:.1f}s: {reason}")
            case ev.ResponseFlagged(flags=flags, source=source):
                for flag in flags:
                    self.line(flag_line(flag, source))
            case ev.McpToolCallEnd(server=server, tool=tool, status=status, result=result):
                head = result.strip().splitlines()[0][:120] if result.strip() else ""
                mark = "✓" if status == "completed" else "✗"
                self.line(
                    f"{mark} {server} · {tool}: {head}" if head else f"{mark} {server} · {tool}"
                )
            case ev.HookNoted() as noted:
                line = hook_line(noted.kind, noted.event, noted.label, noted.text)[1]
                self.line(line.replace("`", ""))
            case ev.WarningEvent(message=message):
                self.line(f"warning: {message}")
            case ev.SnapshotFailed(message=message):
                self.line(f"warning: no snapshot for undo: {message}")
            case ev.Error(message=message) | ev.TurnFailed(message=message):
                self.line(f"error: {message}")
            case ev.Compacted():
                self.line("(conversation compacted)")
            case ev.TurnAborted(reason=reason):
                self.line(f"turn aborted: {reason}")
            case ev.TurnComplete(usage=usage, duration_s=duration, cost_usd=cost):
                from codex_tui.agent.pricing import describe_usage

                self.line(f"tokens: {describe_usage(usage, cost)} · {duration:.1f}s")
