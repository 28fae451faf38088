"""Agent events as ACP `session/update`s: message and thought chunks, tool calls
(started, updated, ended), plan entries and context usage. One translator per
session keeps what the client has been told (which tool calls it knows, which
messages it saw streamed), so live turns and replayed sessions read alike."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from acp import text_block
from acp.schema import (
    AgentMessageChunk,
    AgentPlanUpdate,
    AgentThoughtChunk,
    ConfigOptionUpdate,
    CurrentModeUpdate,
    PlanEntry,
    ToolCallLocation,
    ToolCallProgress,
    ToolCallStart,
    ToolCallStatus,
    ToolCallUpdate,
    ToolKind,
    UsageUpdate,
    UserMessageChunk,
)

from codex_tui.acp.tool_content import (
    Content,
    code_block,
    command_title,
    diff_text_diffs,
    note,
    patch_locations,
    patch_title,
    plan_diffs,
    terminal_content,
    tool_kind,
    tool_locations,
    tool_title,
)
from codex_tui.agent import events as ev

Update = (
    UserMessageChunk
    | AgentMessageChunk
    | AgentThoughtChunk
    | ToolCallStart
    | ToolCallProgress
    | AgentPlanUpdate
    | UsageUpdate
    | ConfigOptionUpdate
    | CurrentModeUpdate
)

# A running command's output is sent at most this often (each update carries
# all of it so far: the client replaces the content).
OUTPUT_EVERY_S = 0.25

FLAG_NOUNS = {"message": "reply", "command": "command", "patch": "patch"}


def exec_status(status: ev.ExecStatus, exit_code: int | None) -> ToolCallStatus:
    if status == "background":
        return "in_progress"
    return "completed" if status == "completed" and exit_code in (0, None) else "failed"


class Translator:
    """Turns one session's events into updates (`translate`), and approval
    requests into the tool call a permission request names (`permission`)."""

    def __init__(self, root: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self.clock = clock
        self._streamed: set[str] = set()  # answers whose deltas the client has
        self._thought: set[str] = set()  # the same for reasoning
        self._known: set[str] = set()  # tool calls the client has been told of
        self._output: dict[str, list[str]] = {}  # running commands' output so far
        self._sent_at: dict[str, float] = {}
        self._diffs: dict[str, list[Content]] = {}
        self._terminals: dict[int, str] = {}  # background terminal -> call id
        self._editor_terminals: dict[str, str] = {}  # call id -> the editor's terminal
        self._open: set[str] = set()  # tool calls the client sees as not finished
        self._notes = 0

    def translate(self, event: ev.Event, *, replay: bool = False) -> list[Update]:
        match event:
            case ev.UserMessage(text=text, images=images):
                shown = [text, *(f"[image: {i.label()}]" for i in images)]
                return [
                    UserMessageChunk(
                        session_update="user_message_chunk",
                        content=text_block("\n".join(filter(None, shown))),
                    )
                ]
            case ev.AgentMessageDelta(item_id=item, delta=delta):
                self._streamed.add(item)
                return [self._message(delta, item)]
            case ev.AgentMessage(item_id=item, text=text):
                if item in self._streamed:
                    self._streamed.discard(item)
                    return []
                return [self._message(text, item)]
            case ev.AgentMessageCutOff(item_id=item):
                self._streamed.discard(item)
                return []
            case ev.ReasoningDelta(item_id=item, delta=delta):
                self._thought.add(item)
                return [self._thinking(delta, item)]
            case ev.Reasoning(item_id=item, text=text):
                if item in self._thought:
                    self._thought.discard(item)
                    return []
                return [self._thinking(text, item)]
            case ev.ExecBegin() | ev.ExecOutput() | ev.ExecEnd() | ev.TerminalChanged():
                return self._command(event)
            case ev.PatchBegin() | ev.PatchEnd():
                return self._patch(event)
            case ev.ToolCallEnd(call_id=call, name=name, arguments=args, output=output):
                return [
                    self._call(
                        call,
                        title=tool_title(name, args),
                        kind=tool_kind(name),
                        status="completed" if event.success else "failed",
                        content=[code_block(output)],
                        raw_input=args,
                        locations=tool_locations(name, args, self.root),
                    )
                ]
            case ev.McpToolCallBegin(call_id=call, server=server, tool=tool, arguments=args):
                return [
                    self._call(
                        call,
                        title=f"{server}: {tool}",
                        kind=tool_kind(tool),
                        status="in_progress",
                        raw_input=args,
                    )
                ]
            case ev.McpToolCallEnd() as end:
                status: ToolCallStatus = "completed" if end.status == "completed" else "failed"
                return [
                    self._call(
                        end.call_id,
                        title=f"{end.server}: {end.tool}",
                        kind=tool_kind(end.tool),
                        status=status,
                        content=[note(end.result)] if end.result else None,
                        raw_input=end.arguments,
                        raw_output={"status": end.status},
                    )
                ]
            case ev.PlanUpdated(plan=plan):
                entries = [
                    PlanEntry(content=s.step, priority="medium", status=s.status) for s in plan
                ]
                return [AgentPlanUpdate(session_update="plan", entries=entries)]
            case ev.TokenCount(last=last, context_window=window) if window:
                used = max(0, last.input_tokens + last.output_tokens)
                return [UsageUpdate(session_update="usage_update", used=used, size=window)]
            case ev.WarningEvent(message=message) | ev.Error(message=message):
                return [self._note(f"⚠ {message}")]
            case ev.ResponseFlagged(flags=flags, source=source):
                noun = FLAG_NOUNS.get(source, source)
                return [self._note(f"⚑ on the {noun}: {f.message}") for f in flags]
            case ev.StreamRetry(attempt=n, max_attempts=limit, delay_s=delay, reason=reason):
                return [self._thinking(f"\nReconnecting {n}/{limit} in {delay:.1f}s: {reason}\n")]
            case ev.HookNoted(event=hook_event, label=label, kind=kind, text=text):
                return [self._thinking(f"\nHook {hook_event} ({label}) {kind}: {text}\n")]
            case ev.Compacted(automatic=automatic):
                how = "automatically " if automatic else ""
                return [self._thinking(f"\nThe conversation was {how}compacted.\n")]
            case ev.TurnComplete() | ev.TurnAborted() | ev.TurnFailed():
                return self._turn_end(event, replay)
        return []

    def _turn_end(self, event: ev.Event, replay: bool) -> list[Update]:
        """Calls a turn left unfinished (one waiting for an answer when the turn
        was cancelled) end as failed; a background terminal's call goes on."""
        running = set(self._terminals.values())
        updates: list[Update] = [
            self._call(call, status="failed") for call in sorted(self._open - running)
        ]
        match event:
            case ev.TurnFailed(message=message) if replay:
                updates.append(self._note(f"⚠ This turn failed: {message}"))
            case ev.TurnAborted(reason=reason) if replay:
                updates.append(self._note(f"This turn was stopped ({reason})."))
        return updates

    # --- approvals -------------------------------------------------------------------

    def editor_terminal(self, call_id: str, terminal_id: str) -> list[Update]:
        """A command running in the editor's terminal: the call shows it, live
        and after it ended, in place of our copy of its output."""
        self._editor_terminals[call_id] = terminal_id
        return [self._call(call_id, content=[terminal_content(terminal_id)])]

    def permission(self, request: ev.ApprovalRequest) -> tuple[list[Update], ToolCallUpdate]:
        """The updates that make the call known (with what the person must see),
        and the tool call for `session/request_permission`."""
        fields: dict[str, Any]
        match request:
            case ev.CommandApprovalRequest(command=argv, cwd=cwd) as asked:
                why = [f"Why: {asked.justification}"] if asked.justification else []
                why.append(f"It asks because {asked.reason}.")
                if asked.retry_without_sandbox:
                    why.append("Approving runs it outside the sandbox.")
                fields = {
                    "title": command_title(argv),
                    "kind": "execute",
                    "content": [note("\n\n".join(why))],
                    "raw_input": {"command": list(argv), "cwd": str(cwd)},
                }
            case ev.PatchApprovalRequest(changes=changes) as asked:
                diffs = plan_diffs(asked.patch) if asked.patch is not None else []
                diffs = diffs or self._diffs.get(asked.call_id, [])
                self._diffs[asked.call_id] = diffs
                fields = {
                    "title": patch_title(changes),
                    "kind": "edit",
                    "content": diffs,
                    "locations": patch_locations(changes, self.root),
                }
            case ev.McpToolApprovalRequest() as asked:
                text = "\n\n".join(
                    filter(None, [asked.description, f"It asks because {asked.reason}."])
                )
                fields = {
                    "title": f"{asked.server}: {asked.tool}",
                    "kind": tool_kind(asked.tool),
                    "content": [note(text)],
                    "raw_input": asked.arguments,
                }
        update = self._call(request.call_id, status="pending", **fields)
        tool_call = ToolCallUpdate(tool_call_id=request.call_id, status="pending", **fields)
        return [update], tool_call

    # --- pieces ----------------------------------------------------------------------

    def _command(self, event: ev.Event) -> list[Update]:
        match event:
            case ev.ExecBegin(call_id=call, command=argv, cwd=cwd):
                self._output[call] = []
                self._sent_at[call] = self.clock()
                return [
                    self._call(
                        call,
                        title=command_title(argv),
                        kind="execute",
                        status="in_progress",
                        raw_input={"command": list(argv), "cwd": str(cwd)},
                    )
                ]
            case ev.ExecOutput(call_id=call, chunk=chunk) if call in self._output:
                self._output[call].append(chunk)
                if self.clock() - self._sent_at.get(call, 0.0) < OUTPUT_EVERY_S:
                    return []
                self._sent_at[call] = self.clock()
                return [self._call(call, content=[code_block("".join(self._output[call]))])]
            case ev.ExecEnd(call_id=call, command=argv, exit_code=code, status=status) as end:
                self._output.pop(call, None)
                self._sent_at.pop(call, None)
                if status == "background" and end.terminal is not None:
                    self._terminals[end.terminal] = call
                content: list[Content] = [code_block(end.output)] if end.output else []
                if call in self._editor_terminals:
                    content = [terminal_content(self._editor_terminals.pop(call))]
                if status == "declined":
                    content = [note("Declined." + (f" {end.feedback}" if end.feedback else ""))]
                elif status == "refused":
                    content = [note(f"Refused by the policy: {end.output}")]
                return [
                    self._call(
                        call,
                        title=command_title(argv),
                        kind="execute",
                        status=exec_status(status, code),
                        content=content,
                        raw_output={"exit_code": code, "status": status},
                    )
                ]
            case ev.TerminalChanged(session_id=terminal, state=state) if state != "running":
                call = self._terminals.pop(terminal, "")
                if not call:
                    return []
                done: ToolCallStatus = "completed" if event.exit_code == 0 else "failed"
                return [
                    self._call(
                        call,
                        status=done,
                        raw_output={"exit_code": event.exit_code, "status": state},
                    )
                ]
        return []

    def _patch(self, event: ev.Event) -> list[Update]:
        match event:
            case ev.PatchBegin(call_id=call, changes=changes, diff=diff):
                self._diffs[call] = diff_text_diffs(diff, self.root)
                return [
                    self._call(
                        call,
                        title=patch_title(changes),
                        kind="edit",
                        status="pending",
                        content=self._diffs[call],
                        locations=patch_locations(changes, self.root),
                    )
                ]
            case ev.PatchEnd(call_id=call, changes=changes, status=status, output=output) as end:
                diffs = self._diffs.pop(call, [])
                content: list[Content] | None = None
                if status != "completed" or not diffs:
                    words = {"declined": "Declined.", "refused": f"Refused by the policy: {output}"}
                    text = words.get(status, output)
                    if status == "declined" and end.feedback:
                        text += f" {end.feedback}"
                    content = [*diffs, note(text)] if text else diffs
                return [
                    self._call(
                        call,
                        title=patch_title(changes),
                        kind="edit",
                        status="completed" if end.success else "failed",
                        content=content,
                        locations=patch_locations(changes, self.root),
                        raw_output={"status": status},
                    )
                ]
        return []

    def _call(
        self,
        call_id: str,
        *,
        title: str | None = None,
        kind: ToolKind | None = None,
        status: ToolCallStatus | None = None,
        content: Sequence[Content] | None = None,
        locations: list[ToolCallLocation] | None = None,
        raw_input: Any = None,
        raw_output: Any = None,
    ) -> ToolCallStart | ToolCallProgress:
        """A `tool_call` the first time the client hears of `call_id`, then
        `tool_call_update`s (which change only the fields they carry)."""
        if status in ("completed", "failed"):
            self._open.discard(call_id)
        elif status is not None:
            self._open.add(call_id)
        fields: dict[str, Any] = {
            "kind": kind,
            "status": status,
            "content": None if content is None else list(content),
            "locations": locations,
            "raw_input": raw_input,
            "raw_output": raw_output,
        }
        if call_id in self._known:
            return ToolCallProgress(
                session_update="tool_call_update", tool_call_id=call_id, title=title, **fields
            )
        self._known.add(call_id)
        return ToolCallStart(
            session_update="tool_call", tool_call_id=call_id, title=title or call_id, **fields
        )

    def _message(self, text: str, item: str | None = None) -> AgentMessageChunk:
        return AgentMessageChunk(
            session_update="agent_message_chunk", content=text_block(text), message_id=item
        )

    def _thinking(self, text: str, item: str | None = None) -> AgentThoughtChunk:
        return AgentThoughtChunk(
            session_update="agent_thought_chunk", content=text_block(text), message_id=item
        )

    def _note(self, text: str) -> AgentMessageChunk:
        """A line of ours between the model's messages, as a message of its own."""
        self._notes += 1
        return self._message(f"\n\n{text}\n\n", f"codex-tui-note-{self._notes}")
