"""The Responses API wire: build the request, turn its event stream into ours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

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
        "instructions": req.instructions,
        "input": input_items(req.input, chained=req.previous_response_id is not None),
        "tools": req.tools,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "store": req.store,
    }
    if req.reasoning_effort:
        params["reasoning"] = {"effort": req.reasoning_effort, "summary": "auto"}
        # Reasoning is carried forward encrypted whenever the full history is sent:
        # always without storage, and with it after the stored chain is lost.
        params["include"] = ["reasoning.encrypted_content"]
    if req.max_output_tokens:
        params["max_output_tokens"] = req.max_output_tokens
    if req.previous_response_id:
        params["previous_response_id"] = req.previous_response_id
    return params


def input_items(items: list[dict[str, Any]], chained: bool) -> list[dict[str, Any]]:
    """History items as request input.

    `chained` (a request continuing from `previous_response_id`): the server
    holds everything earlier, and the new items go as they are. Otherwise the
    input is the whole history and must stand on its own, even with `store`
    (the server may have expired or never seen those items): server-side item
    ids mean nothing then, so drop them, and drop reasoning it cannot decrypt.
    """
    if chained:
        return items
    out = []
    for item in items:
        if item.get("type") == "reasoning":
            if item.get("encrypted_content"):
                out.append(item)
            continue
        if "id" in item:
            item = {k: v for k, v in item.items() if k != "id"}
        out.append(item)
    return out


async def translate(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[StreamEvent]:
    """Map Responses stream events to ours; raises on a failed response."""
    async for event in events:
        kind = event.get("type", "")
        if kind == "response.output_text.delta":
            yield TextDelta(event.get("item_id", ""), event.get("delta", ""))
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            yield ReasoningTextDelta(event.get("item_id", ""), event.get("delta", ""))
        elif kind == "response.output_item.done":
            yield ItemDone(event["item"])
        elif kind == "response.completed":
            response = event.get("response") or {}
            yield Completed(response.get("id"), usage_from(response.get("usage")))
        elif kind == "response.incomplete":
            response = event.get("response") or {}
            details = response.get("incomplete_details") or {}
            reason = details.get("reason") or "unknown reason"
            yield Completed(response.get("id"), usage_from(response.get("usage")), reason)
        elif kind == "response.failed":
            error = (event.get("response") or {}).get("error") or {}
            raise failure(error.get("code"), error.get("message") or "the response failed")
        elif kind == "error" or ("error" in event and not kind):
            error = event.get("error") if isinstance(event.get("error"), dict) else event
            raise failure(error.get("code"), error.get("message") or "error")


def failure(code: str | None, message: str) -> Exception:
    """The exception for an in-stream failure: retry rate limits, else stop."""
    if code in ("rate_limit_exceeded", "server_error", "server_is_overloaded"):
        return RetryableError(f"{message} ({code})", "stream")
    if code == "context_length_exceeded":
        return ModelError(message, "context_window")
    if code == "previous_response_not_found":
        return ModelError(message, "previous_response_not_found")
    return ModelError(f"the model server failed the response: {message}")
