"""What every `session/update` a client receives must look like."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from acp.schema import (
    AgentMessageChunk,
    AgentPlanUpdate,
    AgentThoughtChunk,
    ConfigOptionUpdate,
    ContentToolCallContent,
    FileEditToolCallContent,
    SessionNotification,
    TerminalToolCallContent,
    TextContentBlock,
    ToolCallProgress,
    ToolCallStart,
    ToolCallStatus,
    ToolKind,
    UsageUpdate,
    UserMessageChunk,
)

KINDS = set(get_args(ToolKind))
STATUSES = set(get_args(ToolCallStatus))
EXPECTED = (
    UserMessageChunk,
    AgentMessageChunk,
    AgentThoughtChunk,
    ToolCallStart,
    ToolCallProgress,
    AgentPlanUpdate,
    UsageUpdate,
    ConfigOptionUpdate,
)


def check_updates(updates: list[tuple[str, Any]], session_id: str) -> None:
    """Each update is one we send, well formed, on the wire and back; a tool
    call is started once and only then updated; paths are absolute."""
    started: set[str] = set()
    for sid, update in updates:
        assert sid == session_id
        assert isinstance(update, EXPECTED), update
        wire = SessionNotification(session_id=sid, update=update).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        assert SessionNotification.model_validate(wire).update == update
        match update:
            case AgentMessageChunk() | AgentThoughtChunk() | UserMessageChunk():
                assert isinstance(update.content, TextContentBlock)
            case ToolCallStart():
                assert update.tool_call_id not in started, "a tool call started twice"
                started.add(update.tool_call_id)
                assert update.title and update.kind in KINDS and update.status in STATUSES
                check_contents(update.content)
            case ToolCallProgress():
                assert update.tool_call_id in started, "an update for an unknown tool call"
                assert update.status is None or update.status in STATUSES
                check_contents(update.content)
            case AgentPlanUpdate():
                assert update.entries
                for entry in update.entries:
                    assert entry.content and entry.status in ("pending", "in_progress", "completed")
            case UsageUpdate():
                assert update.used >= 0 and update.size > 0


def check_contents(contents: list[Any] | None) -> None:
    for item in contents or []:
        assert isinstance(
            item, (ContentToolCallContent, FileEditToolCallContent, TerminalToolCallContent)
        ), item
        if isinstance(item, TerminalToolCallContent):
            assert item.terminal_id
        if isinstance(item, FileEditToolCallContent):
            assert Path(item.path).is_absolute()
