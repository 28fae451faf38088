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
from codex_tui.agent.checks import TurnChecks, grounding_text
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
from codex_tui.config.schema import ResponseChecks
from codex_tui.tools.registry import responses_tools

ABORTED_OUTPUT = "aborted by the user"
# Model output items (they carry the server's id); what follows the last one was
# added after the last stored response.
MODEL_ITEM_TYPES = frozenset({"message", "function_call", "reasoning"})


def stored_prefix(items: list[dict[str, Any]]) -> int | None:
    """How many history items the latest stored response covers: up to its last
    output item. None when no item came from the model with an id."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        from_model = item.get("type") != "message" or item.get("role") == "assistant"
        if item.get("id") and item.get("type") in MODEL_ITEM_TYPES and from_model:
            return index + 1
    return None


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
        conversation_state: str = "client",
        previous_response_id: str | None = None,
        checks: ResponseChecks | None = None,
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
        # "server": the server keeps the conversation; requests continue from
        # previous_response_id and carry only the items added since (the first
        # `_chain_len` items of history are already on the server).
        self.conversation_state = conversation_state
        self.previous_response_id: str | None = None
        self._chain_len = 0
        if previous_response_id and self.server_state:
            covered = stored_prefix(conversation.items)
            if covered is not None:  # else: the history cannot say what is stored
                self.previous_response_id, self._chain_len = previous_response_id, covered
        self._warned_chat_state = False
        # None: no response checks (front ends pass the config's response_checks).
        self.checks = checks
        # Set by interrupt(): a cancellation swallowed by a library still ends the turn.
        self._interrupted = False
        self._task: asyncio.Task | None = None
        if not conversation.items:
            conversation.add(*context_items)

    @property
    def server_state(self) -> bool:
        """Server-side conversation state is on and the wire supports it (the chat
        wire has no stored responses: it always sends the full history)."""
        return self.conversation_state == "server" and self.client.provider.wire_api != "chat"

    def _restart_chain(self) -> None:
        """The next request sends the full history (and starts a new chain)."""
        self.previous_response_id = None
        self._chain_len = 0

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
        self.emit(ev.TurnStarted(turn_id=turn_id, user_input=text))
        self._warn_chat_state()
        self.conversation.add(user_message(text))
        turn_usage = ev.TokenUsage()
        last_message: str | None = None
        checks = self._turn_checks()
        try:
            while True:
                if self.conversation.needs_compaction():
                    await self.compact(automatic=True)
                items, usage = await self._sample()
                if checks is not None:
                    for flagged in checks.response(items):
                        self.emit(flagged)
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
            if checks is not None:
                for flagged in await self._finish_checks(checks):
                    self.emit(flagged)
        except (asyncio.CancelledError, TurnAbort) as exc:
            self._close_pending_calls()
            reason = "interrupted" if isinstance(exc, asyncio.CancelledError) else str(exc)
            self.emit(
                ev.TurnAborted(
                    turn_id=turn_id, reason=reason, duration_s=time.monotonic() - started
                )
            )
            return TurnOutcome("aborted", last_message)
        except ModelError as exc:
            self._close_pending_calls()
            self.emit(
                ev.TurnFailed(
                    turn_id=turn_id, message=str(exc), duration_s=time.monotonic() - started
                )
            )
            return TurnOutcome("failed", last_message, str(exc))
        duration = time.monotonic() - started
        self.emit(
            ev.TurnComplete(
                turn_id=turn_id, last_message=last_message, usage=turn_usage, duration_s=duration
            )
        )
        return TurnOutcome("completed", last_message)

    def _warn_chat_state(self) -> None:
        if self.conversation_state != "server" or self.server_state or self._warned_chat_state:
            return
        self._warned_chat_state = True
        self.emit(
            ev.WarningEvent(
                message="conversation_state: server needs the Responses API; this provider speaks"
                " chat, so each request carries the full history"
            )
        )

    def _turn_checks(self) -> TurnChecks | None:
        if self.checks is None:
            return None
        checks = TurnChecks(self.checks, self.tools.env.root)
        return checks if checks.enabled else None

    async def _finish_checks(self, checks: TurnChecks) -> list[ev.ResponseFlagged]:
        """Path flags for the turn's messages, now that its patches are known; the
        file system is read in a thread."""
        history = list(self.conversation.items)
        return await asyncio.to_thread(lambda: checks.finish(grounding_text(history)))

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
        items = self.conversation.items
        if self._chain_len > len(items):  # history was replaced under us
            self._restart_chain()
        chained = self.server_state and self.previous_response_id is not None
        return ModelRequest(
            model=self.conversation.model,
            instructions=self.instructions,
            input=[*(items[self._chain_len :] if chained else items), *(extra or [])],
            tools=responses_tools() if tools else [],
            reasoning_effort=self.reasoning_effort,
            max_output_tokens=self.max_output_tokens,
            store=self.server_state,
            previous_response_id=self.previous_response_id if chained else None,
        )

    async def _send(
        self, extra: list[dict[str, Any]] | None = None, tools: bool = True, show: bool = True
    ) -> tuple[list[dict[str, Any]], ev.TokenUsage]:
        """Stream a request built from the history; when the server has lost the
        response the chain continues from, send the full history instead, once."""
        try:
            return await self._stream(self._request(extra, tools), show)
        except ModelError as exc:
            if exc.kind != "previous_response_not_found" or self.previous_response_id is None:
                raise
            self.emit(
                ev.WarningEvent(
                    message="the server no longer has the previous response;"
                    " sending the full history"
                )
            )
            self._restart_chain()
            return await self._stream(self._request(extra, tools), show)

    async def _sample(self) -> tuple[list[dict[str, Any]], ev.TokenUsage]:
        """One model request; completed items join the history as they finish."""
        compacted_once = False
        while True:
            try:
                return await self._send()
            except ModelError as exc:
                if exc.kind != "context_window" or compacted_once:
                    raise
                compacted_once = True
                self.emit(
                    ev.WarningEvent(
                        message="the conversation is too long for the model; compacting"
                    )
                )
                await self.compact(automatic=True)

    async def _stream(
        self, request: ModelRequest, show: bool = True
    ) -> tuple[list[dict[str, Any]], ev.TokenUsage]:
        """Stream one response. With `show`, its text reaches the person as the
        answer and its items join the history; without (the compaction summary),
        only retries are shown."""
        items: list[dict[str, Any]] = []
        usage = ev.TokenUsage()
        response_id: str | None = None
        async for event in self.client.stream(request):
            if self._interrupted:
                raise asyncio.CancelledError
            match event:
                case TextDelta(item_id, delta) if show:
                    self.emit(ev.AgentMessageDelta(item_id=item_id, delta=delta))
                case ReasoningTextDelta(item_id, delta) if show:
                    self.emit(ev.ReasoningDelta(item_id=item_id, delta=delta))
                case ItemDone(item):
                    items.append(item)
                    if show:
                        self._announce(item)
                case Retrying(attempt, limit, delay, reason):
                    items.clear()
                    self.emit(
                        ev.StreamRetry(
                            attempt=attempt, max_attempts=limit, delay_s=delay, reason=reason
                        )
                    )
                case Completed(got_id, got, incomplete):
                    usage, response_id = got, got_id
                    if incomplete:
                        self.emit(
                            ev.WarningEvent(message=f"the response stopped early ({incomplete})")
                        )
        if show:
            self.conversation.add(*items)
            self.conversation.record_usage(usage)
            conv = self.conversation
            self.emit(ev.TokenCount(total=conv.total, last=conv.last, context_window=conv.window))
            if request.store:
                self._stored(response_id)
        return items, usage

    def _stored(self, response_id: str | None) -> None:
        """The server now holds the history up to here under `response_id`."""
        if not response_id:
            self._restart_chain()
            return
        self.previous_response_id = response_id
        self._chain_len = len(self.conversation.items)
        self.emit(ev.ResponseStored(response_id=response_id))

    def _announce(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        item_id = item.get("id", "")
        if kind == "message":
            self.emit(ev.AgentMessage(item_id=item_id, text=message_text(item)))
        elif kind == "reasoning":
            parts = item.get("summary") or item.get("content") or []
            text = "\n\n".join(p.get("text", "") for p in parts if isinstance(p, dict))
            if text:
                self.emit(ev.Reasoning(item_id=item_id, text=text))

    async def compact(self, automatic: bool = False) -> str:
        """Ask the model for a hand-off summary and restart history from it."""
        items, _ = await self._send([user_message(COMPACT_PROMPT)], tools=False, show=False)
        summary = "\n".join(message_text(i) for i in items if i.get("type") == "message").strip()
        if not summary:
            raise ModelError("compaction failed: the model returned no summary")
        self.conversation.compact(summary, self.context_items)
        # The stored chain holds the old history: start again from the new one.
        self._restart_chain()
        self.emit(ev.Compacted(summary=summary, automatic=automatic))
        return summary
