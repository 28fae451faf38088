"""The conversation the model sees: history items, token accounting, compaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeGuard

from codex_tui.agent.events import TokenUsage
from codex_tui.agent.items import (
    ContentPart,
    HistoryItem,
    MessageItem,
    image_urls,
    message_text,
    user_message,
)

if TYPE_CHECKING:
    from codex_tui.agent.model_stream import ModelRequest

# Context windows of known model families (tokens); prefixes, longest first wins.
KNOWN_WINDOWS: dict[str, int] = {
    "gpt-5": 272_000,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "o1": 200_000,
    "gpt-oss": 131_072,
    "codex-mini": 200_000,
}

COMPACT_PROMPT = """\
Write a hand-off note for another engineer who will continue this task from here with
no access to the conversation above. Include: the person's goal and any constraints
they gave; what has been done so far (files changed and why, commands run and what
they showed); the current state (what works, what fails, open questions); and the
exact next steps. Be specific: names, paths, error messages. Plain prose and lists,
no preamble."""

SUMMARY_PREFIX = "Summary of the earlier conversation, written before it was compacted:\n\n"
# How much of the person's own recent wording survives a compaction.
KEEP_USER_CHARS = 20_000


def context_window(model: str, configured: int | None) -> int | None:
    if configured:
        return configured
    for prefix in sorted(KNOWN_WINDOWS, key=len, reverse=True):
        if model.startswith(prefix):
            return KNOWN_WINDOWS[prefix]
    return None


def auto_compact_limit(window: int | None, configured: int | None) -> int | None:
    if configured:
        return configured
    return int(window * 0.9) if window else None


CHARS_PER_TOKEN = 4  # a rough average for English text and code
IMAGE_CHARS = 4_000  # what an image weighs in that estimate (~1,000 tokens)


def estimate_usage(request: ModelRequest, output: Sequence[HistoryItem]) -> TokenUsage:
    """Token counts from our own request and answer, for servers that report none."""
    # An image costs the model about a thousand tokens, not its base64's length.
    images = [url for item in request.input for url in image_urls(item)]
    pictured = sum(len(url) for url in images) - len(images) * IMAGE_CHARS
    sent = (
        len(request.instructions)
        + len(json.dumps(request.input))
        - pictured
        + len(json.dumps(request.tools))
    )
    answered = len(json.dumps(list(output)))
    return TokenUsage(
        input_tokens=sent // CHARS_PER_TOKEN, output_tokens=answered // CHARS_PER_TOKEN
    )


def is_user_request(item: HistoryItem) -> TypeGuard[MessageItem]:
    """A message the person typed (not AGENTS.md or environment context we add)."""
    if item["type"] != "message" or item["role"] != "user":
        return False
    text = message_text(item)
    return not text.startswith(
        (
            "<user_instructions>",
            "<environment_context>",
            "<hook_context>",
            "<terminals>",
            "<user_shell_command>",
            "<tool_images>",
            SUMMARY_PREFIX,
        )
    )


def user_requests(items: list[HistoryItem]) -> list[MessageItem]:
    """The messages the person typed, in order."""
    return [i for i in items if is_user_request(i)]


def rewind_index(items: Sequence[HistoryItem], turns: int) -> int | None:
    """Where history is cut to drop the last `turns` requests (None: fewer remain)."""
    seen = 0
    for index in range(len(items) - 1, -1, -1):
        if is_user_request(items[index]):
            seen += 1
            if seen == turns:
                return index
    return None


@dataclass
class Conversation:
    """History plus token accounting for one session."""

    model: str
    window: int | None
    compact_limit: int | None
    items: list[HistoryItem] = field(default_factory=list)
    total: TokenUsage = field(default_factory=TokenUsage)
    last: TokenUsage = field(default_factory=TokenUsage)
    # Told of each change to `items` (the session recorder listens here). Code that
    # assigns `items` directly bypasses them: go through add() and compact().
    on_add: Callable[[tuple[HistoryItem, ...]], None] | None = field(
        default=None, repr=False, compare=False
    )
    on_compact: Callable[[str, list[HistoryItem]], None] | None = field(
        default=None, repr=False, compare=False
    )

    def rewind(self, turns: int) -> bool:
        """Drop the last `turns` requests and everything after them; False when
        history holds fewer (then nothing changes)."""
        index = rewind_index(self.items, turns) if turns > 0 else None
        if index is None:
            return False
        del self.items[index:]
        self.last = TokenUsage()
        return True

    def drop_images(self) -> int:
        """Replace every image in history with a line saying it was not sent (for
        a model that takes none); how many there were."""
        dropped = 0
        for index, item in enumerate(self.items):
            if item["type"] != "message" or not image_urls(item):
                continue
            content: list[ContentPart] = []
            for part in item["content"]:
                if part["type"] == "input_image":
                    dropped += 1
                    part = {
                        "type": "input_text",
                        "text": "\n[an image, not sent: the model takes none]",
                    }
                content.append(part)
            self.items[index] = {**item, "content": content}
        return dropped

    def add(self, *items: HistoryItem) -> None:
        self.items.extend(items)
        if self.on_add is not None and items:
            self.on_add(items)

    # Some usage was estimated (the server reported none): counts are approximate.
    estimated: bool = False

    def record_usage(self, usage: TokenUsage) -> None:
        self.total = self.total + usage
        self.last = usage

    def needs_compaction(self) -> bool:
        limit = self.compact_limit
        return limit is not None and limit > 0 and self.last.input_tokens >= limit

    def compact(self, summary: str, prefix_items: list[HistoryItem]) -> None:
        """Replace history with our context items, recent requests and the summary."""
        kept: list[HistoryItem] = []
        budget = KEEP_USER_CHARS
        for item in reversed(user_requests(self.items)):
            size = len(message_text(item))
            if size > budget:
                break
            budget -= size
            kept.append(item)
        kept.reverse()
        self.items = [*prefix_items, *kept, user_message(SUMMARY_PREFIX + summary)]
        self.last = TokenUsage()
        if self.on_compact is not None:
            self.on_compact(summary, list(self.items))
