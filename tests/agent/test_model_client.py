"""The model client against the scripted HTTP server: both wires, every fault."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

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
from codex_tui.config.schema import ModelProvider
from codex_tui.scripted import (
    DropConnection,
    Failed,
    FunctionCall,
    Hang,
    Message,
    Reasoning,
    Reply,
    ScriptedModelServer,
    Usage,
    context_length_exceeded,
    rate_limited,
    server_error,
    unauthorized,
)
from codex_tui.tools.registry import responses_tools


def make_client(server: ScriptedModelServer, wire: str = "responses", **kw) -> ModelClient:
    provider = ModelProvider(
        name="scripted",
        base_url=server.base_url,
        wire_api=wire,
        env_key=None,
        request_max_retries=kw.pop("request_max_retries", 3),
        stream_max_retries=kw.pop("stream_max_retries", 3),
        stream_idle_timeout_ms=kw.pop("idle_ms", 5000),
    )
    return ModelClient("scripted", provider, backoff_base_s=0.01, **kw)


def request(**kw) -> ModelRequest:
    history = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    ]
    return ModelRequest(
        model="gpt-test", instructions="be brief", input=history, tools=responses_tools(), **kw
    )


async def collect(client: ModelClient, req: ModelRequest | None = None) -> list:
    events = []
    async for event in client.stream(req or request()):
        events.append(event)
    await client.close()
    return events


def full_reply() -> Reply:
    return Reply(
        [
            Reasoning("Looking at the tests first."),
            Message("I will run the tests."),
            FunctionCall("shell", {"command": ["pytest", "-q"]}, call_id="call_1"),
        ],
        usage=Usage(input_tokens=120, cached_input_tokens=20, output_tokens=30, reasoning_tokens=8),
    )


@pytest.mark.parametrize("wire", ["responses", "chat"])
async def test_both_wires_give_the_same_items(wire: str) -> None:
    with ScriptedModelServer([full_reply()]) as server:
        events = await collect(make_client(server, wire))
    text = "".join(e.delta for e in events if isinstance(e, TextDelta))
    thought = "".join(e.delta for e in events if isinstance(e, ReasoningTextDelta))
    assert text == "I will run the tests."
    assert thought == "Looking at the tests first."
    items = [e.item for e in events if isinstance(e, ItemDone)]
    kinds = [i["type"] for i in items]
    assert kinds == ["reasoning", "message", "function_call"]
    assert items[1]["content"][0]["text"] == "I will run the tests."
    call = items[2]
    assert (call["name"], call["call_id"]) == ("shell", "call_1")
    assert call["arguments"] == '{"command": ["pytest", "-q"]}'
    done = events[-1]
    assert isinstance(done, Completed)
    assert done.usage.input_tokens == 120
    assert done.usage.cached_input_tokens == 20
    assert done.usage.output_tokens == 30
    assert done.usage.reasoning_tokens == 8


async def test_responses_request_body() -> None:
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        await collect(make_client(server), request(reasoning_effort="high", max_output_tokens=900))
        body = server.bodies[0]
    assert body["model"] == "gpt-test"
    assert body["instructions"] == "be brief"
    assert body["stream"] is True
    assert body["store"] is False
    assert body["tool_choice"] == "auto"
    assert body["parallel_tool_calls"] is True
    assert body["reasoning"] == {"effort": "high", "summary": "auto"}
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["max_output_tokens"] == 900
    assert {t["name"] for t in body["tools"]} == {
        "shell", "exec_command", "write_stdin", "apply_patch", "update_plan", "read_file",
        "search_files", "git_status",
        "git_diff", "view_image",
    }  # fmt: skip
    assert body["input"][0]["content"][0]["text"] == "hi"


async def test_chat_request_maps_history_to_messages() -> None:
    history = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "fix"}]},
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "read_file", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "done"},
        {"type": "function_call_output", "call_id": "c2", "output": "text"},
    ]
    req = ModelRequest(model="m", instructions="sys", input=history, tools=responses_tools())
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        await collect(make_client(server, "chat"), req)
        body = server.bodies[0]
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "tool"]
    assert [c["id"] for c in body["messages"][2]["tool_calls"]] == ["c1", "c2"]
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "c1", "content": "done"}
    assert body["tools"][0]["function"]["name"] == "shell"
    assert body["stream_options"] == {"include_usage": True}


async def test_429_honours_retry_after_then_succeeds() -> None:
    with ScriptedModelServer([rate_limited(0.3), Reply([Message("after wait")])]) as server:
        started = time.monotonic()
        events = await collect(make_client(server))
        elapsed = time.monotonic() - started
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1
    assert retries[0].delay_s == pytest.approx(0.3)
    assert retries[0].attempt == 1 and retries[0].max_attempts == 3
    assert "429" in retries[0].reason
    assert elapsed >= 0.3
    assert isinstance(events[-1], Completed)


@pytest.mark.parametrize("wire", ["responses", "chat"])
async def test_500_then_success(wire: str) -> None:
    with ScriptedModelServer([server_error(), server_error(502), Reply([Message("ok")])]) as s:
        events = await collect(make_client(s, wire))
    assert [e.attempt for e in events if isinstance(e, Retrying)] == [1, 2]
    assert isinstance(events[-1], Completed)


@pytest.mark.parametrize("wire", ["responses", "chat"])
@pytest.mark.parametrize("graceful", [True, False])
async def test_dropped_stream_is_retried(wire: str, graceful: bool) -> None:
    steps = [DropConnection(after_events=4, graceful=graceful), Reply([Message("second try")])]
    with ScriptedModelServer(steps) as server:
        events = await collect(make_client(server, wire))
    retry = [e for e in events if isinstance(e, Retrying)]
    assert len(retry) == 1
    after = events[events.index(retry[0]) :]
    items = [e.item for e in after if isinstance(e, ItemDone)]
    assert items[0]["content"][0]["text"] == "second try"
    # Nothing from the cut attempt was reported as finished.
    before = events[: events.index(retry[0])]
    assert not any(isinstance(e, ItemDone | Completed) for e in before)


async def test_retries_exhausted_fail_with_one_clear_error() -> None:
    with ScriptedModelServer([server_error()] * 3) as server:
        client = make_client(server, request_max_retries=2)
        with pytest.raises(ModelError) as info:
            await collect(client)
    assert str(info.value).startswith("HTTP 500: The server had an error")
    assert str(info.value).endswith("(gave up after 2 retries)")


async def test_hang_hits_the_idle_timeout_then_gives_up() -> None:
    steps = [Hang(after_events=3, timeout_s=10), Hang(after_events=3, timeout_s=10)]
    with ScriptedModelServer(steps) as server:
        client = make_client(server, idle_ms=300, stream_max_retries=1)
        started = time.monotonic()
        with pytest.raises(
            ModelError, match=r"no data from the model for 0.3s \(gave up after 1 retries\)"
        ):
            await collect(client)
        assert time.monotonic() - started < 5


async def test_server_not_listening_fails_in_bounded_time() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = ModelProvider(
        name="down", base_url=f"http://127.0.0.1:{port}/v1", env_key=None, request_max_retries=2
    )
    client = ModelClient("down", provider, backoff_base_s=0.01)
    events = []
    with pytest.raises(
        ModelError,
        match=rf"^cannot reach http://127.0.0.1:{port}/v1: .*\(gave up after 2 retries\)$",
    ):
        async with asyncio.timeout(20):
            async for event in client.stream(request()):
                events.append(event)
    assert [e.attempt for e in events] == [1, 2]


async def test_401_is_not_retried_and_says_what_to_check(monkeypatch) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", "sk-wrong")
    with ScriptedModelServer([unauthorized(), Reply([Message("never")])]) as server:
        provider = ModelProvider(name="x", base_url=server.base_url, env_key="SCRIPTED_KEY")
        with pytest.raises(ModelError) as info:
            await collect(ModelClient("x", provider))
        assert len(server.requests) == 1
        assert server.requests[0].headers["authorization"] == "Bearer sk-wrong"
    assert info.value.kind == "auth"
    assert "HTTP 401" in str(info.value) and "check SCRIPTED_KEY" in str(info.value)


async def test_missing_key_is_reported_before_any_request(monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    provider = ModelProvider(
        name="OpenAI", base_url="http://127.0.0.1:9/v1", env_key="OPENAI_API_KEY"
    )
    with pytest.raises(ModelError) as info:
        await collect(ModelClient("openai", provider))
    assert info.value.kind == "auth"
    assert str(info.value).startswith(
        "OPENAI_API_KEY is not set: `export OPENAI_API_KEY=<your key>`"
    )


async def test_context_length_error_is_classified() -> None:
    with ScriptedModelServer([context_length_exceeded()]) as server:
        with pytest.raises(ModelError) as info:
            await collect(make_client(server))
    assert info.value.kind == "context_window"


async def test_failed_response_is_a_clear_error() -> None:
    reply = Reply([Message("partial")], end=Failed(code="invalid_prompt", message="bad prompt"))
    with ScriptedModelServer([reply]) as server:
        with pytest.raises(ModelError, match="the model server failed the response: bad prompt"):
            await collect(make_client(server))


@pytest.mark.parametrize("wire", ["responses", "chat"])
async def test_the_body_on_the_wire_is_our_request_as_built(wire: str) -> None:
    """The SDK gets the body ready-made (no typed transform over the history): what
    the server receives is exactly what the wire module built, byte for byte in
    JSON terms, the streaming flag added."""
    from codex_tui.agent import wire_chat, wire_responses
    from codex_tui.agent.items import assistant_message, call_output, user_message

    items = [
        user_message("hi ünïcode \u2028"),
        assistant_message("yo", "msg_1"),
        {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": '{"a": 1}'},
        call_output("c1", "out"),
    ]
    req = ModelRequest(
        model="m",
        instructions="be nice",
        input=items,
        tools=responses_tools(),
        reasoning_effort="low",
        max_output_tokens=100,
        cache_key="session-1",
    )
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        client = make_client(server, wire)
        [_ async for _ in client.stream(req)]
        await client.close()
        body = server.bodies[0]
    built = (wire_chat if wire == "chat" else wire_responses).request_params(req)
    assert body == {**built, "stream": True}


@pytest.mark.parametrize("wire", ["responses", "chat"])
async def test_a_client_warmed_up_on_a_thread_serves_the_loop(wire: str) -> None:
    # The TUI builds the SDK's client on a worker thread while the person types;
    # the first request then uses that client from the event loop.
    with ScriptedModelServer() as server:
        server.add(Reply([Message("warm")]))
        client = make_client(server, wire)
        await asyncio.to_thread(client.warm_up)
        built = client._client
        assert built is not None and client.client() is built
        events = await collect(client)
        assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "warm"
        assert len(server.requests) == 1
        assert server.requests[0].path.endswith(
            "/chat/completions" if wire == "chat" else "/responses"
        )


async def test_a_request_during_the_warm_up_waits_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Enter pressed while the warm-up thread still imports the SDK: the request waits
    # for that client on a worker thread, so the loop keeps drawing keys meanwhile.
    building = threading.Event()
    build = ModelClient.client

    def slow_client(self: ModelClient):
        with self._client_lock:
            if self._client is None:
                building.set()
                time.sleep(0.4)  # the SDK's import, on a small machine
        return build(self)

    monkeypatch.setattr(ModelClient, "client", slow_client)
    with ScriptedModelServer([Reply([Message("after the warm-up")])]) as server:
        client = make_client(server)
        warming = asyncio.create_task(asyncio.to_thread(client.warm_up))
        await asyncio.to_thread(building.wait, 5)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        started = time.monotonic()
        events = await collect(client)
        waited = time.monotonic() - started
        ticker.cancel()
        await warming
        assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "after the warm-up"
        assert waited > 0.2  # it did wait for the warm-up's client...
        assert ticks >= 10  # ...while the loop ran (blocked, it would not tick at all)
        await client.close()


async def test_warm_up_without_a_key_leaves_the_error_to_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CODEX_TUI_TEST_KEY", raising=False)
    with ScriptedModelServer() as server:
        client = make_client(server)
        client.provider.env_key = "CODEX_TUI_TEST_KEY"
        await asyncio.to_thread(client.warm_up)  # no exception
        assert client._client is None
        with pytest.raises(ModelError, match="CODEX_TUI_TEST_KEY is not set"):
            await collect(client)
