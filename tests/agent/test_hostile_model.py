"""A model server's hostile or broken bytes, end to end through `codex-tui exec`:
every case ends in a finished turn or one readable line, never a traceback, and
a malformed call still gets an output the model can read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codex_tui.scripted import (
    DropConnection,
    Hang,
    Message,
    RawBody,
    RawEvents,
    Reply,
    ScriptedModelServer,
)
from tests.agent.test_exec_cli import run_exec

DONE = {"type": "response.completed", "response": {"id": "r1", "usage": None}}


def item(raw: Any) -> dict[str, Any]:
    return {"type": "response.output_item.done", "item": raw}


def call(**fields: Any) -> dict[str, Any]:
    return {
        "type": "function_call",
        "name": "shell",
        "arguments": '{"command": ["true"]}',
        "call_id": "c1",
        **fields,
    }


# name -> (events of the first reply, what the model is told about its call, or None)
RESPONSES = {
    # A call without a usable id runs under one of ours.
    "call without call_id": ([item(call(call_id=None)), DONE], "Exit code: 0"),
    "call_id an object": ([item(call(call_id={"a": 1})), DONE], "Exit code: 0"),
    "arguments an array": ([item(call(arguments="[1, 2]")), DONE], "must be a JSON object"),
    "arguments an integer": ([item(call(arguments="5")), DONE], "must be a JSON object"),
    "arguments an object, not text": (
        [item(call(arguments={"command": ["echo", "x"]})), DONE],
        "Exit code: 0",
    ),
    "5,000-digit number": (
        [item(call(arguments='{"command": ["true"], "timeout_ms": ' + "9" * 5000 + "}")), DONE],
        "number too long",
    ),
    "timeout_ms 1e400": (
        [item(call(arguments='{"command": ["true"], "timeout_ms": 1e400}')), DONE],
        "must be an integer",
    ),
    "100k-deep arguments": (
        [item(call(arguments='{"command": ' + "[" * 100_000 + "]" * 100_000 + "}")), DONE],
        "nested too deeply",
    ),
    "item null": ([item(None), DONE], None),
    "item a string": ([item("hello"), DONE], None),
    "content a number": (
        [item({"type": "message", "role": "assistant", "content": 7}), DONE],
        None,
    ),
    "text delta an object": (
        [{"type": "response.output_text.delta", "item_id": "m", "delta": {"x": 1}}, DONE],
        None,
    ),
    "events that are not objects": (["[1, 2]", "42", "null", DONE], None),
    "usage of the wrong types": (
        [{"type": "response.completed", "response": {"id": 5, "usage": {"input_tokens": "x"}}}],
        None,
    ),
}


@pytest.mark.parametrize("name", list(RESPONSES))
def test_responses_wire_survives(name: str, workspace: Path, isolated_home: Path) -> None:
    events, told = RESPONSES[name]
    steps = [RawEvents(events), Reply([Message("recovered")])]
    with ScriptedModelServer(steps) as server:
        result = run_exec(server, workspace, isolated_home, "--json", "go")
        bodies = server.bodies
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["type"] == "turn.completed"
    if told is not None:
        outputs = [i for i in bodies[1]["input"] if i.get("type") == "function_call_output"]
        assert len(outputs) == 1 and told in outputs[0]["output"]


def test_a_reused_call_id_gets_its_own_output(workspace: Path, isolated_home: Path) -> None:
    one = call(call_id="same", arguments='{"command": ["echo", "one"]}')
    two = call(call_id="same", arguments='{"command": ["echo", "two"]}')
    steps = [RawEvents([item(one), item(two), DONE]), Reply([Message("ok")])]
    with ScriptedModelServer(steps) as server:
        result = run_exec(server, workspace, isolated_home, "go")
        sent = server.bodies[1]["input"]
    assert result.returncode == 0, result.stderr
    calls = [i["call_id"] for i in sent if i.get("type") == "function_call"]
    outputs = {i["call_id"]: i["output"] for i in sent if i.get("type") == "function_call_output"}
    assert calls == ["same", "same-2"]
    assert "one" in outputs["same"] and "two" in outputs["same-2"]
    assert "reused the call id 'same'" in result.stderr


def chunk(delta: Any = None, finish: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": "x",
        "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}],
    } | fields


CHAT = {
    "content an object": [chunk({"content": {"a": 1}}), chunk(finish="stop"), "[DONE]"],
    "choices not a list": [{"id": "x", "choices": 5}, chunk(finish="stop"), "[DONE]"],
    "a choice not an object": [{"id": "x", "choices": [5]}, chunk(finish="stop"), "[DONE]"],
    "tool name a number": [
        chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": 5}}]}),
        chunk(finish="tool_calls"),
        "[DONE]",
    ],
    "tool id an object": [
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": {"a": 1}, "function": {"name": "shell", "arguments": "{}"}}
                ]
            }
        ),
        chunk(finish="tool_calls"),
        "[DONE]",
    ],
    "usage a string": [chunk({"content": "hi"}), chunk(finish="stop", usage="lots"), "[DONE]"],
    "a chunk that is a list": [[1, 2], chunk({"content": "hi"}, "stop"), "[DONE]"],
}


@pytest.mark.parametrize("name", list(CHAT))
def test_chat_wire_survives(name: str, workspace: Path, isolated_home: Path) -> None:
    steps = [RawEvents(CHAT[name]), Reply([Message("recovered")])]
    with ScriptedModelServer(steps) as server:
        result = run_exec(
            server, workspace, isolated_home, "-c", "model_providers.scripted.wire_api=chat", "go"
        )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr


# What a misconfigured or broken server does, and the one line the person reads.
FAILURES = {
    "an HTML page with 200": (RawBody(), "answered with an HTML page, not an event stream"),
    "an HTML 404": (
        RawBody(404, "<html><head><title>404 Not Found</title></head></html>"),
        "HTTP 404 from http://127.0.0.1",
    ),
    "silence before the headers": (
        Hang(after_events=None, timeout_s=5),
        "no answer from http://127.0.0.1",
    ),
    "streams that close before their first byte": (
        DropConnection(after_events=0, graceful=True),
        "stream: false",
    ),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_a_broken_server_is_one_line(name: str, workspace: Path, isolated_home: Path) -> None:
    step, said = FAILURES[name]
    with ScriptedModelServer([step] * 4) as server:
        result = run_exec(
            server,
            workspace,
            isolated_home,
            "-c",
            "model_providers.scripted.stream_idle_timeout_ms=800",
            "-c",
            "model_providers.scripted.stream_max_retries=1",
            "go",
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and said in errors[0], result.stderr


@pytest.mark.parametrize("wire", ["responses", "chat"])
def test_stream_false_sends_plain_requests(wire: str, workspace: Path, isolated_home) -> None:
    from codex_tui.scripted import FunctionCall

    steps = [
        Reply([FunctionCall("shell", {"command": ["echo", "plain"]}, call_id="c1")]),
        Reply([Message("done without streaming")]),
    ]
    with ScriptedModelServer(steps) as server:
        result = run_exec(
            server,
            workspace,
            isolated_home,
            "-c",
            "model_providers.scripted.stream=false",
            "-c",
            f"model_providers.scripted.wire_api={wire}",
            "go",
        )
        bodies = server.bodies
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done without streaming"
    assert [b.get("stream") for b in bodies] == [False, False]
    outputs = [
        i for i in bodies[1].get("input", bodies[1].get("messages", [])) if "plain" in str(i)
    ]
    assert outputs


def test_a_huge_timeout_from_the_model_is_capped(workspace: Path, isolated_home) -> None:
    from codex_tui.scripted import FunctionCall

    ask = {"command": ["sleep", "30"], "timeout_ms": 10**30}
    steps = [Reply([FunctionCall("shell", ask, call_id="c1")]), Reply([Message("ok")])]
    with ScriptedModelServer(steps) as server:
        result = run_exec(
            server,
            workspace,
            isolated_home,
            "-c",
            "command_max_timeout_ms=500",
            "-c",
            "approval_policy=never",
            "go",
        )
        sent = server.bodies[1]["input"]
    assert result.returncode == 0, result.stderr
    output = next(i["output"] for i in sent if i.get("type") == "function_call_output")
    assert "timed out" in output
