"""The turn loop: send the conversation, stream the reply, run the tool calls it
asks for, send their results back, and repeat until the model answers in words.

Front ends give it an `emit` callback for events and an `Approver`; it never
imports Textual.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.agent.context import COMPACT_PROMPT, Conversation, message_text, user_message
from codex_tui.agent.model_client import ModelClient
from codex_tui.agent.model_stream import (
    Completed,
    ItemDone,
    ModelError,
    ModelRequest,
    ReasoningTextDelta,
    Retrying,
    TextDelta,
)
from codex_tui.agent.tool_calls import ToolRunner, TurnAbort
from codex_tui.tools.registry import responses_tools

ABORTED_OUTPUT = "aborted by the user"


@dataclass
class TurnOutcome:
    status: str  # completed | aborted | failed
    last_message: str | None
    error: str | None = None


class Agent:
    """One session's conversation with the model and the work it does."""

    def __init__(
        self,
        client: ModelClient,
        conversation: Conversation,
        tools: ToolRunner,
        emit: Callable[[ev.Event], None],
        *,
        instructions: str,
        context_items: list[dict[str, Any]],
        reasoning_effort: str | None = None,
        max_output_tokens: int | None = None,
        session_id: str = "",
        docs: list[Any] | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation
        self.tools = tools
        self.emit = emit
        self.instructions = instructions
        # AGENTS.md and environment messages: at the head of history, kept on compaction.
        self.context_items = context_items
        self.reasoning_effort = reasoning_effort
        self.max_output_tokens = max_output_tokens
        self.session_id = session_id
        # The AGENTS.md files in use (for /status).
        self.docs = docs or []
        self.queued: list[str] = []
        # Set by interrupt(): a cancellation swallowed by a library still ends the turn.
        self._interrupted = False
        self._task: asyncio.Task | None = None
        if not conversation.items:
            conversation.add(*context_items)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def interrupt(self) -> None:
        """Stop the stream and any running command; the turn ends as aborted."""
        if self._task is not None and not self._task.done():
            self._interrupted = True
            self._cancel(self._task)

    def _cancel(self, task: asyncio.Task) -> None:
        # On Python 3.11, asyncio.wait_for (used inside libraries) drops a
        # cancellation that lands as its inner future completes; keep cancelling
        # until the turn has really stopped.
        if not task.done():
            task.cancel()
            asyncio.get_running_loop().call_later(0.2, self._cancel, task)

    async def submit(self, text: str) -> TurnOutcome | None:
        """Run a turn for `text`; while one runs, queue it for when it ends."""
        if self.running:
            self.queued.append(text)
            return None
        outcome = await self._run(text)
        while self.queued and outcome.status != "failed":
            text = "\n\n".join(self.queued)
            self.queued.clear()
            outcome = await self._run(text)
        return outcome

    async def _run(self, text: str) -> TurnOutcome:
        self._task = asyncio.create_task(self._turn(text))
        try:
            return await asyncio.shield(self._task)
        except asyncio.CancelledError:
            # Our caller was cancelled: stop the turn too, and let it finish cleanly.
            self._task.cancel()
            return await self._task

    async def _turn(self, text: str) -> TurnOutcome:
        self._interrupted = False
        turn_id = uuid.uuid4().hex[:12]
        started = time.monotonic()
        self.emit(ev.TurnStarted(turn_id, text))
        self.conversation.add(user_message(text))
        turn_usage = ev.TokenUsage()
        last_message: str | None = None
        try:
            while True:
                if self.conversation.needs_compaction():
                    await self.compact(automatic=True)
                items, usage = await self._sample()
                turn_usage = turn_usage + usage
                calls = [i for i in items if i.get("type") == "function_call"]
                texts = [message_text(i) for i in items if i.get("type") == "message"]
                last_message = texts[-1] if texts else last_message
                if not calls:
                    break
                outputs = await self.tools.run_calls(calls)
                self.conversation.add(*outputs)
                if self._interrupted:
                    raise asyncio.CancelledError
        except (asyncio.CancelledError, TurnAbort) as exc:
            self._close_pending_calls()
            reason = "interrupted" if isinstance(exc, asyncio.CancelledError) else str(exc)
            self.emit(ev.TurnAborted(turn_id, reason, time.monotonic() - started))
            return TurnOutcome("aborted", last_message)
        except ModelError as exc:
            self._close_pending_calls()
            self.emit(ev.TurnFailed(turn_id, str(exc), time.monotonic() - started))
            return TurnOutcome("failed", last_message, str(exc))
        duration = time.monotonic() - started
        self.emit(ev.TurnComplete(turn_id, last_message, turn_usage, duration))
        return TurnOutcome("completed", last_message)

    def _close_pending_calls(self) -> None:
        """Give every call in history an output, so the next request is valid."""
        answered = {
            i["call_id"] for i in self.conversation.items if i.get("type") == "function_call_output"
        }
        for item in list(self.conversation.items):
            if item.get("type") == "function_call" and item["call_id"] not in answered:
                self.conversation.add(
                    {
                        "type": "function_call_output",
                        "call_id": item["call_id"],
                        "output": ABORTED_OUTPUT,
                    }
                )

    def _request(
        self, extra: list[dict[str, Any]] | None = None, tools: bool = True
    ) -> ModelRequest:
        return ModelRequest(
            model=self.conversation.model,
            instructions=self.instructions,
            input=[*self.conversation.items, *(extra or [])],
            tools=responses_tools() if tools else [],
            reasoning_effort=self.reasoning_effort,
            max_output_tokens=self.max_output_tokens,
        )

    async def _sample(self) -> tuple[list[dict[str, Any]], ev.TokenUsage]:
        """One model request; completed items join the history as they finish."""
        compacted_once = False
        while True:
            try:
                return await self._stream(self._request())
            except ModelError as exc:
                if exc.kind != "context_window" or compacted_once:
                    raise
                compacted_once = True
                self.emit(ev.WarningEvent("the conversation is too long for the model; compacting"))
                await self.compact(automatic=True)

    async def _stream(
        self, request: ModelRequest, show: bool = True
    ) -> tuple[list[dict[str, Any]], ev.TokenUsage]:
        """Stream one response. With `show`, its text reaches the person as the
        answer and its items join the history; without (the compaction summary),
        only retries are shown."""
        items: list[dict[str, Any]] = []
        usage = ev.TokenUsage()
        async for event in self.client.stream(request):
            if self._interrupted:
                raise asyncio.CancelledError
            match event:
                case TextDelta(item_id, delta) if show:
                    self.emit(ev.AgentMessageDelta(item_id, delta))
                case ReasoningTextDelta(item_id, delta) if show:
                    self.emit(ev.ReasoningDelta(item_id, delta))
                case ItemDone(item):
                    items.append(item)
                    if show:
                        self._announce(item)
                case Retrying(attempt, limit, delay, reason):
                    items.clear()
                    self.emit(ev.StreamRetry(attempt, limit, delay, reason))
                case Completed(_, got, incomplete):
                    usage = got
                    if incomplete:
                        self.emit(ev.WarningEvent(f"the response stopped early ({incomplete})"))
        if show:
            self.conversation.add(*items)
            self.conversation.record_usage(usage)
            conv = self.conversation
            self.emit(ev.TokenCount(conv.total, conv.last, conv.window))
        return items, usage

    def _announce(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        item_id = item.get("id", "")
        if kind == "message":
            self.emit(ev.AgentMessage(item_id, message_text(item)))
        elif kind == "reasoning":
            parts = item.get("summary") or item.get("content") or []
            text = "\n\n".join(p.get("text", "") for p in parts if isinstance(p, dict))
            if text:
                self.emit(ev.Reasoning(item_id, text))

    async def compact(self, automatic: bool = False) -> str:
        """Ask the model for a hand-off summary and restart history from it."""
        request = self._request([user_message(COMPACT_PROMPT)], tools=False)
        items, _ = await self._stream(request, show=False)
        summary = "\n".join(message_text(i) for i in items if i.get("type") == "message").strip()
        if not summary:
            raise ModelError("compaction failed: the model returned no summary")
        self.conversation.compact(summary, self.context_items)
        self.emit(ev.Compacted(summary, automatic))
        return summary
