"""A :class:`Reply` on the Responses API wire: the SSE event sequence, or one response object."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

from codex_tui.scripted.sse import WireEvent
from codex_tui.scripted.steps import (
    DEFAULT_MODEL,
    Completed,
    ErrorEvent,
    Failed,
    FunctionCall,
    Incomplete,
    Message,
    OutputItem,
    Reasoning,
    Reply,
    Usage,
    WebSearch,
    split_deltas,
)


def usage_json(usage: Usage) -> dict[str, Any]:
    """``usage`` as the Responses API reports it."""
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_input_tokens},
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def item_json(item: OutputItem, *, done: bool) -> dict[str, Any]:
    """An output item as sent in ``output_item.added`` (``done=False``) or at its end."""
    match item:
        case Message(text=text, id=item_id):
            return {
                "id": item_id,
                "type": "message",
                "status": "completed" if done else "in_progress",
                "role": "assistant",
                "content": [_text_part(text)] if done else [],
            }
        case Reasoning(id=item_id):
            reasoning: dict[str, Any] = {
                "id": item_id,
                "type": "reasoning",
                "summary": [_summary_part(p) for p in item.parts] if done else [],
            }
            if item.encrypted_content is not None:
                reasoning["encrypted_content"] = item.encrypted_content
            return reasoning
        case FunctionCall(name=name, call_id=call_id, id=item_id):
            return {
                "id": item_id,
                "type": "function_call",
                "status": "completed" if done else "in_progress",
                "name": name,
                "call_id": call_id,
                "arguments": item.arguments_json if done else "",
            }
        case WebSearch(query=query, sources=sources, id=item_id):
            action: dict[str, Any] = {"type": "search", "query": query}
            if done:
                action["sources"] = [{"type": "url", "url": url} for url in sources]
            return {
                "id": item_id,
                "type": "web_search_call",
                "status": "completed" if done else "in_progress",
                "action": action,
            }
    raise TypeError(f"not an output item: {item!r}")


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _summary_part(text: str) -> dict[str, Any]:
    return {"type": "summary_text", "text": text}


def response_json(
    reply: Reply,
    request: dict[str, Any],
    *,
    status: str,
    output: list[dict[str, Any]],
    usage: Usage | None,
    created_at: int,
) -> dict[str, Any]:
    """The full response object; request settings are echoed back as a real server does."""
    ending = reply.end
    return {
        "id": reply.id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": False,
        "error": (
            {"code": ending.code, "message": ending.message}
            if status == "failed" and isinstance(ending, Failed)
            else None
        ),
        "incomplete_details": (
            {"reason": ending.reason}
            if status == "incomplete" and isinstance(ending, Incomplete)
            else None
        ),
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "metadata": request.get("metadata") or {},
        "model": reply.model or request.get("model") or DEFAULT_MODEL,
        "output": output,
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "reasoning": request.get("reasoning") or {"effort": None, "summary": None},
        "store": request.get("store", True),
        "temperature": request.get("temperature", 1.0),
        "text": request.get("text") or {"format": {"type": "text"}},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools") or [],
        "top_p": request.get("top_p", 1.0),
        "truncation": request.get("truncation", "disabled"),
        "usage": usage_json(usage) if usage is not None else None,
        "user": None,
    }


def final_status(reply: Reply) -> str:
    match reply.end:
        case Failed():
            return "failed"
        case Incomplete():
            return "incomplete"
    return "completed"


def response_body(reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
    """The non-streamed answer: the finished response object."""
    return response_json(
        reply,
        request,
        status=final_status(reply),
        output=[item_json(item, done=True) for item in reply.items],
        usage=reply.usage_for(request),
        created_at=int(time.time()),
    )


class ResponsesStream:
    """Builds the event sequence for one streamed reply, numbering events from 0."""

    def __init__(self, reply: Reply, request: dict[str, Any]) -> None:
        self.reply = reply
        self.request = request
        self._sequence = itertools.count()
        self._created_at = int(time.time())

    def _event(self, event_type: str, *, is_delta: bool = False, **fields: Any) -> WireEvent:
        payload = {"type": event_type, "sequence_number": next(self._sequence), **fields}
        return WireEvent(event_type, payload, is_delta)

    def _response(
        self, status: str, output: list[dict[str, Any]], usage: Usage | None
    ) -> dict[str, Any]:
        return response_json(
            self.reply,
            self.request,
            status=status,
            output=output,
            usage=usage,
            created_at=self._created_at,
        )

    def events(self) -> Iterator[WireEvent]:
        """Every event of the reply, from ``response.created`` to its ending."""
        yield self._event("response.created", response=self._response("in_progress", [], None))
        yield self._event("response.in_progress", response=self._response("in_progress", [], None))
        finished: list[dict[str, Any]] = []
        for index, item in enumerate(self.reply.items):
            yield self._event(
                "response.output_item.added", output_index=index, item=item_json(item, done=False)
            )
            match item:
                case Message():
                    yield from self._message_events(item, index)
                case Reasoning():
                    yield from self._reasoning_events(item, index)
                case FunctionCall():
                    yield from self._function_call_events(item, index)
            finished.append(item_json(item, done=True))
            yield self._event("response.output_item.done", output_index=index, item=finished[-1])
        yield from self._ending_events(finished)

    def _message_events(self, item: Message, index: int) -> Iterator[WireEvent]:
        where: dict[str, Any] = {"item_id": item.id, "output_index": index, "content_index": 0}
        yield self._event("response.content_part.added", **where, part=_text_part(""))
        for delta in split_deltas(item.text, self.reply.chunk_size):
            yield self._event(
                "response.output_text.delta", is_delta=True, **where, delta=delta, logprobs=[]
            )
        yield self._event("response.output_text.done", **where, text=item.text, logprobs=[])
        yield self._event("response.content_part.done", **where, part=_text_part(item.text))

    def _reasoning_events(self, item: Reasoning, index: int) -> Iterator[WireEvent]:
        for summary_index, text in enumerate(item.parts):
            where: dict[str, Any] = {
                "item_id": item.id,
                "output_index": index,
                "summary_index": summary_index,
            }
            yield self._event(
                "response.reasoning_summary_part.added", **where, part=_summary_part("")
            )
            for delta in split_deltas(text, self.reply.chunk_size):
                yield self._event(
                    "response.reasoning_summary_text.delta", is_delta=True, **where, delta=delta
                )
            yield self._event("response.reasoning_summary_text.done", **where, text=text)
            yield self._event(
                "response.reasoning_summary_part.done", **where, part=_summary_part(text)
            )

    def _function_call_events(self, item: FunctionCall, index: int) -> Iterator[WireEvent]:
        where: dict[str, Any] = {"item_id": item.id, "output_index": index}
        arguments = item.arguments_json
        for delta in split_deltas(arguments, self.reply.chunk_size):
            yield self._event(
                "response.function_call_arguments.delta", is_delta=True, **where, delta=delta
            )
        yield self._event(
            "response.function_call_arguments.done", **where, name=item.name, arguments=arguments
        )

    def _ending_events(self, output: list[dict[str, Any]]) -> Iterator[WireEvent]:
        usage = self.reply.usage_for(self.request)
        match self.reply.end:
            case Completed():
                response = self._response("completed", output, usage)
                yield self._event("response.completed", response=response)
            case Failed():
                yield self._event(
                    "response.failed", response=self._response("failed", output, usage)
                )
            case Incomplete():
                response = self._response("incomplete", output, usage)
                yield self._event("response.incomplete", response=response)
            case ErrorEvent(message=message, code=code):
                yield self._event("error", code=code, message=message, param=None)
