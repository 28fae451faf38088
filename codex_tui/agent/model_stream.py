"""What a model request is and what its stream yields, independent of the wire."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codex_tui.agent.events import StreamRetry, TokenUsage
from codex_tui.agent.items import HistoryItem


@dataclass
class ModelRequest:
    """One sampling request: everything the model sees."""

    model: str
    instructions: str
    input: list[HistoryItem]
    tools: list[dict[str, Any]] = field(default_factory=list)
    reasoning_effort: str | None = None
    max_output_tokens: int | None = None
    store: bool = False
    previous_response_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class TextDelta:
    item_id: str
    delta: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ReasoningTextDelta:
    item_id: str
    delta: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemDone:
    """A finished output item, in the Responses API's item shape (also for chat)."""

    item: HistoryItem


@dataclass(frozen=True, kw_only=True, slots=True)
class Completed:
    response_id: str | None
    usage: TokenUsage
    # Set when the server stopped early (max_output_tokens, content_filter).
    incomplete_reason: str | None = None


# A failed request about to be tried again: the person sees this very event.
Retrying = StreamRetry

StreamEvent = TextDelta | ReasoningTextDelta | ItemDone | Completed | Retrying


class ModelError(Exception):
    """A request that failed for good; `kind` says what the agent can do about it."""

    def __init__(self, message: str, kind: str = "fatal") -> None:
        super().__init__(message)
        # fatal | auth | context_window | previous_response_not_found
        self.kind = kind


class RetryableError(Exception):
    """A failure worth retrying; `stage` picks the retry budget."""

    def __init__(self, reason: str, stage: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stage = stage  # "request" (before the stream) | "stream" (during it)
        self.retry_after = retry_after


def usage_from(data: dict[str, Any] | None) -> TokenUsage:
    """TokenUsage from a Responses `usage` object or a Chat Completions one."""
    if not data:
        return TokenUsage()
    input_details = data.get("input_tokens_details") or data.get("prompt_tokens_details") or {}
    output_details = (
        data.get("output_tokens_details") or data.get("completion_tokens_details") or {}
    )
    return TokenUsage(
        input_tokens=int(data.get("input_tokens", data.get("prompt_tokens", 0)) or 0),
        cached_input_tokens=int(input_details.get("cached_tokens", 0) or 0),
        output_tokens=int(data.get("output_tokens", data.get("completion_tokens", 0)) or 0),
        reasoning_tokens=int(output_details.get("reasoning_tokens", 0) or 0),
    )
