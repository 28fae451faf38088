"""The Responses API wire: build the request, turn its event stream into ours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from codex_tui.agent.items import HistoryItem, history_item
from codex_tui.agent.model_stream import (
    Completed,
    ItemDone,
    ModelError,
    ModelRequest,
    ReasoningTextDelta,
    RetryableError,
    Skipped,
    StreamEvent,
    TextDelta,
    WebSearchDone,
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
    if req.cache_key:
        params["prompt_cache_key"] = req.cache_key
    return params


def input_items(items: list[HistoryItem], chained: bool) -> list[HistoryItem]:
    """History items as request input.

    `chained` (a request continuing from `previous_response_id`): the server
    holds everything earlier, and the new items go as they are. Otherwise the
    input is the whole history and must stand on its own, even with `store`
    (the server may have expired or never seen those items): server-side item
    ids mean nothing then, so drop them, and drop reasoning it cannot decrypt.
    """
    if chained:
        return items
    out: list[HistoryItem] = []
    for item in items:
        if item["type"] == "reasoning":
            if item.get("encrypted_content"):  # it travels whole, id and all
                out.append(item)
            continue
        if item["type"] != "function_call_output" and "id" in item:
            item = item.copy()
            del item["id"]
        out.append(item)
    return out


async def translate(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[StreamEvent]:
    """Map Responses stream events to ours; raises on a failed response."""
    async for event in events:
        kind = _text(event, "type")
        if kind == "response.output_text.delta":
            yield TextDelta(item_id=_text(event, "item_id"), delta=_text(event, "delta"))
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            yield ReasoningTextDelta(item_id=_text(event, "item_id"), delta=_text(event, "delta"))
        elif kind == "response.output_item.done":
            # Output kinds we cannot send back (a hosted tool's call) stay out of history.
            raw = event.get("item")
            if isinstance(raw, dict) and raw.get("type") == "web_search_call":
                yield web_search(raw)
                continue
            item = history_item(raw)
            if item is not None:
                yield ItemDone(item=item)
            else:
                yield Skipped(reason=f"an output item codex-tui cannot use ({describe(raw)})")
        elif kind in ("response.completed", "response.incomplete"):
            response = _object(event, "response")
            reason = None
            if kind == "response.incomplete":
                reason = _text(_object(response, "incomplete_details"), "reason") or "unknown"
            usage = response.get("usage")
            yield Completed(
                response_id=_text(response, "id") or None,
                usage=usage_from(usage),
                incomplete_reason=reason,
                usage_reported=isinstance(usage, dict),
            )
        elif kind == "response.failed":
            error = _object(_object(event, "response"), "error")
            code = _text(error, "code") or None
            raise failure(code, _text(error, "message") or "the response failed")
        elif kind == "error" or ("error" in event and not kind):
            error = _object(event, "error") or event
            raise failure(_text(error, "code") or None, _text(error, "message") or "error")


def web_search(raw: dict[str, Any]) -> WebSearchDone:
    """A hosted web search item: its query and the pages it read (web URLs only)."""
    action = _object(raw, "action")
    query = _text(action, "query") or _text(raw, "query")
    found = action.get("sources")
    urls = [s.get("url") for s in (found if isinstance(found, list) else []) if isinstance(s, dict)]
    sources = tuple(u[:2000] for u in urls if isinstance(u, str) and web_url(u))
    status = _text(raw, "status") or "completed"
    query = "".join(c if c.isprintable() else " " for c in query)  # no terminal controls
    return WebSearchDone(call_id=_text(raw, "id"), query=query, sources=sources, status=status)


def web_url(url: str) -> bool:
    """An http(s) address with nothing a terminal would act on (it becomes an OSC 8
    link: a control character inside would end it and start a sequence of its own)."""
    return url.startswith(("https://", "http://")) and all(
        c.isprintable() and not c.isspace() for c in url
    )


def _object(event: dict[str, Any], key: str) -> dict[str, Any]:
    """A mapping field of a stream event; a server's other value counts as empty."""
    value = event.get(key)
    return value if isinstance(value, dict) else {}


def describe(raw: object) -> str:
    """A few words on an unusable item, for the person's warning."""
    if isinstance(raw, dict):
        kind = raw.get("type")
        return f"type {kind!r}" if isinstance(kind, str) else "an item without a type"
    return f"a {type(raw).__name__}, not an item"


def _text(event: dict[str, Any], key: str) -> str:
    """A string field of a stream event; a server's other value counts as none."""
    value = event.get(key)
    return value if isinstance(value, str) else ""


def failure(code: str | None, message: str) -> Exception:
    """The exception for an in-stream failure: retry rate limits, else stop."""
    if code in ("rate_limit_exceeded", "server_error", "server_is_overloaded"):
        return RetryableError(f"{message} ({code})", "stream")
    if code == "context_length_exceeded":
        return ModelError(message, "context_window")
    if code == "previous_response_not_found":
        return ModelError(message, "previous_response_not_found")
    return ModelError(f"the model server failed the response: {message}")


def is_complete(body: dict[str, Any]) -> bool:
    """A whole Responses object (a plain request's answer)."""
    return isinstance(body.get("output"), list)


def complete_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A whole response as the events a stream of it would have ended with."""
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.done", "item": item} for item in body["output"]
    ]
    if body.get("status") == "failed":
        events.append({"type": "response.failed", "response": body})
    elif body.get("status") == "incomplete":
        events.append({"type": "response.incomplete", "response": body})
    else:
        events.append({"type": "response.completed", "response": body})
    return events
