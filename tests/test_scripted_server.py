"""The scripted model server, checked through the real ``openai`` SDK (no patched client)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from openai import AsyncOpenAI

from codex_tui.scripted import (
    DropConnection,
    ErrorEvent,
    Failed,
    FunctionCall,
    Hang,
    HttpError,
    Incomplete,
    Message,
    Reasoning,
    Reply,
    ScriptedModelServer,
    Usage,
    context_length_exceeded,
    previous_response_not_found,
    rate_limited,
    server_error,
    unauthorized,
)

# Every SDK read is bounded by this, so a broken server fails a test instead of hanging it.
CLIENT_TIMEOUT_S = 5.0
USER_INPUT = [{"role": "user", "content": "list the files"}]
CHAT_MESSAGES = [{"role": "user", "content": "list the files"}]


@pytest.fixture
async def client(scripted_server: ScriptedModelServer) -> AsyncIterator[AsyncOpenAI]:
    sdk = AsyncOpenAI(
        base_url=scripted_server.base_url,
        api_key="test",
        max_retries=0,
        timeout=CLIENT_TIMEOUT_S,
    )
    yield sdk
    await sdk.close()


def full_reply() -> tuple[Reply, FunctionCall]:
    call = FunctionCall("shell", {"command": ["ls", "-la"]})
    reply = Reply(
        [
            Reasoning(["Looking at the tree.", "Then listing it."]),
            Message("Here are the files you asked for."),
            call,
        ],
        usage=Usage(
            input_tokens=120, cached_input_tokens=64, output_tokens=40, reasoning_tokens=12
        ),
        chunk_size=7,
    )
    return reply, call


async def collect_raw_events(client: AsyncOpenAI) -> list[Any]:
    stream = await client.responses.create(model="gpt-test", input=USER_INPUT, stream=True)
    return [event async for event in stream]


# --- Responses API -------------------------------------------------------------------


async def test_responses_stream_helper_parses_the_full_sequence(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    reply, call = full_reply()
    scripted_server.add(reply)

    async with client.responses.stream(model="gpt-test", input=USER_INPUT) as stream:
        events = [event async for event in stream]
        final = await stream.get_final_response()

    def summary_part(deltas: int) -> list[str]:
        return [
            "response.reasoning_summary_part.added",
            *["response.reasoning_summary_text.delta"] * deltas,
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
        ]

    expected = [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        *summary_part(3),
        *summary_part(3),
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 5,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * 4,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.type for e in events] == expected
    text_deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert "".join(text_deltas) == "Here are the files you asked for."
    assert text_deltas[0] == "Here ar"

    assert final.id == reply.id
    assert final.status == "completed"
    assert final.output_text == "Here are the files you asked for."
    reasoning, _message, function_call = final.output
    assert [part.text for part in reasoning.summary] == ["Looking at the tree.", "Then listing it."]
    assert function_call.type == "function_call"
    assert function_call.name == "shell"
    assert function_call.call_id == call.call_id
    assert json.loads(function_call.arguments) == {"command": ["ls", "-la"]}
    assert final.usage is not None
    assert final.usage.input_tokens == 120
    assert final.usage.input_tokens_details.cached_tokens == 64
    assert final.usage.output_tokens == 40
    assert final.usage.output_tokens_details.reasoning_tokens == 12
    assert final.usage.total_tokens == 160


async def test_responses_raw_events_carry_consistent_indices(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    reply, call = full_reply()
    scripted_server.add(reply)

    events = await collect_raw_events(client)

    assert [e.sequence_number for e in events] == list(range(len(events)))
    added = {e.output_index: e.item for e in events if e.type == "response.output_item.added"}
    assert [item.type for item in added.values()] == ["reasoning", "message", "function_call"]
    assert added[1].status == "in_progress"
    assert added[2].call_id == call.call_id
    for event in events:
        if hasattr(event, "item_id"):
            assert event.item_id == added[event.output_index].id, event.type
    summary_indices = [
        e.summary_index for e in events if e.type == "response.reasoning_summary_text.delta"
    ]
    assert summary_indices == [0, 0, 0, 1, 1, 1]
    done_texts = [e.text for e in events if e.type == "response.reasoning_summary_text.done"]
    assert done_texts == ["Looking at the tree.", "Then listing it."]
    arguments_done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert json.loads(arguments_done.arguments) == {"command": ["ls", "-la"]}
    created, completed = events[0], events[-1]
    assert created.response.status == "in_progress"
    assert created.response.output == []
    assert created.response.model == "gpt-test"
    assert completed.type == "response.completed"
    assert completed.response.id == created.response.id == reply.id
    assert [item.id for item in completed.response.output] == [i.id for i in added.values()]


async def test_responses_without_stream_returns_the_finished_response(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("A short summary of the session.")]))

    response = await client.responses.create(model="gpt-test", input=USER_INPUT)

    assert response.status == "completed"
    assert response.output_text == "A short summary of the session."
    assert response.usage is not None
    assert response.usage.output_tokens > 0


@pytest.mark.parametrize(
    ("ending", "last_type"),
    [
        (Failed(code="server_error", message="The model crashed."), "response.failed"),
        (Incomplete(reason="max_output_tokens"), "response.incomplete"),
        (ErrorEvent(message="Upstream went away.", code="upstream_error"), "error"),
    ],
)
async def test_responses_stream_endings(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI, ending: Any, last_type: str
) -> None:
    scripted_server.add(Reply([Message("Partial answer")], end=ending))

    events = await collect_raw_events(client)

    assert "response.completed" not in [e.type for e in events]
    last = events[-1]
    assert last.type == last_type
    match ending:
        case Failed():
            assert last.response.status == "failed"
            assert last.response.error.code == "server_error"
            assert last.response.error.message == "The model crashed."
        case Incomplete():
            assert last.response.status == "incomplete"
            assert last.response.incomplete_details.reason == "max_output_tokens"
        case ErrorEvent():
            assert last.message == "Upstream went away."
            assert last.code == "upstream_error"


# --- Chat Completions ----------------------------------------------------------------


async def test_chat_stream_assembles_tool_call_reasoning_and_usage(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    reply, call = full_reply()
    scripted_server.add(reply)

    stream = await client.chat.completions.create(
        model="gpt-test",
        messages=CHAT_MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]

    content, reasoning, finish_reasons = "", "", []
    tool_calls: dict[int, dict[str, str]] = {}
    for chunk in chunks[:-1]:
        choice = chunk.choices[0]
        content += choice.delta.content or ""
        reasoning += (choice.delta.model_extra or {}).get("reasoning_content", "")
        finish_reasons.append(choice.finish_reason)
        for fragment in choice.delta.tool_calls or []:
            assembled = tool_calls.setdefault(fragment.index, {"id": "", "name": "", "args": ""})
            assembled["id"] += fragment.id or ""
            assembled["name"] += (fragment.function and fragment.function.name) or ""
            assembled["args"] += (fragment.function and fragment.function.arguments) or ""

    assert chunks[0].choices[0].delta.role == "assistant"
    assert content == "Here are the files you asked for."
    assert reasoning == "Looking at the tree.\n\nThen listing it."
    assert tool_calls == {0: {"id": call.call_id, "name": "shell", "args": call.arguments_json}}
    assert [r for r in finish_reasons if r] == ["tool_calls"]
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert usage_chunk.usage.prompt_tokens == 120
    assert usage_chunk.usage.prompt_tokens_details.cached_tokens == 64
    assert usage_chunk.usage.completion_tokens == 40
    assert usage_chunk.usage.completion_tokens_details.reasoning_tokens == 12
    assert usage_chunk.usage.total_tokens == 160


async def test_chat_stream_helper_builds_the_final_completion(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    first = FunctionCall("read_file", {"path": "src/app.py"})
    second = FunctionCall("git_status", "{}")
    scripted_server.add(Reply([Message("Reading two things."), first, second], chunk_size=4))

    async with client.chat.completions.stream(model="gpt-test", messages=CHAT_MESSAGES) as stream:
        final = await stream.get_final_completion()

    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Reading two things."
    calls = choice.message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        (first.call_id, "read_file", '{"path": "src/app.py"}'),
        (second.call_id, "git_status", "{}"),
    ]


async def test_chat_stream_without_usage_option_ends_with_stop_and_no_usage(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("Done.")]))

    stream = await client.chat.completions.create(
        model="gpt-test", messages=CHAT_MESSAGES, stream=True
    )
    chunks = [chunk async for chunk in stream]

    assert all(chunk.usage is None for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Done."


async def test_chat_without_stream_returns_one_completion(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    call = FunctionCall("update_plan", {"plan": [{"step": "a", "status": "pending"}]})
    scripted_server.add(Reply([Message("Planning."), call], usage=Usage(10, 0, 5, 0)))

    completion = await client.chat.completions.create(model="gpt-test", messages=CHAT_MESSAGES)

    message = completion.choices[0].message
    assert message.content == "Planning."
    assert message.tool_calls is not None
    assert message.tool_calls[0].id == call.call_id
    assert json.loads(message.tool_calls[0].function.arguments) == call.arguments
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (10, 5)


async def test_chat_failed_ending_raises_the_in_stream_error(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("Half")], end=Failed(message="Overloaded mid-answer.")))

    stream = await client.chat.completions.create(
        model="gpt-test", messages=CHAT_MESSAGES, stream=True
    )
    with pytest.raises(openai.APIError, match="Overloaded mid-answer"):
        async for _chunk in stream:
            pass


# --- Fault steps ---------------------------------------------------------------------


async def test_rate_limit_carries_retry_after(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(rate_limited(2))

    with pytest.raises(openai.RateLimitError) as caught:
        await client.responses.create(model="gpt-test", input=USER_INPUT, stream=True)

    error = caught.value
    assert error.status_code == 429
    assert error.response.headers["retry-after"] == "2"
    assert error.code == "rate_limit_exceeded"
    assert "Please try again in 2s." in error.message


@pytest.mark.parametrize(
    ("step", "error_class", "code"),
    [
        (server_error(), openai.InternalServerError, None),
        (context_length_exceeded(), openai.BadRequestError, "context_length_exceeded"),
        (unauthorized(), openai.AuthenticationError, "invalid_api_key"),
        (
            previous_response_not_found("resp_gone"),
            openai.NotFoundError,
            "previous_response_not_found",
        ),
        (HttpError(502, "<html>bad gateway</html>"), openai.InternalServerError, None),
    ],
)
async def test_error_statuses_surface_through_the_sdk(
    scripted_server: ScriptedModelServer,
    client: AsyncOpenAI,
    step: HttpError,
    error_class: type[openai.APIStatusError],
    code: str | None,
) -> None:
    scripted_server.add(step)

    with pytest.raises(error_class) as caught:
        await client.responses.create(model="gpt-test", input=USER_INPUT, stream=True)

    assert caught.value.status_code == step.status
    assert caught.value.code == code
    if isinstance(step.body, dict):
        assert caught.value.body == step.body["error"]
    else:
        assert "bad gateway" in caught.value.response.text


async def test_dropped_stream_raises_before_completed(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(DropConnection(after_events=5))

    seen: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        async with client.responses.stream(model="gpt-test", input=USER_INPUT) as stream:
            async for event in stream:
                seen.append(event.type)

    assert len(seen) == 5
    assert seen[-1] == "response.output_text.delta"


async def test_graceful_drop_ends_the_stream_without_completed(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(DropConnection(after_events=3, graceful=True))

    async with client.responses.stream(model="gpt-test", input=USER_INPUT) as stream:
        seen = [event.type async for event in stream]
        with pytest.raises(RuntimeError, match=r"response\.completed"):
            await stream.get_final_response()

    assert seen == ["response.created", "response.in_progress", "response.output_item.added"]


async def test_dropped_chat_stream_raises(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(DropConnection(after_events=2))

    stream = await client.chat.completions.create(
        model="gpt-test", messages=CHAT_MESSAGES, stream=True
    )
    with pytest.raises(openai.APIConnectionError):
        async for _chunk in stream:
            pass


async def test_hang_before_headers_hits_the_client_timeout_and_stop_releases_it(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Hang())

    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        await client.with_options(timeout=0.3).responses.create(
            model="gpt-test", input=USER_INPUT, stream=True
        )
    assert time.monotonic() - started < 2

    started = time.monotonic()
    scripted_server.stop()
    assert time.monotonic() - started < 1


async def test_hang_after_events_stalls_mid_stream(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Hang(after_events=4))

    seen: list[str] = []
    stream = await client.with_options(timeout=0.3).responses.create(
        model="gpt-test", input=USER_INPUT, stream=True
    )
    with pytest.raises(openai.APITimeoutError):
        async for event in stream:
            seen.append(event.type)

    assert len(seen) == 4


async def test_exhausted_script_answers_500_saying_so(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("only one")]))
    await client.responses.create(model="gpt-test", input=USER_INPUT)

    for number in (2, 3):
        with pytest.raises(openai.InternalServerError, match="script exhausted") as caught:
            await client.responses.create(model="gpt-test", input=USER_INPUT)
        assert f"model request #{number} (POST /v1/responses)" in caught.value.message

    assert [r.step_index for r in scripted_server.requests] == [0, None, None]


# --- Recording, script handling, lifecycle -------------------------------------------


async def test_requests_are_recorded_with_path_headers_and_body(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("one")]), Reply([Message("two")]))
    tools = [{"type": "function", "name": "git_status", "parameters": {"type": "object"}}]

    await client.responses.create(
        model="gpt-test", input=USER_INPUT, instructions="Be brief.", tools=tools
    )
    await client.chat.completions.create(model="gpt-chat", messages=CHAT_MESSAGES)
    await client.models.list()

    first, second, third = scripted_server.requests
    assert (first.method, first.path, first.step_index) == ("POST", "/v1/responses", 0)
    assert first.headers["authorization"] == "Bearer test"
    assert first.body["input"] == USER_INPUT
    assert first.body["tools"] == tools
    assert (second.path, second.step_index) == ("/v1/chat/completions", 1)
    assert (third.method, third.path) == ("GET", "/v1/models")
    assert [b["model"] for b in scripted_server.bodies] == ["gpt-test", "gpt-chat"]
    assert scripted_server.last_body["messages"] == CHAT_MESSAGES


async def test_replies_are_taken_in_order_and_can_be_added_while_running(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("first")]))
    assert (await client.responses.create(model="m", input="a")).output_text == "first"
    assert scripted_server.pending_steps == 0

    scripted_server.add(Reply([Message("second")]), Reply([Message("third")]))
    assert (await client.responses.create(model="m", input="b")).output_text == "second"
    assert (await client.responses.create(model="m", input="c")).output_text == "third"
    assert scripted_server.pending_steps == 0


async def test_request_settings_are_echoed_in_the_response(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("ok")]))

    response = await client.responses.create(
        model="gpt-echo", input=USER_INPUT, instructions="Be brief.", previous_response_id="r_1"
    )

    assert response.model == "gpt-echo"
    assert response.instructions == "Be brief."
    assert response.previous_response_id == "r_1"


async def test_models_endpoint_lists_the_models(client: AsyncOpenAI) -> None:
    models = [model.id async for model in client.models.list()]

    assert models == ["scripted-model"]


async def test_delay_per_delta_paces_the_stream(
    scripted_server: ScriptedModelServer, client: AsyncOpenAI
) -> None:
    scripted_server.add(Reply([Message("abcdefghij")], chunk_size=2, delay_per_delta_s=0.03))

    started = time.monotonic()
    events = await collect_raw_events(client)

    assert sum(e.type == "response.output_text.delta" for e in events) == 5
    assert time.monotonic() - started >= 5 * 0.03


def test_wire_bytes_are_server_sent_events(scripted_server: ScriptedModelServer) -> None:
    scripted_server.add(Reply([Message("hi")]), Reply([Message("hi")]))

    responses_text = _post(scripted_server, "/responses", {"model": "m", "stream": True})
    chat_text = _post(scripted_server, "/chat/completions", {"model": "m", "stream": True})

    assert responses_text.startswith('event: response.created\ndata: {"type": "response.created"')
    assert responses_text.endswith("\n\n")
    assert "event: response.completed\ndata: " in responses_text
    assert chat_text.startswith('data: {"id": "chatcmpl-')
    assert chat_text.endswith("data: [DONE]\n\n")
    assert "event:" not in chat_text


def test_lifecycle_start_stop_and_context_manager() -> None:
    server = ScriptedModelServer([Reply([Message("x")])]).start()
    base_url = server.base_url
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/v1")
    assert server.port > 0
    with pytest.raises(RuntimeError, match="already started"):
        server.start()
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base_url}/models", timeout=1)

    with ScriptedModelServer() as managed:
        assert _get(managed, "/models")["data"][0]["id"] == "scripted-model"


def test_unknown_route_is_404_and_takes_no_step(scripted_server: ScriptedModelServer) -> None:
    scripted_server.add(Reply([Message("kept")]))

    with pytest.raises(urllib.error.HTTPError) as caught:
        _post(scripted_server, "/embeddings", {"model": "m"})

    assert caught.value.code == 404
    assert scripted_server.pending_steps == 1


def _post(server: ScriptedModelServer, path: str, body: dict[str, Any]) -> str:
    request = urllib.request.Request(
        server.base_url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT_S) as answer:
        return answer.read().decode()


def _get(server: ScriptedModelServer, path: str) -> Any:
    with urllib.request.urlopen(server.base_url + path, timeout=CLIENT_TIMEOUT_S) as answer:
        return json.loads(answer.read())
