"""A :class:`Reply` on the Chat Completions wire: streamed chunks, or one completion object."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from codex_tui.scripted.sse import WireEvent
from codex_tui.scripted.steps import (
    DEFAULT_MODEL,
    ErrorEvent,
    Failed,
    FunctionCall,
    Incomplete,
    Message,
    Reasoning,
    Reply,
    Usage,
    error_body,
    split_deltas,
)

# Responses API incomplete reasons mapped to the chat wire's finish_reason.
_INCOMPLETE_FINISH = {"max_output_tokens": "length", "content_filter": "content_filter"}


def usage_json(usage: Usage) -> dict[str, Any]:
    """``usage`` as Chat Completions reports it."""
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_input_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": usage.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def finish_reason(reply: Reply) -> str:
    """``stop``, ``tool_calls``, or what an incomplete ending maps to."""
    if isinstance(reply.end, Incomplete):
        return _INCOMPLETE_FINISH.get(reply.end.reason, "length")
    return "tool_calls" if reply.function_calls else "stop"


def ending_error(reply: Reply) -> dict[str, Any] | None:
    """The error object a failed reply carries on the chat wire, or None."""
    match reply.end:
        case Failed(code=code, message=message) | ErrorEvent(code=code, message=message):
            return error_body(message, error_type="server_error", code=code)
    return None


def _reasoning_text(reply: Reply) -> str:
    return "\n\n".join(p for item in reply.items if isinstance(item, Reasoning) for p in item.parts)


def _chat_id(reply: Reply) -> str:
    return "chatcmpl-" + reply.id.removeprefix("resp_")


def _tool_call_json(call: FunctionCall, index: int) -> dict[str, Any]:
    return {
        "index": index,
        "id": call.call_id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments_json},
    }


def completion_body(reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
    """The non-streamed answer: one ``chat.completion`` object."""
    text = "".join(item.text for item in reply.items if isinstance(item, Message))
    message: dict[str, Any] = {"role": "assistant", "content": text or None, "refusal": None}
    if reasoning := _reasoning_text(reply):
        message["reasoning_content"] = reasoning
    if calls := reply.function_calls:
        message["tool_calls"] = [_tool_call_json(c, i) for i, c in enumerate(calls)]
        for call in message["tool_calls"]:
            del call["index"]
    return {
        "id": _chat_id(reply),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or request.get("model") or DEFAULT_MODEL,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason(reply),
            }
        ],
        "usage": usage_json(reply.usage_for(request)),
    }


class ChatStream:
    """Builds the ``data:`` lines for one streamed reply, ending with ``[DONE]``."""

    def __init__(self, reply: Reply, request: dict[str, Any]) -> None:
        self.reply = reply
        self.request = request
        self.include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        self._created = int(time.time())

    def _chunk(
        self,
        delta: dict[str, Any],
        *,
        finish: str | None = None,
        is_delta: bool = False,
    ) -> WireEvent:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return self._line({"choices": [choice]}, is_delta=is_delta)

    def _line(self, fields: dict[str, Any], *, is_delta: bool = False) -> WireEvent:
        chunk = {
            "id": _chat_id(self.reply),
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self.reply.model or self.request.get("model") or DEFAULT_MODEL,
            "system_fingerprint": None,
            **fields,
        }
        if self.include_usage:
            # With include_usage every chunk carries "usage": null until the last one.
            chunk.setdefault("usage", None)
        return WireEvent(None, chunk, is_delta)

    def events(self) -> Iterator[WireEvent]:
        """Every line of the reply: role, deltas, finish, usage, ``[DONE]``."""
        size = self.reply.chunk_size
        yield self._chunk({"role": "assistant", "content": "", "refusal": None})
        tool_index = 0
        for item in self.reply.items:
            match item:
                case Reasoning() if item.parts:
                    for delta in split_deltas("\n\n".join(item.parts), size):
                        yield self._chunk({"reasoning_content": delta}, is_delta=True)
                case Message() if item.text:
                    for delta in split_deltas(item.text, size):
                        yield self._chunk({"content": delta}, is_delta=True)
                case FunctionCall():
                    yield from self._tool_call_chunks(item, tool_index)
                    tool_index += 1
        if (error := ending_error(self.reply)) is not None:
            yield WireEvent(None, error)
            return
        yield self._chunk({}, finish=finish_reason(self.reply))
        if self.include_usage:
            usage = usage_json(self.reply.usage_for(self.request))
            yield self._line({"choices": [], "usage": usage})
        yield WireEvent(None, "[DONE]")

    def _tool_call_chunks(self, call: FunctionCall, index: int) -> Iterator[WireEvent]:
        opening = {
            "index": index,
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        yield self._chunk({"tool_calls": [opening]})
        for fragment in split_deltas(call.arguments_json, self.reply.chunk_size):
            piece = {"index": index, "function": {"arguments": fragment}}
            yield self._chunk({"tool_calls": [piece]}, is_delta=True)
