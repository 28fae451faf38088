"""Typed events the agent emits and the decisions it awaits: the only things that
cross between the agent and its front ends (the TUI, `exec`, later ACP).

Every event is a frozen, keyword-only dataclass: consumers match on attributes
(`case ev.ExecEnd(exit_code=code)`), never on field order, so a field can be
added without breaking anyone. Statuses are `Literal`s a type checker follows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # annotations only: reading a session imports none of these
    from codex_tui.config.schema import ApprovalPolicy, ReasoningEffort, SandboxMode
    from codex_tui.images.store import Attachment
    from codex_tui.patch import PatchPlan
    from codex_tui.policy import Mode
    from codex_tui.tools.plan import PlanStep

ExecStatus = Literal[
    "completed", "failed", "declined", "refused", "aborted", "timed_out", "background"
]
PatchStatus = Literal["completed", "failed", "declined", "refused", "aborted"]
ChangeKind = Literal["add", "delete", "update", "move"]
FlagKind = Literal["path", "dangerous", "secret"]
FlagSource = Literal["message", "command", "patch"]
# Why an answer stopped while it streamed: the turn was interrupted, the request
# failed for good, or the connection dropped and the request is being retried.
CutOffReason = Literal["interrupted", "failed", "dropped"]


@dataclass(frozen=True, kw_only=True, slots=True)
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
            input_tokens=self.input_tokens + other.input_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ChangedFile:
    """One file a patch touches, as events report it (the full change model with
    hunks is `codex_tui.patch.FileChange`)."""

    path: str
    kind: ChangeKind
    added: int = 0
    removed: int = 0
    move_path: str | None = None


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """Base class of everything the agent emits."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionConfigured(Event):
    session_id: str
    model: str
    provider: str
    cwd: Path
    approval_policy: ApprovalPolicy
    sandbox_mode: SandboxMode
    # False: no mechanism enforces the sandbox here (every command asks).
    sandbox_enforced: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class SettingsChanged(Event):
    """`Agent.override` took effect: the values the next request uses."""

    model: str
    approval_policy: ApprovalPolicy
    sandbox_mode: SandboxMode
    sandbox_enforced: bool
    reasoning_effort: ReasoningEffort | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ModeChanged(Event):
    """The working mode changed (shift+tab, /mode): default, auto-edit or plan."""

    mode: Mode


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnStarted(Event):
    turn_id: str
    user_input: str
    # Images sent with the message (kept under $CODEX_TUI_HOME/attachments).
    images: tuple[Attachment, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class UserMessage(Event):
    """A message from the person, as a session file holds it (replayed
    transcripts; a live turn says it with TurnStarted)."""

    text: str
    images: tuple[Attachment, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentMessageDelta(Event):
    item_id: str
    delta: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentMessage(Event):
    item_id: str
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentMessageCutOff(Event):
    """The part of an answer that had streamed (deltas under `item_id`) when its
    stream stopped before the message was complete. It is what the person saw;
    the model's history does not hold it. A retried request streams its answer
    again under a new item id."""

    item_id: str
    text: str
    reason: CutOffReason


@dataclass(frozen=True, kw_only=True, slots=True)
class ReasoningDelta(Event):
    item_id: str
    delta: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Reasoning(Event):
    item_id: str
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecBegin(Event):
    call_id: str
    command: tuple[str, ...]
    cwd: Path
    sandboxed: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecOutput(Event):
    call_id: str
    chunk: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecEnd(Event):
    call_id: str
    command: tuple[str, ...]
    exit_code: int | None
    output: str
    duration_s: float
    # failed: a non-zero exit; declined: by the person; refused: by the policy.
    status: ExecStatus
    # Declined: what the person told the model in the approval dialog ("" for nothing).
    feedback: str = ""
    # status "background": the background terminal it goes on in (exec_command).
    terminal: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PatchBegin(Event):
    call_id: str
    changes: tuple[ChangedFile, ...]
    diff: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PatchEnd(Event):
    call_id: str
    changes: tuple[ChangedFile, ...]
    success: bool
    output: str
    status: PatchStatus
    # Declined: what the person told the model in the approval dialog ("" for nothing).
    feedback: str = ""


McpStatus = Literal["completed", "failed", "declined", "refused", "aborted"]


@dataclass(frozen=True, kw_only=True, slots=True)
class McpToolCallBegin(Event):
    """A call to a tool of an MCP server is about to be made (after any approval)."""

    call_id: str
    server: str
    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class McpToolCallEnd(Event):
    """An MCP tool call ended; `result` is what the model got back."""

    call_id: str
    server: str
    tool: str
    arguments: dict[str, Any]
    result: str
    status: McpStatus
    duration_s: float = 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolCallEnd(Event):
    """A read-only tool (read_file, search_files, git_*) finished."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    output: str
    success: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class WebSearchEnd(Event):
    """The model server searched the web (its hosted `web_search` tool)."""

    call_id: str
    query: str
    sources: tuple[str, ...]
    status: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolImages(Event):
    """Images a tool gave the model to look at (view_image, an MCP tool's result):
    they go with the next request, and the transcript shows them."""

    call_id: str
    tool: str
    images: tuple[Attachment, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanUpdated(Event):
    """The model's checklist (`update_plan`), not a patch plan."""

    explanation: str | None
    plan: tuple[PlanStep, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class TokenCount(Event):
    total: TokenUsage
    last: TokenUsage
    context_window: int | None
    # The server reports no usage: the counts are our estimate (about four
    # characters a token), good for the context meter, not for billing.
    estimated: bool = False

    @property
    def percent_left(self) -> int | None:
        if not self.context_window:
            return None
        used = self.last.input_tokens + self.last.output_tokens
        return max(0, min(100, round(100 * (1 - used / self.context_window))))


@dataclass(frozen=True, kw_only=True, slots=True)
class StreamRetry(Event):
    """The model request failed and is being retried ("Reconnecting 2/5 …")."""

    attempt: int
    max_attempts: int
    delay_s: float
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class WarningEvent(Event):
    """Something the person should know that does not stop the turn."""

    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Error(Event):
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CompactionStarted(Event):
    """A compaction the person asked for (`/compact`) is running."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Compacted(Event):
    summary: str
    automatic: bool
    # The context before (the summary request's input, as the server counted it)
    # and after (estimated from the new history: about four characters a token of
    # what the next request sends); 0 when unknown (older session files).
    tokens_before: int = 0
    tokens_after: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class CompactionFailed(Event):
    """A compaction the person asked for failed, or was interrupted; the history
    is unchanged."""

    message: str
    interrupted: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class ResponseStored(Event):
    """The server kept a completed response (`conversation_state: server`); the
    next request can continue from it with `previous_response_id`."""

    response_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Flag:
    """One concern the response checker has about what the model said or proposed."""

    kind: FlagKind
    # One line for the person, e.g. "src/cache.py does not exist in the workspace".
    message: str
    # A message the person can send back to the model with one key.
    correction: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ResponseFlagged(Event):
    """The checker's flags on one assistant message (item_id) or one proposed
    command or patch (call_id). Informational: the turn goes on."""

    item_id: str
    flags: tuple[Flag, ...]
    # What item_id names.
    source: FlagSource = "message"

    @property
    def correction(self) -> str:
        """The message to send the model when the person asks for a correction."""
        return "\n\n".join(dict.fromkeys(f.correction for f in self.flags))


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnComplete(Event):
    turn_id: str
    last_message: str | None
    usage: TokenUsage
    duration_s: float
    # An estimate in US dollars, when the model's price is known.
    cost_usd: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnAborted(Event):
    turn_id: str
    reason: str
    duration_s: float


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnFailed(Event):
    turn_id: str
    message: str
    duration_s: float


SnapshotPhase = Literal["start", "end"]
UndoDirection = Literal["undo", "redo"]


@dataclass(frozen=True, kw_only=True, slots=True)
class SnapshotRoot:
    """One root's snapshot: a commit in `git_dir` (the repository's or our own)."""

    root: Path
    commit: str
    git_dir: Path


@dataclass(frozen=True, kw_only=True, slots=True)
class SnapshotTaken(Event):
    """The workspace as it was before a turn's first write ("start") or after the
    turn ("end"); what `/undo` restores from. Recorded in the session file."""

    turn_id: str
    phase: SnapshotPhase
    roots: tuple[SnapshotRoot, ...]
    not_covered: tuple[str, ...] = ()
    duration_s: float = 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class SnapshotFailed(Event):
    """A snapshot could not be taken; the turn went on, and cannot be undone."""

    turn_id: str
    phase: SnapshotPhase
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class UndoApplied(Event):
    """A turn's changes were undone (or an undo redone): what was put back."""

    turn_id: str
    direction: UndoDirection
    restored: tuple[str, ...]
    failed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ThreadRolledBack(Event):
    """The person rewound the conversation: its last `num_turns` requests, and all
    that followed them, are gone from the model's history (the files are not
    touched: undo does that)."""

    num_turns: int


HookNoteKind = Literal["blocked", "denied", "allowed", "asked", "stopped", "context", "warning"]


@dataclass(frozen=True, kw_only=True, slots=True)
class HookNoted(Event):
    """What one of the person's hooks decided (or why it failed), for the
    transcript, the session file, `exec --json` and the audit log."""

    event: str  # the hook event: PreToolUse, Stop, …
    label: str  # the hook's script or program
    kind: HookNoteKind
    text: str
    call_id: str = ""  # the tool call it was about, if any


TerminalState = Literal["running", "exited", "killed"]


@dataclass(frozen=True, kw_only=True, slots=True)
class TerminalChanged(Event):
    """A background terminal started, or ended (exited, or was killed)."""

    session_id: int
    command: tuple[str, ...]
    pid: int
    state: TerminalState
    exit_code: int | None = None
    last_line: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueChanged(Event):
    """Messages waiting for the running turn to end (`Agent.enqueue`)."""

    queued: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Idle(Event):
    """The agent has nothing left to do: no turn runs and nothing is queued."""


# --- approvals ----------------------------------------------------------------------


class ReviewDecision(enum.Enum):
    """The person's answer to an approval request (the policy's own verdict is
    `codex_tui.policy.Decision`)."""

    APPROVE = "approve"
    APPROVE_SESSION = "approve_session"
    DENY = "deny"
    ABORT = "abort"


@dataclass(frozen=True, kw_only=True, slots=True)
class ApprovalDecision:
    decision: ReviewDecision
    feedback: str = ""
    # For patches: the (file index, hunk index) pairs the person kept; None = all.
    hunks: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CommandApprovalRequest:
    call_id: str
    command: tuple[str, ...]
    cwd: Path
    reason: str
    justification: str | None = None
    # The prefix "approve for session" would remember, e.g. ("git", "commit").
    session_prefix: tuple[str, ...] = ()
    retry_without_sandbox: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class PatchApprovalRequest:
    call_id: str
    changes: tuple[ChangedFile, ...]
    reason: str
    # The computed patch, for rendering and per-hunk selection.
    patch: PatchPlan | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class McpToolApprovalRequest:
    call_id: str
    server: str
    tool: str
    arguments: dict[str, Any]
    reason: str
    description: str = ""


ApprovalRequest = CommandApprovalRequest | PatchApprovalRequest | McpToolApprovalRequest
