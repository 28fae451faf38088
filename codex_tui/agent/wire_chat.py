"""The Chat Completions wire (Ollama, vLLM, LM Studio, llama.cpp): history items
become chat messages, and streamed chunks become the same events as Responses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from codex_tui.agent.items import HistoryItem, SummaryText, assistant_message, message_text
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
            out.append({"role": role, "content": message_text(item)})
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


async def translate(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[StreamEvent]:
    """Map streamed chat chunks to our events, assembling tool calls by index."""
    message_id = f"msg_{uuid.uuid4().hex[:16]}"
    reasoning_id = f"rs_{uuid.uuid4().hex[:16]}"
    text: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    usage = None
    response_id = None
    finished = False
    async for chunk in chunks:
        if isinstance(chunk.get("error"), dict):
            error = chunk["error"]
            raise ModelError(f"the model server failed the response: {error.get('message')}")
        response_id = response_id or chunk.get("id")
        usage = chunk.get("usage") or usage
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(thought, str) and thought:
                reasoning.append(thought)
                yield ReasoningTextDelta(item_id=reasoning_id, delta=thought)
            content = delta.get("content")
            if isinstance(content, str) and content:
                text.append(content)
                yield TextDelta(item_id=message_id, delta=content)
            for tc in delta.get("tool_calls") or ():
                call = calls.setdefault(
                    tc.get("index", 0), {"id": None, "name": "", "arguments": ""}
                )
                call["id"] = call["id"] or tc.get("id")
                function = tc.get("function") or {}
                call["name"] += function.get("name") or ""
                call["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                finished = True
    if not finished:
        # Nothing is yielded as done from a cut stream; the caller retries it whole.
        raise RetryableError("stream closed before the final chunk", "stream")
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
                "call_id": call["id"] or f"call_{uuid.uuid4().hex[:16]}",
                "name": call["name"],
                "arguments": call["arguments"] or "{}",
            }
        )
    yield Completed(response_id=response_id, usage=usage_from(usage))
