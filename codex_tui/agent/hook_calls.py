"""The agent's side of hooks: the JSON each event sends, and its notes as events.

`AgentHooks.fire(event, subject, **fields)` runs the event's matching hooks
(`hooks.runner`), reads their verdict (`hooks.verdict`) and emits one
`HookNoted` per decision or failure; the caller acts on the verdict (block a
call, add context, continue a turn). Every event's input carries
`session_id`, `transcript_path` (the session file), `cwd` and
`hook_event_name`, as Claude Code's do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.hooks.runner import matching, run_hooks
from codex_tui.hooks.sources import Hook
from codex_tui.hooks.verdict import Verdict, verdict
from codex_tui.policy import AuditLog, AuditRecord

__all__ = ["HOOK_CONTEXT", "AgentHooks"]

# History items carrying hook output start with this (not the person's words).
HOOK_CONTEXT = "<hook_context>"
MAX_STOP_CONTINUATIONS = 3


class AgentHooks:
    def __init__(
        self,
        hooks: list[Hook],
        cwd: Path,
        session_id: str,
        emit: Callable[[ev.Event], None],
        transcript_path: Callable[[], Path | None] = lambda: None,
        audit: AuditLog | None = None,
    ) -> None:
        self.hooks = hooks
        self.cwd = cwd
        self.session_id = session_id
        self.emit = emit
        self.transcript_path = transcript_path
        self.audit = audit
        self._background: set[asyncio.Task[Verdict]] = set()

    def has(self, event: str) -> bool:
        return any(h.event == event for h in self.hooks)

    def payload(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        path = self.transcript_path()
        return {
            "session_id": self.session_id,
            "transcript_path": str(path) if path else None,
            "cwd": str(self.cwd),
            "hook_event_name": event,
            **fields,
        }

    async def fire(
        self, event: str, subject: str | None = None, *, call_id: str = "", **fields: Any
    ) -> Verdict:
        chosen = matching(self.hooks, event, subject)
        if not chosen:
            return Verdict()
        runs = await run_hooks(chosen, self.payload(event, fields), self.cwd)
        result = verdict(event, runs)
        for note in result.notes:
            self.emit(
                ev.HookNoted(
                    event=event, label=note.label, kind=note.kind, text=note.text, call_id=call_id
                )
            )
            if self.audit is not None and note.kind != "context":
                record = AuditRecord(
                    self.session_id,
                    f"hook:{event}",
                    {"hook": note.label, "call_id": call_id, "text": note.text},
                    f"hook-{note.kind}",
                )
                await asyncio.to_thread(self.audit.append, record)
        return result

    def fire_and_forget(self, event: str, subject: str | None = None, **fields: Any) -> None:
        """For events whose verdict nothing waits on (Notification)."""
        if not self.has(event):
            return
        task = asyncio.create_task(self.fire(event, subject, **fields))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


def context_message(texts: list[str], event: str) -> str:
    body = "\n\n".join(texts)
    return f"{HOOK_CONTEXT}\nFrom the person's {event} hook:\n{body}\n</hook_context>"


async def prompt_verdict(hooks: AgentHooks | None, prompt: str) -> tuple[str | None, list[str]]:
    """UserPromptSubmit: (why the prompt is not sent, or None; context for the model)."""
    if hooks is None:
        return None, []
    seen = await hooks.fire("UserPromptSubmit", prompt=prompt)
    if seen.block or seen.stop:
        return seen.reason or seen.stop_reason, []
    return None, ([context_message(seen.context, "UserPromptSubmit")] if seen.context else [])


async def stop_verdict(hooks: AgentHooks | None, continued: int) -> str | None:
    """Stop: the instruction to go on with, when a hook blocks the stop (at most
    MAX_STOP_CONTINUATIONS times a turn; `stop_hook_active` tells the hook)."""
    if hooks is None or continued >= MAX_STOP_CONTINUATIONS or not hooks.has("Stop"):
        return None
    seen = await hooks.fire("Stop", stop_hook_active=continued > 0)
    if seen.block and not seen.stop:
        return context_message([seen.reason], "Stop")
    return None
