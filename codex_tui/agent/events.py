"""Typed events the agent emits and the decisions it awaits: the only things that
cross between the agent and its front ends (the TUI and `exec`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codex_tui.tools.plan import PlanStep


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
        )


@dataclass(frozen=True)
class FileChange:
    """One file a patch touches: kind is add, delete, update or move."""

    path: str
    kind: Literal["add", "delete", "update", "move"]
    added: int = 0
    removed: int = 0
    move_path: str | None = None


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Base class of everything the agent emits."""


@dataclass(frozen=True)
class SessionConfigured(Event):
    session_id: str
    model: str
    provider: str
    cwd: Path
    approval_policy: str
    sandbox_mode: str
    sandbox_mechanism: str


@dataclass(frozen=True)
class TurnStarted(Event):
    turn_id: str
    user_input: str


@dataclass(frozen=True)
class UserMessage(Event):
    """A message from the person (also a queued one, when it is delivered)."""

    text: str


@dataclass(frozen=True)
class AgentMessageDelta(Event):
    item_id: str
    delta: str


@dataclass(frozen=True)
class AgentMessage(Event):
    item_id: str
    text: str


@dataclass(frozen=True)
class ReasoningDelta(Event):
    item_id: str
    delta: str


@dataclass(frozen=True)
class Reasoning(Event):
    item_id: str
    text: str


@dataclass(frozen=True)
class ExecBegin(Event):
    call_id: str
    command: tuple[str, ...]
    cwd: Path
    sandboxed: bool


@dataclass(frozen=True)
class ExecOutput(Event):
    call_id: str
    chunk: str


@dataclass(frozen=True)
class ExecEnd(Event):
    call_id: str
    command: tuple[str, ...]
    exit_code: int | None
    output: str
    duration_s: float
    # completed | failed (non-zero exit) | declined | refused | aborted | timed_out
    status: str


@dataclass(frozen=True)
class PatchBegin(Event):
    call_id: str
    changes: tuple[FileChange, ...]
    diff: str


@dataclass(frozen=True)
class PatchEnd(Event):
    call_id: str
    changes: tuple[FileChange, ...]
    success: bool
    output: str
    status: str  # completed | failed | declined | refused | aborted


@dataclass(frozen=True)
class ToolCallEnd(Event):
    """A read-only tool (read_file, search_files, git_*) finished."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    output: str
    success: bool


@dataclass(frozen=True)
class PlanUpdated(Event):
    explanation: str | None
    plan: tuple[PlanStep, ...]


@dataclass(frozen=True)
class TokenCount(Event):
    total: TokenUsage
    last: TokenUsage
    context_window: int | None

    @property
    def percent_left(self) -> int | None:
        if not self.context_window:
            return None
        used = self.last.input_tokens + self.last.output_tokens
        return max(0, min(100, round(100 * (1 - used / self.context_window))))


@dataclass(frozen=True)
class StreamRetry(Event):
    """The model request failed and is being retried ("Reconnecting 2/5 …")."""

    attempt: int
    max_attempts: int
    delay_s: float
    reason: str


@dataclass(frozen=True)
class WarningEvent(Event):
    """Something the person should know that does not stop the turn."""

    message: str


@dataclass(frozen=True)
class Error(Event):
    message: str


@dataclass(frozen=True)
class Compacted(Event):
    summary: str
    automatic: bool


@dataclass(frozen=True)
class ResponseStored(Event):
    """The server kept a completed response (`conversation_state: server`); the
    next request can continue from it with `previous_response_id`."""

    response_id: str


FlagKind = Literal["path", "dangerous", "secret"]


@dataclass(frozen=True)
class Flag:
    """One concern the response checker has about what the model said or proposed."""

    kind: FlagKind
    # One line for the person, e.g. "src/cache.py does not exist in the workspace".
    message: str
    # A message the person can send back to the model with one key.
    correction: str


@dataclass(frozen=True)
class ResponseFlagged(Event):
    """The checker's flags on one assistant message (item_id) or one proposed
    command or patch (call_id). Informational: the turn goes on."""

    item_id: str
    flags: tuple[Flag, ...]
    # message | command | patch: what item_id names.
    source: Literal["message", "command", "patch"] = "message"

    @property
    def correction(self) -> str:
        """The message to send the model when the person asks for a correction."""
        return "\n\n".join(dict.fromkeys(f.correction for f in self.flags))


@dataclass(frozen=True)
class TurnComplete(Event):
    turn_id: str
    last_message: str | None
    usage: TokenUsage
    duration_s: float


@dataclass(frozen=True)
class TurnAborted(Event):
    turn_id: str
    reason: str
    duration_s: float


@dataclass(frozen=True)
class TurnFailed(Event):
    turn_id: str
    message: str
    duration_s: float


# --- approvals ----------------------------------------------------------------------


class Decision(enum.Enum):
    APPROVE = "approve"
    APPROVE_SESSION = "approve_session"
    DENY = "deny"
    ABORT = "abort"


@dataclass(frozen=True)
class ApprovalDecision:
    decision: Decision
    feedback: str = ""
    # For patches: the (file index, hunk index) pairs the person kept; None = all.
    hunks: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class CommandApprovalRequest:
    call_id: str
    command: tuple[str, ...]
    cwd: Path
    reason: str
    justification: str | None = None
    # The prefix "approve for session" would remember, e.g. ("git", "commit").
    session_prefix: tuple[str, ...] = ()
    retry_without_sandbox: bool = False


@dataclass(frozen=True)
class PatchApprovalRequest:
    call_id: str
    changes: tuple[FileChange, ...]
    reason: str
    # The change model (codex_tui.patch) for rendering and per-hunk selection.
    plan: Any = field(default=None, compare=False)


ApprovalRequest = CommandApprovalRequest | PatchApprovalRequest
