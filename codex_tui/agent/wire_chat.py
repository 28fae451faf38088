"""The Chat Completions wire (Ollama, vLLM, LM Studio, llama.cpp): history items
become chat messages, and streamed chunks become the same events as Responses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from codex_tui.agent.items import (
    HistoryItem,
    SummaryText,
    assistant_message,
    image_urls,
    message_text,
)
from codex_tui.agent.model_stream import (
    Completed,
    ItemDone,
    ModelError,
    ModelRequest,
    ReasoningTextDelta,
    RetryableError,
    StreamEvent,
    TextDelta,
    usage_from,
)


def request_params(req: ModelRequest) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": req.model,
        "messages": messages(req.instructions, req.input),
        "stream_options": {"include_usage": True},
    }
    if req.tools:
        params["tools"] = [chat_tool(t) for t in req.tools]
        params["tool_choice"] = "auto"
        params["parallel_tool_calls"] = True
    if req.reasoning_effort:
        params["reasoning_effort"] = req.reasoning_effort
    if req.max_output_tokens:
        params["max_tokens"] = req.max_output_tokens
    return params


def chat_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A Responses function tool in Chat Completions' nesting."""
    return {
        "type": "function",
        "function": {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "parameters": tool.get("parameters", {"type": "object", "properties": {}}),
        },
    }


def messages(instructions: str, items: list[HistoryItem]) -> list[dict[str, Any]]:
    """Responses-shaped history as chat messages; consecutive calls share one message."""
    out: list[dict[str, Any]] = [{"role": "system", "content": instructions}]
    for item in items:
        if item["type"] == "message":
            role = "system" if item["role"] == "developer" else item["role"]
            images = image_urls(item)
            content: str | list[dict[str, Any]] = message_text(item)
            if images:  # chat's multimodal form: text part, then image_url parts
                content = [
                    {"type": "text", "text": content},
                    *({"type": "image_url", "image_url": {"url": url}} for url in images),
                ]
            out.append({"role": role, "content": content})
        elif item["type"] == "function_call":
            call = {
                "id": item["call_id"],
                "type": "function",
                "function": {"name": item["name"], "arguments": item["arguments"]},
            }
            last = out[-1]
            if last["role"] == "assistant" and "tool_calls" in last:
                last["tool_calls"].append(call)
            elif last["role"] == "assistant" and not last.get("tool_calls"):
                last["tool_calls"] = [call]
            else:
                out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif item["type"] == "function_call_output":
            out.append({"role": "tool", "tool_call_id": item["call_id"], "content": item["output"]})
        # Reasoning items have no chat equivalent; the model does without them.
    return out


@dataclass
class _CallParts:
    """A tool call assembled from its streamed pieces."""

    call_id: str = ""
    name: list[str] = field(default_factory=list)
    arguments: list[str] = field(default_factory=list)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


async def translate(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[StreamEvent]:
    """Map streamed chat chunks to our events, assembling tool calls by index.
    A field of the wrong type (a server's bytes are not trusted) counts as absent."""
    message_id = f"msg_{uuid.uuid4().hex[:16]}"
    reasoning_id = f"rs_{uuid.uuid4().hex[:16]}"
    text: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, _CallParts] = {}
    usage: object = None
    response_id = ""
    finished = False
    async for chunk in chunks:
        error = chunk.get("error")
        if error:
            message = _str(_dict(error).get("message")) or _str(error) or "an error"
            raise ModelError(f"the model server failed the response: {message}")
        response_id = response_id or _str(chunk.get("id"))
        usage = chunk.get("usage") or usage
        for choice in map(_dict, _list(chunk.get("choices"))):
            delta = _dict(choice.get("delta"))
            thought = _str(delta.get("reasoning_content")) or _str(delta.get("reasoning"))
            if thought:
                reasoning.append(thought)
                yield ReasoningTextDelta(item_id=reasoning_id, delta=thought)
            content = _str(delta.get("content"))
            if content:
                text.append(content)
                yield TextDelta(item_id=message_id, delta=content)
            for tc in map(_dict, _list(delta.get("tool_calls"))):
                index = tc.get("index", 0)
                call = calls.setdefault(index if isinstance(index, int) else 0, _CallParts())
                call.call_id = call.call_id or _str(tc.get("id"))
                function = _dict(tc.get("function"))
                call.name.append(_str(function.get("name")))
                call.arguments.append(_str(function.get("arguments")))
            if choice.get("finish_reason"):
                finished = True
    if not finished:
        # Nothing is yielded as done from a cut stream; the caller retries it whole.
        raise RetryableError("stream closed before the final chunk", "stream", closed=True)
    if reasoning:
        summary: list[SummaryText] = [{"type": "summary_text", "text": "".join(reasoning)}]
        yield ItemDone(item={"type": "reasoning", "id": reasoning_id, "summary": summary})
    if text:
        yield ItemDone(item=assistant_message("".join(text), message_id))
    for index in sorted(calls):
        call = calls[index]
        yield ItemDone(
            item={
                "type": "function_call",
                "call_id": call.call_id or f"call_{uuid.uuid4().hex[:16]}",
                "name": "".join(call.name),
                "arguments": "".join(call.arguments) or "{}",
            }
        )
    yield Completed(
        response_id=response_id or None,
        usage=usage_from(usage),
        usage_reported=isinstance(usage, dict),
    )


def is_complete(body: dict[str, Any]) -> bool:
    """A whole chat completion (a plain request's answer)."""
    return isinstance(body.get("choices"), list)


def complete_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A whole chat completion as the one chunk a stream would have carried."""
    choices = []
    for choice in map(_dict, _list(body.get("choices"))):
        delta = dict(_dict(choice.get("message")))
        calls = [
            {**_dict(call), "index": i} for i, call in enumerate(_list(delta.get("tool_calls")))
        ]
        delta["tool_calls"] = calls
        choices.append({"delta": delta, "finish_reason": choice.get("finish_reason") or "stop"})
    return [{"id": body.get("id"), "usage": body.get("usage"), "choices": choices}]
