"""History items from untrusted JSON: what a server streams or a session file
holds is checked into our TypedDict shapes, or left out, never trusted as is."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from codex_tui.agent.items import history_item, message_text, reasoning_text
from codex_tui.agent.model_stream import ItemDone, TextDelta
from codex_tui.agent.wire_responses import translate


def test_a_server_message_keeps_its_text_parts_and_id() -> None:
    item = history_item(
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "content": [
                {"type": "output_text", "text": "Hello ", "annotations": []},
                {"type": "refusal", "refusal": "but not that."},
                {"type": "output_image", "url": "x"},
            ],
        }
    )
    assert item == {
        "type": "message",
        "role": "assistant",
        "id": "msg_1",
        "content": [
            {"type": "output_text", "text": "Hello "},
            {"type": "output_text", "text": "but not that."},
        ],
    }
    assert item is not None and item["type"] == "message"
    assert message_text(item) == "Hello but not that."


def test_calls_outputs_and_reasoning() -> None:
    call = {"type": "function_call", "call_id": "c", "name": "shell", "arguments": "{}"}
    assert history_item(call) == call
    # A malformed call is mended, never dropped: the model must get an output.
    mended = history_item({**call, "arguments": {"command": ["ls"]}})
    assert mended == {**call, "arguments": '{"command": ["ls"]}'}
    no_id = history_item({**call, "call_id": {"an": "object"}, "name": 5})
    assert no_id is not None and no_id["type"] == "function_call"
    assert no_id["call_id"].startswith("call_") and no_id["name"] == ""
    assert history_item({"type": "message", "role": "assistant", "content": 5}) == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "5"}],
    }
    output = {"type": "function_call_output", "call_id": "c", "output": "ok"}
    assert history_item(output) == output
    reasoning = history_item(
        {
            "type": "reasoning",
            "id": "rs",
            "summary": [{"type": "summary_text", "text": "why"}, "junk"],
            "encrypted_content": "opaque",
        }
    )
    assert reasoning == {
        "type": "reasoning",
        "id": "rs",
        "summary": [{"type": "summary_text", "text": "why"}],
        "encrypted_content": "opaque",
    }
    assert reasoning is not None and reasoning["type"] == "reasoning"
    assert reasoning_text(reasoning) == "why"
    assert history_item({"type": "web_search_call", "id": "ws"}) is None
    assert history_item({"type": "message", "role": "tool", "content": []}) is None
    assert history_item(["not", "a", "mapping"]) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
ITEMISH = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "function_call", "function_call_output", "reasoning"])},
    optional={
        "role": st.sampled_from(["user", "assistant", "system", "tool"]) | JSON,
        "content": JSON,
        "summary": JSON,
        "call_id": JSON,
        "name": JSON,
        "arguments": JSON,
        "output": JSON,
        "id": JSON,
        "encrypted_content": JSON,
    },
)


@given(ITEMISH | JSON)
def test_any_json_is_an_item_of_the_right_shape_or_none(raw: Any) -> None:
    item = history_item(raw)
    if item is None:
        return
    json.dumps(item)  # sendable as it is
    for key in ("call_id", "name", "arguments", "output", "id", "encrypted_content"):
        if key in item:
            assert isinstance(item[key], str)  # type: ignore[literal-required]
    if item["type"] == "message":
        assert all(isinstance(p["text"], str) for p in item["content"])
        message_text(item)
    if item["type"] == "reasoning":
        reasoning_text(item)


async def test_the_responses_wire_leaves_out_what_it_cannot_send_back() -> None:
    async def events() -> AsyncIterator[dict[str, Any]]:
        yield {"type": "response.output_text.delta", "item_id": "m", "delta": 42}
        yield {"type": "response.output_item.done", "item": {"type": "web_search_call"}}
        yield {"type": "response.output_item.done", "item": "garbage"}
        yield {
            "type": "response.output_item.done",
            "item": {"type": "message", "role": "assistant", "content": "plain"},
        }
        yield {"type": "response.completed", "response": {"id": "r", "usage": None}}

    out = [e async for e in translate(events())]
    assert out[0] == TextDelta(item_id="m", delta="")
    done = [e.item for e in out if isinstance(e, ItemDone)]
    assert done == [
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "plain"}],
        }
    ]
