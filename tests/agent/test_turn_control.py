"""Interrupts, parallel calls, queued input, compaction and failures of a turn."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.agent.controller import ABORTED_OUTPUT
from codex_tui.agent.session import build_agent
from codex_tui.scripted import (
    FunctionCall,
    Hang,
    Message,
    Reply,
    ScriptedModelServer,
    Usage,
    context_length_exceeded,
    server_error,
)
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover


async def make_agent(server, workspace, log, approver=None, **config_overrides):
    config = scripted_config(server, **config_overrides)
    return await build_agent(
        config, workspace, approver or FakeApprover(), log, client=fast_client(config)
    )


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


async def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def test_interrupt_during_stream_then_next_turn_works(workspace: Path) -> None:
    log = EventLog()
    slow = Reply([Message("word " * 400)], chunk_size=5, delay_per_delta_s=0.01)
    with ScriptedModelServer([slow, Reply([Message("fresh answer")])]) as server:
        agent = await make_agent(server, workspace, log)
        turn = asyncio.create_task(agent.submit("write a lot"))
        await wait_for(lambda: len(log.of(ev.AgentMessageDelta)) >= 3)
        agent.interrupt()
        outcome = await asyncio.wait_for(turn, 5)
        assert outcome.status == "aborted"
        assert log.of(ev.TurnAborted)[0].reason == "interrupted"
        second = await asyncio.wait_for(agent.submit("again"), 10)
        assert second.status == "completed" and second.last_message == "fresh answer"
        assert len(server.bodies) == 2


async def test_interrupt_during_long_command_kills_it_and_answers_the_call(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply(
            [
                FunctionCall(
                    "shell", {"command": ["sleep", "30"], "timeout_ms": 60000}, call_id="c_sleep"
                )
            ]
        ),
        Reply([Message("ok, stopped")]),
    ]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, approval_policy="never")
        turn = asyncio.create_task(agent.submit("sleep"))
        await wait_for(lambda: bool(log.of(ev.ExecBegin)))
        started = time.monotonic()
        agent.interrupt()
        outcome = await asyncio.wait_for(turn, 5)
        assert time.monotonic() - started < 3
        assert outcome.status == "aborted"
        assert log.of(ev.ExecEnd)[0].status == "aborted"
        await agent.submit("what happened?")
        assert outputs(server.bodies[1])["c_sleep"] == ABORTED_OUTPUT


async def test_parallel_read_only_calls_and_ordered_outputs(workspace: Path) -> None:
    log = EventLog()
    calls = [
        FunctionCall("read_file", {"path": "notes.txt"}, call_id="r1"),
        FunctionCall("shell", {"command": ["echo", "one"]}, call_id="s1"),
        FunctionCall("git_status", {}, call_id="g1"),
        FunctionCall("shell", {"command": ["echo", "two"]}, call_id="s2"),
        FunctionCall("no_such_tool", {}, call_id="bad"),
    ]
    with ScriptedModelServer([Reply(calls), Reply([Message("read")])]) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("look around")
        body = server.bodies[1]
    assert outcome.status == "completed"
    sent = [i["call_id"] for i in body["input"] if i.get("type") == "function_call_output"]
    assert sent == ["r1", "s1", "g1", "s2", "bad"]
    out = outputs(body)
    assert "1\talpha" in out["r1"]
    assert out["s1"].endswith("one\n") and out["s2"].endswith("two\n")
    assert out["g1"].startswith("## main")
    assert out["bad"].startswith("error: unknown tool `no_such_tool`")
    # Commands ran one at a time, in the order given.
    begins = [e.call_id for e in log.of(ev.ExecBegin)]
    assert begins == ["s1", "s2"]


async def test_queued_message_is_delivered_when_the_turn_ends(workspace: Path) -> None:
    log = EventLog()
    slow = Reply([Message("first " * 50)], chunk_size=5, delay_per_delta_s=0.01)
    with ScriptedModelServer([slow, Reply([Message("second")])]) as server:
        agent = await make_agent(server, workspace, log)
        turn = asyncio.create_task(agent.submit("one"))
        await wait_for(lambda: bool(log.of(ev.AgentMessageDelta)))
        assert await agent.submit("two, queued") is None
        outcome = await asyncio.wait_for(turn, 10)
        assert outcome.last_message == "second"
        texts = [str(i) for i in server.bodies[1]["input"]]
        assert any("two, queued" in t for t in texts)
    assert [e.user_input for e in log.of(ev.TurnStarted)] == ["one", "two, queued"]


async def test_auto_compaction_from_usage(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply([Message("big answer")], usage=Usage(input_tokens=950, output_tokens=10)),
        Reply([Message("SUMMARY: the person asked twice.")]),
        Reply([Message("after compaction")], usage=Usage(input_tokens=100, output_tokens=5)),
    ]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, model_context_window=1000)
        await agent.submit("first request")
        outcome = await agent.submit("second request")
        bodies = server.bodies
    assert outcome.last_message == "after compaction"
    (compacted,) = log.of(ev.Compacted)
    assert compacted.automatic and "SUMMARY" in compacted.summary
    assert bodies[1]["tools"] == []  # the summary request
    final = [str(i) for i in bodies[2]["input"]]
    assert any("SUMMARY: the person asked twice." in t for t in final)
    assert any("first request" in t for t in final)
    assert not any("big answer" in t for t in final)


async def test_context_length_error_compacts_and_retries_once(workspace: Path) -> None:
    log = EventLog()
    script = [context_length_exceeded(), Reply([Message("summary")]), Reply([Message("fits now")])]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("hello")
    assert outcome.last_message == "fits now"
    assert len(log.of(ev.Compacted)) == 1


async def test_retries_exhausted_fail_the_turn_with_one_error(workspace: Path) -> None:
    log = EventLog()
    with ScriptedModelServer([server_error()] * 3) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("hello")
    assert outcome.status == "failed"
    assert [e.attempt for e in log.of(ev.StreamRetry)] == [1, 2]
    (failed,) = log.of(ev.TurnFailed)
    assert failed.message.endswith("(gave up after 2 retries)")


async def test_hang_times_out(workspace: Path) -> None:
    log = EventLog()
    with ScriptedModelServer([Hang(timeout_s=10)] * 3) as server:
        config = scripted_config(server)
        config.provider.stream_idle_timeout_ms = 200
        config.provider.request_max_retries = 0
        config.provider.stream_max_retries = 0
        agent = await build_agent(
            config, workspace, FakeApprover(), log, client=fast_client(config)
        )
        outcome = await asyncio.wait_for(agent.submit("hello"), 10)
    assert outcome.status == "failed"


async def test_abort_from_approval_ends_the_turn(workspace: Path) -> None:
    log = EventLog()
    approver = FakeApprover([ev.ApprovalDecision(decision=ev.ReviewDecision.ABORT)])
    script = [Reply([FunctionCall("shell", {"command": ["rm", "-rf", "build"]}, call_id="c_rm")])]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, approver)
        outcome = await agent.submit("clean")
    assert outcome.status == "aborted"
    assert "approval" in log.of(ev.TurnAborted)[0].reason
    assert agent.conversation.items[-1] == {
        "type": "function_call_output",
        "call_id": "c_rm",
        "output": ABORTED_OUTPUT,
    }


@pytest.mark.parametrize("wire", ["responses", "chat"])
async def test_both_wires_give_the_same_events(workspace: Path, wire: str) -> None:
    log = EventLog()
    script = [
        Reply([Message("Listing."), FunctionCall("shell", {"command": ["ls"]}, call_id="c1")]),
        Reply([Message("There is notes.txt.")]),
    ]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, approval_policy="never")
        agent.client.provider.wire_api = wire
        outcome = await agent.submit("what is here?")
    assert outcome.last_message == "There is notes.txt."
    assert log.kinds()[1:] == [
        "TurnStarted",
        "AgentMessage",
        "TokenCount",
        "ExecBegin",
        "ExecEnd",
        "AgentMessage",
        "TokenCount",
        "TurnComplete",
        "Idle",
    ]
