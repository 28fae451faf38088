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
    # Requests of one session share it, so the server's prompt cache can hit.
    cache_key: str | None = None


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
    # False when the server sent no usage at all (some local servers): `usage`
    # is zeros, and the agent estimates from its own count.
    usage_reported: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class Skipped:
    """Something the server sent that cannot be used and was left out (the person
    is told; nothing is silently lost)."""

    reason: str


# A failed request about to be tried again: the person sees this very event.
Retrying = StreamRetry


@dataclass(frozen=True, kw_only=True, slots=True)
class WebSearchDone:
    """The server's hosted web search ran (kept out of history: the answer that
    follows carries what it found)."""

    call_id: str
    query: str
    sources: tuple[str, ...]
    status: str


StreamEvent = (
    TextDelta | ReasoningTextDelta | ItemDone | Completed | Retrying | Skipped | WebSearchDone
)


class ModelError(Exception):
    """A request that failed for good; `kind` says what the agent can do about it."""

    def __init__(self, message: str, kind: str = "fatal") -> None:
        super().__init__(message)
        # fatal | auth | context_window | previous_response_not_found
        self.kind = kind


class RetryableError(Exception):
    """A failure worth retrying; `stage` picks the retry budget."""

    def __init__(
        self, reason: str, stage: str, retry_after: float | None = None, *, closed: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stage = stage  # "request" (before the stream) | "stream" (during it)
        self.retry_after = retry_after
        # The stream ended cleanly but early (no final event).
        self.closed = closed


def _count(data: dict[str, Any], *keys: str) -> int:
    """The first of `keys` that holds a token count; a server's other values count 0."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(0, value)
    return 0


def usage_from(data: object) -> TokenUsage:
    """TokenUsage from a Responses `usage` object or a Chat Completions one."""
    if not isinstance(data, dict):
        return TokenUsage()
    details = data.get("input_tokens_details") or data.get("prompt_tokens_details")
    output_details = data.get("output_tokens_details") or data.get("completion_tokens_details")
    details = details if isinstance(details, dict) else {}
    output_details = output_details if isinstance(output_details, dict) else {}
    return TokenUsage(
        input_tokens=_count(data, "input_tokens", "prompt_tokens"),
        cached_input_tokens=_count(details, "cached_tokens"),
        output_tokens=_count(data, "output_tokens", "completion_tokens"),
        reasoning_tokens=_count(output_details, "reasoning_tokens"),
    )
