"""The model-request half of the agent: build a request from the history (the
whole of it, or what follows the response the server keeps), stream the reply
into events and history items, and summarise when the context is full.

`Agent` (controller.py) inherits it; the attributes below are set by
`Agent.__init__`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from codex_tui.agent import events as ev
from codex_tui.agent.context import COMPACT_PROMPT, Conversation, estimate_usage
from codex_tui.agent.items import HistoryItem, is_call, message_text, reasoning_text, user_message
from codex_tui.agent.model_client import ModelClient
from codex_tui.agent.model_stream import (
    Completed,
    ItemDone,
    ModelError,
    ModelRequest,
    ReasoningTextDelta,
    Retrying,
    Skipped,
    TextDelta,
    WebSearchDone,
)
from codex_tui.agent.modes import PLAN_INSTRUCTIONS, tools_for_mode
from codex_tui.tools.registry import ToolSpec, responses_tools

if TYPE_CHECKING:
    from codex_tui.agent.tool_calls import ToolRunner
    from codex_tui.config.schema import ReasoningEffort

__all__ = ["ModelRequests"]


class ModelRequests:
    """Requests to the model and their replies (a base of `Agent`)."""

    client: ModelClient
    conversation: Conversation
    tools: ToolRunner
    emit: Callable[[ev.Event], None]
    instructions: str
    context_items: list[HistoryItem]
    reasoning_effort: ReasoningEffort | None
    max_output_tokens: int | None
    session_id: str
    conversation_state: str
    previous_response_id: str | None
    _chain_len: int
    _interrupted: bool
    _streamed: dict[str, list[str]]
    # The server's hosted web search is offered (tools.web_search, Responses wire).
    web_search: bool = False

    @property
    def server_state(self) -> bool:
        """Server-side conversation state is on and the wire supports it (the chat
        wire has no stored responses: it always sends the full history)."""
        return self.conversation_state == "server" and self.client.provider.wire_api != "chat"

    def _restart_chain(self) -> None:
        """The next request sends the full history (and starts a new chain)."""
        self.previous_response_id = None
        self._chain_len = 0

    def _cut_off(self, reason: ev.CutOffReason) -> None:
        """Report the answers that had begun to stream and will not be completed."""
        streamed, self._streamed = self._streamed, {}
        for item_id, parts in streamed.items():
            text = "".join(parts)
            if text.strip():
                self.emit(ev.AgentMessageCutOff(item_id=item_id, text=text, reason=reason))

    def _request(self, extra: Sequence[HistoryItem] = (), tools: bool = True) -> ModelRequest:
        items = self.conversation.items
        if self._chain_len > len(items):  # history was replaced under us
            self._restart_chain()
        chained = self.server_state and self.previous_response_id is not None
        plan = self.tools.env.mode == "plan"
        offered = tools_for_mode(responses_tools(self._mcp_specs()), self.tools.env)
        if tools and self.web_search:
            offered.append({"type": "web_search"})
        return ModelRequest(
            model=self.conversation.model,
            instructions=self.instructions + (PLAN_INSTRUCTIONS if plan else ""),
            input=[*(items[self._chain_len :] if chained else items), *extra],
            tools=offered if tools else [],
            reasoning_effort=self.reasoning_effort,
            max_output_tokens=self.max_output_tokens,
            store=self.server_state,
            previous_response_id=self.previous_response_id if chained else None,
            cache_key=self.session_id or None,
        )

    async def _send(
        self, extra: Sequence[HistoryItem] = (), tools: bool = True, show: bool = True
    ) -> tuple[list[HistoryItem], ev.TokenUsage]:
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

    def _mcp_specs(self) -> dict[str, ToolSpec] | None:
        mcp = self.tools.env.mcp
        return mcp.specs if mcp is not None else None

    async def _mcp_ready(self) -> None:
        """MCP servers still starting are waited for (each up to its own timeout)
        before a request: the tools offered must be known. Failures warn once."""
        mcp = self.tools.env.mcp
        if mcp is not None:
            for warning in await mcp.wait_ready():
                self.emit(ev.WarningEvent(message=warning))

    async def _sample(self) -> tuple[list[HistoryItem], ev.TokenUsage]:
        """One model request; completed items join the history as they finish."""
        await self._mcp_ready()
        compacted_once = False
        while True:
            try:
                return await self._send()
            except ModelError as exc:
                if exc.kind == "images_rejected" and self.conversation.drop_images():
                    # Said once; the text goes on without the pictures.
                    self.emit(
                        ev.WarningEvent(
                            message=f"model {self.conversation.model} does not accept images;"
                            f" sent the text without them ({exc})"
                        )
                    )
                    self._restart_chain()
                    continue
                if exc.kind != "context_window" or compacted_once:
                    raise
                compacted_once = True
                self.emit(
                    ev.WarningEvent(
                        message="the conversation is too long for the model; compacting"
                    )
                )
                await self.summarise(automatic=True)

    async def _stream(
        self, request: ModelRequest, show: bool = True
    ) -> tuple[list[HistoryItem], ev.TokenUsage]:
        """Stream one response. With `show`, its text reaches the person as the
        answer and its items join the history; without (the compaction summary),
        only retries are shown."""
        items: list[HistoryItem] = []
        usage = ev.TokenUsage()
        response_id: str | None = None
        streamed: dict[str, list[str]] = {}
        if show:
            self._streamed = streamed
        async for event in self.client.stream(request):
            if self._interrupted:
                raise asyncio.CancelledError
            match event:
                case TextDelta(item_id=item_id, delta=delta) if show:
                    streamed.setdefault(item_id, []).append(delta)
                    self.emit(ev.AgentMessageDelta(item_id=item_id, delta=delta))
                case ReasoningTextDelta(item_id=item_id, delta=delta) if show:
                    self.emit(ev.ReasoningDelta(item_id=item_id, delta=delta))
                case ItemDone(item=item):
                    items.append(item)
                    if show:
                        streamed.pop(str(item.get("id", "")), None)
                        self._announce(item)
                case WebSearchDone() as found if show:
                    self.emit(
                        ev.WebSearchEnd(
                            call_id=found.call_id,
                            query=found.query,
                            sources=found.sources,
                            status=found.status,
                        )
                    )
                case Skipped(reason=reason) if show:
                    self.emit(ev.WarningEvent(message=f"left out of the answer: {reason}"))
                case Retrying() as retry:
                    items.clear()
                    if show:
                        self._cut_off("dropped")
                        streamed = self._streamed
                    self.emit(retry)
                case Completed() as done:
                    usage, response_id = done.usage, done.response_id
                    if not done.usage_reported:
                        usage = estimate_usage(request, items)
                        self.conversation.estimated = True
                    if done.incomplete_reason:
                        self.emit(
                            ev.WarningEvent(
                                message=f"the response stopped early ({done.incomplete_reason})"
                            )
                        )
        if show:
            streamed.clear()  # an answer streamed without its item: nothing was cut off
            items, renamed = self._unique_call_ids(items)
            self.conversation.add(*items)
            self.conversation.record_usage(usage)
            conv = self.conversation
            self.emit(
                ev.TokenCount(
                    total=conv.total,
                    last=conv.last,
                    context_window=conv.window,
                    estimated=conv.estimated,
                )
            )
            if request.store:
                # The server keeps the calls under their old ids: send ours whole next time.
                self._stored(None if renamed else response_id)
        return items, usage

    def _unique_call_ids(self, items: list[HistoryItem]) -> tuple[list[HistoryItem], bool]:
        """Each call keeps an id of its own: one that repeats an earlier call's is
        renamed (`id-2`), so every call gets its own output. True when one was."""
        seen = {i["call_id"] for i in self.conversation.items if is_call(i)}
        out: list[HistoryItem] = []
        renamed = False
        for item in items:
            if is_call(item):
                call_id = original = item["call_id"]
                n = 2
                while call_id in seen:
                    call_id, n = f"{original}-{n}", n + 1
                if call_id != original:
                    item = item.copy()
                    item["call_id"] = call_id
                    renamed = True
                    self.emit(
                        ev.WarningEvent(
                            message=f"the model reused the call id {original!r}; this call"
                            f" is {call_id!r} so each call gets its own answer"
                        )
                    )
                seen.add(call_id)
            out.append(item)
        return out, renamed

    def _stored(self, response_id: str | None) -> None:
        """The server now holds the history up to here under `response_id`."""
        if not response_id:
            self._restart_chain()
            return
        self.previous_response_id = response_id
        self._chain_len = len(self.conversation.items)
        self.emit(ev.ResponseStored(response_id=response_id))

    def _announce(self, item: HistoryItem) -> None:
        if item["type"] == "message":
            text = message_text(item)
            self.emit(ev.AgentMessage(item_id=item.get("id", ""), text=text))
        elif item["type"] == "reasoning":
            text = reasoning_text(item)
            if text:
                self.emit(ev.Reasoning(item_id=item.get("id", ""), text=text))

    async def summarise(self, automatic: bool = False) -> str:
        """Ask the model for a hand-off summary and restart history from it."""
        if self.tools.env.hooks is not None:
            trigger = "auto" if automatic else "manual"
            await self.tools.env.hooks.fire("PreCompact", trigger, trigger=trigger)
        items, usage = await self._send([user_message(COMPACT_PROMPT)], tools=False, show=False)
        summary = "\n".join(message_text(i) for i in items if i["type"] == "message").strip()
        if not summary:
            raise ModelError("compaction failed: the model returned no summary")
        self.conversation.compact(summary, self.context_items)
        # The stored chain holds the old history: start again from the new one.
        self._restart_chain()
        # No request has been made from the new history yet: estimate what the next one sends.
        after = estimate_usage(self._request(), []).input_tokens
        self.emit(
            ev.Compacted(
                summary=summary,
                automatic=automatic,
                tokens_before=usage.input_tokens,
                tokens_after=after,
            )
        )
        return summary
