"""Agent events as `codex exec --json` events: one JSON object per line.

Shapes follow Codex CLI's exec protocol (thread/turn/item events with
agent_message, reasoning, command_execution, file_change, todo_list and error
items) so tools written for it read ours.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import Any

from codex_tui.agent import events as ev


class JsonEventWriter:
    """Turns agent events into exec JSON lines, written through `write`."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self._next = 0
        self._commands: dict[str, str] = {}  # call_id -> item id
        self._todo_id: str | None = None
        self._todo_items: list[dict[str, Any]] = []
        # Background terminals whose command item is still in progress.
        self._terminals: dict[int, tuple[str, tuple[str, ...]]] = {}

    def _id(self) -> str:
        item_id = f"item_{self._next}"
        self._next += 1
        return item_id

    def _emit(self, kind: str, **fields: Any) -> None:
        self.write(json.dumps({"type": kind, **fields}, ensure_ascii=False) + "\n")

    def _item(self, kind: str, item: dict[str, Any]) -> None:
        self._emit(kind, item=item)

    def thread_started(self, thread_id: str) -> None:
        self._emit("thread.started", thread_id=thread_id)

    def __call__(self, event: ev.Event) -> None:
        match event:
            case ev.SessionConfigured(session_id=session_id):
                self.thread_started(session_id)
            case ev.TurnStarted(user_input=text, images=images):
                self._emit("turn.started")
                if images:  # the attachments echoed (a text-only turn adds no item)
                    item: dict[str, Any] = {"id": self._id(), "type": "user_message"}
                    item["text"] = text
                    item["images"] = [
                        {
                            "name": i.name,
                            "path": str(i.path),
                            "mime": i.mime,
                            "width": i.width,
                            "height": i.height,
                            "bytes": i.size,
                        }
                        for i in images
                    ]
                    self._item("item.completed", item)
            case ev.WebSearchEnd(query=query, sources=sources, status=status):
                item = {"id": self._id(), "type": "web_search", "query": query}
                self._item("item.completed", {**item, "sources": list(sources), "status": status})
            case ev.AgentMessage(text=text):
                self._item(
                    "item.completed", {"id": self._id(), "type": "agent_message", "text": text}
                )
            case ev.Reasoning(text=text):
                self._item("item.completed", {"id": self._id(), "type": "reasoning", "text": text})
            case ev.ExecBegin(call_id=call_id, command=command):
                item_id = self._commands[call_id] = self._id()
                self._item("item.started", command_item(item_id, command, "", None, "in_progress"))
            case ev.ExecEnd(
                call_id=call_id, command=command, exit_code=exit_code, output=output, status=status
            ):
                item_id = self._commands.pop(call_id, "") or self._id()
                if status == "background" and event.terminal is not None:
                    # Still running: completed when its terminal ends (TerminalChanged).
                    self._terminals[event.terminal] = (item_id, command)
                    item = command_item(item_id, command, output, None, "in_progress")
                    self._item("item.updated", {**item, "session_id": event.terminal})
                    return
                shown = {"completed": "completed", "declined": "declined"}.get(status, "failed")
                if status == "completed" and exit_code not in (0, None):
                    shown = "failed"
                self._item(
                    "item.completed", command_item(item_id, command, output, exit_code, shown)
                )
            case ev.TerminalChanged(session_id=session, state=state) if state != "running":
                item_id, command = self._terminals.pop(session, (self._id(), event.command))
                shown = "completed" if event.exit_code == 0 else "failed"
                item = command_item(item_id, command, event.last_line, event.exit_code, shown)
                self._item("item.completed", {**item, "session_id": session})
            case ev.PatchEnd(changes=changes, success=success):
                item = {
                    "id": self._id(),
                    "type": "file_change",
                    "changes": [{"path": c.path, "kind": change_kind(c)} for c in changes],
                    "status": "completed" if success else "failed",
                }
                self._item("item.completed", item)
            case ev.PlanUpdated(plan=plan):
                self._todo_items = [
                    {"text": s.step, "completed": s.status == "completed"} for s in plan
                ]
                if self._todo_id is None:
                    self._todo_id = self._id()
                    kind = "item.started"
                else:
                    kind = "item.updated"
                self._item(
                    kind, {"id": self._todo_id, "type": "todo_list", "items": self._todo_items}
                )
            case ev.McpToolCallBegin(call_id=call_id, server=server, tool=tool, arguments=args):
                item_id = self._commands[call_id] = self._id()
                self._item("item.started", mcp_item(item_id, server, tool, args, "in_progress"))
            case ev.McpToolCallEnd() as end:
                item_id = self._commands.pop(end.call_id, "") or self._id()
                status = "completed" if end.status == "completed" else "failed"
                call = mcp_item(item_id, end.server, end.tool, end.arguments, status)
                if end.status == "completed":
                    call["result"] = {"content": [{"type": "text", "text": end.result}]}
                else:
                    call["error"] = {"message": end.result}
                self._item("item.completed", call)
            case ev.HookNoted() as noted:
                hook = {
                    "id": self._id(),
                    "type": "hook",
                    "event": noted.event,
                    "hook": noted.label,
                    "decision": noted.kind,
                    "message": noted.text,
                }
                if noted.call_id:
                    hook["call_id"] = noted.call_id
                self._item("item.completed", hook)
            case ev.SnapshotTaken(turn_id=turn_id, phase=phase, roots=roots, not_covered=nc):
                # Ours, not Codex CLI's: a script can roll back with `git` or `codex-tui undo`.
                snapshot = {
                    "id": self._id(),
                    "type": "snapshot",
                    "turn_id": turn_id,
                    "phase": phase,
                    "roots": [
                        {"root": str(r.root), "commit": r.commit, "git_dir": str(r.git_dir)}
                        for r in roots
                    ],
                    "not_covered": list(nc),
                }
                self._item("item.completed", snapshot)
            case ev.SnapshotFailed(phase=phase, message=message):
                what = "before the turn" if phase == "start" else "after the turn"
                text = f"no snapshot {what} (undo cannot restore this turn): {message}"
                self._item("item.completed", {"id": self._id(), "type": "error", "message": text})
            case ev.WarningEvent(message=message) | ev.Error(message=message):
                self._item(
                    "item.completed", {"id": self._id(), "type": "error", "message": message}
                )
            case ev.StreamRetry(attempt=attempt, max_attempts=limit, delay_s=delay, reason=reason):
                text = f"Reconnecting {attempt}/{limit} in {delay:.1f}s: {reason}"
                self._item("item.completed", {"id": self._id(), "type": "error", "message": text})
            case ev.ResponseFlagged(flags=flags, source=source):
                # One error item per flag: tools built for `codex exec --json` know
                # error items; the message says what was flagged and where.
                for flag in flags:
                    text = flag_line(flag, source)
                    self._item(
                        "item.completed", {"id": self._id(), "type": "error", "message": text}
                    )
            case ev.TurnComplete(usage=usage):
                self._finish_todo()
                self._emit("turn.completed", usage=usage_json(usage))
            case ev.TurnFailed(message=message):
                self._finish_todo()
                self._emit("turn.failed", error={"message": message})
            case ev.TurnAborted(reason=reason):
                self._finish_todo()
                self._emit("turn.failed", error={"message": f"turn aborted: {reason}"})

    def _finish_todo(self) -> None:
        if self._todo_id is not None:
            item = {"id": self._todo_id, "type": "todo_list", "items": self._todo_items}
            self._item("item.completed", item)
            self._todo_id = None


FLAG_LABELS = {"path": "missing path", "dangerous": "dangerous", "secret": "secret"}
SOURCE_NOUNS = {"message": "reply", "command": "command", "patch": "patch"}


def flag_line(flag: ev.Flag, source: str) -> str:
    """One line for a checker flag, e.g. "flag on the reply (missing path): …"."""
    label = FLAG_LABELS.get(flag.kind, flag.kind)
    return f"flag on the {SOURCE_NOUNS.get(source, source)} ({label}): {flag.message}"


def command_item(
    item_id: str, command: tuple[str, ...], output: str, exit_code: int | None, status: str
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "command_execution",
        "command": shlex.join(command),
        "aggregated_output": output,
        "exit_code": exit_code,
        "status": status,
    }


def mcp_item(
    item_id: str, server: str, tool: str, arguments: dict[str, Any], status: str
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "mcp_tool_call",
        "server": server,
        "tool": tool,
        "arguments": arguments,
        "status": status,
    }


def change_kind(change: ev.ChangedFile) -> str:
    return {"add": "add", "delete": "delete"}.get(change.kind, "update")


def usage_json(usage: ev.TokenUsage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "cached_input_tokens": usage.cached_input_tokens,
        "output_tokens": usage.output_tokens,
    }
