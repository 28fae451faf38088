"""The agent as a library: its events are keyword-only records, and front ends
drive it through enqueue, override, compact and aclose (against the scripted
server, with real commands in the sandbox)."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from tests.agent.fakes import EventLog, FakeApprover
from tests.agent.test_turn_control import make_agent, wait_for

EVENT_TYPES = [
    cls
    for cls in vars(ev).values()
    if inspect.isclass(cls) and issubclass(cls, ev.Event) and cls is not ev.Event
]


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_every_event_is_a_frozen_keyword_only_record(cls: type) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen
    assert all(f.kw_only for f in dataclasses.fields(cls))
    assert "__slots__" in vars(cls)
    # No positional patterns: `case ev.ExecEnd(x, y)` raises instead of binding
    # whatever field happens to come first.
    assert cls.__match_args__ == ()


def test_positional_construction_and_patterns_fail() -> None:
    with pytest.raises(TypeError):
        ev.WarningEvent("positional")  # type: ignore[misc]
    event = ev.WarningEvent(message="by keyword")
    with pytest.raises(TypeError):
        match event:
            case ev.WarningEvent(text):  # type: ignore[misc]
                pass
    match event:
        case ev.WarningEvent(message=text):
            assert text == "by keyword"


async def test_enqueue_starts_at_once_and_queues_while_busy(workspace: Path) -> None:
    log = EventLog()
    slow = Reply([Message("first " * 40)], chunk_size=4, delay_per_delta_s=0.01)
    with ScriptedModelServer([slow, Reply([Message("second")])]) as server:
        agent = await make_agent(server, workspace, log)
        assert agent.enqueue("one") is False
        assert agent.busy  # at once, before the turn's task has run a step
        assert agent.enqueue("two") is True
        assert agent.enqueue("three") is True
        assert agent.queued == ("two", "three")
        await wait_for(lambda: not agent.busy)
        bodies = server.bodies
        await agent.aclose()
    assert [e.user_input for e in log.of(ev.TurnStarted)] == ["one", "two\n\nthree"]
    assert bodies[1]["input"][-1]["content"][0]["text"] == "two\n\nthree"
    queues = [e.queued for e in log.of(ev.QueueChanged)]
    assert queues == [("two",), ("two", "three"), ()]
    assert log.kinds()[-2:] == ["TurnComplete", "Idle"]
    assert len(log.of(ev.Idle)) == 1


async def test_override_mid_turn_holds_from_the_next_request(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply([FunctionCall("shell", {"command": ["sleep", "0.4"]}, call_id="c1")]),
        Reply([FunctionCall("shell", {"command": ["touch", "made.txt"]}, call_id="c2")]),
        Reply([Message("done")]),
    ]
    approver = FakeApprover([ev.ApprovalDecision(decision=ev.ReviewDecision.DENY)])
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, approver, approval_policy="never")
        agent.enqueue("go")
        await wait_for(lambda: bool(log.of(ev.ExecBegin)))
        # The first command is running: change model and policy under it.
        await agent.override(model="gpt-5-mini", approval_policy="untrusted")
        await wait_for(lambda: not agent.busy)
        bodies = server.bodies
        await agent.aclose()
    assert [b["model"] for b in bodies] == ["gpt-5-codex", "gpt-5-mini", "gpt-5-mini"]
    # The running command finished under the old policy; the next one was asked.
    assert log.of(ev.ExecEnd)[0].status == "completed"
    assert [r.call_id for r in approver.requests] == ["c2"]
    assert not (workspace / "made.txt").exists()
    changed = log.of(ev.SettingsChanged)
    assert [(c.model, c.approval_policy, c.sandbox_mode) for c in changed] == [
        ("gpt-5-mini", "untrusted", "workspace-write")
    ]


async def test_override_of_the_sandbox_rebuilds_it(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply([FunctionCall("shell", {"command": ["touch", "new.txt"]}, call_id="c1")]),
        Reply([Message("tried")]),
    ]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, approval_policy="never")
        await agent.override(sandbox_mode="read-only")
        assert agent.tools.env.sandbox.policy.mode == "read-only"
        await agent.submit("write a file")
        await agent.aclose()
    assert not (workspace / "new.txt").exists()
    assert log.of(ev.ExecEnd)[0].exit_code != 0
    assert log.of(ev.SettingsChanged)[0].sandbox_mode == "read-only"


async def test_compact_runs_as_the_agents_work_and_says_when_it_is_done(workspace: Path) -> None:
    log = EventLog()
    script = [Reply([Message("hello")]), Reply([Message("Summary: said hello.")])]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log)
        await agent.submit("hi")
        assert agent.compact() is True
        assert agent.busy and agent.compact() is False  # one thing at a time
        await wait_for(lambda: not agent.busy)
        await agent.aclose()
    kinds = log.kinds()
    assert kinds[-3:] == ["CompactionStarted", "Compacted", "Idle"]
    assert log.of(ev.Compacted)[0].summary == "Summary: said hello."


async def test_aclose_stops_the_turn_and_closes_the_session(workspace: Path) -> None:
    log = EventLog()
    slow = Reply([Message("word " * 400)], chunk_size=2, delay_per_delta_s=0.01)
    with ScriptedModelServer([slow]) as server:
        agent = await make_agent(server, workspace, log)
        agent.enqueue("talk for a long time")
        agent.enqueue("and then this")
        await wait_for(lambda: bool(log.of(ev.AgentMessageDelta)))
        await agent.aclose()
        await agent.aclose()  # twice is fine
        assert not agent.busy
        with pytest.raises(RuntimeError):
            agent.enqueue("too late")
    assert [e.reason for e in log.of(ev.TurnAborted)] == ["interrupted"]
    assert len(log.of(ev.TurnStarted)) == 1  # the queued message was dropped
    path = agent.session_path
    assert path is not None and path.exists()
    assert b"turn_aborted" in path.read_bytes()


async def test_a_bug_in_a_turn_fails_it_in_one_line_and_the_session_goes_on(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codex_tui.agent.tool_calls import ToolRunner

    log = EventLog()
    script = [
        Reply([FunctionCall("update_plan", {"plan": []}, call_id="c1")]),
        Reply([Message("still here")]),
    ]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log)
        monkeypatch.setattr(ToolRunner, "run_calls", boom)
        outcome = await agent.submit("go")
        monkeypatch.undo()
        assert outcome is not None and outcome.status == "failed"
        second = await agent.submit("again")
        bodies = server.bodies
        await agent.aclose()
    failed = log.of(ev.TurnFailed)[0]
    assert failed.message.startswith("internal error (KeyError: 'broken'); details in ")
    assert "\n" not in failed.message
    assert second is not None and second.last_message == "still here"
    # The unanswered call got its output, so the next request was valid.
    outputs = [i for i in bodies[1]["input"] if i.get("type") == "function_call_output"]
    assert [o["call_id"] for o in outputs] == ["c1"]


async def boom(self, calls):  # a stand-in for a bug in the runner
    raise KeyError("broken")


async def test_messages_sent_during_a_compaction_go_after_it(workspace: Path) -> None:
    log = EventLog()
    summary = Reply([Message("Summary.")], chunk_size=1, delay_per_delta_s=0.02)
    with ScriptedModelServer([summary, Reply([Message("answered")])]) as server:
        agent = await make_agent(server, workspace, log)
        assert agent.compact()
        assert agent.enqueue("a question") is True
        await wait_for(lambda: not agent.busy)
        await agent.aclose()
    assert [e.user_input for e in log.of(ev.TurnStarted)] == ["a question"]
    kinds = log.kinds()
    assert kinds.index("Compacted") < kinds.index("TurnStarted")
    assert kinds[-1] == "Idle" and kinds.count("Idle") == 1


async def test_an_interrupt_right_after_sending_stops_that_turn(workspace: Path) -> None:
    log = EventLog()
    with ScriptedModelServer([Reply([Message("never")])]) as server:
        agent = await make_agent(server, workspace, log)
        agent.enqueue("go")
        agent.interrupt()  # before the turn's task has run at all
        await wait_for(lambda: not agent.busy)
        requests = len(server.bodies)
        await agent.aclose()
    assert [e.reason for e in log.of(ev.TurnAborted)] == ["interrupted"]
    assert requests == 0


async def test_what_waits_behind_a_failed_turn_goes_with_the_next_message(
    workspace: Path,
) -> None:
    from codex_tui.scripted import server_error

    log = EventLog()
    slow_failure = [server_error()] * 3
    with ScriptedModelServer([*slow_failure, Reply([Message("ok")])]) as server:
        agent = await make_agent(server, workspace, log)
        agent.enqueue("first")
        agent.enqueue("queued meanwhile")
        await wait_for(lambda: not agent.busy)
        assert agent.queued == ("queued meanwhile",)
        await agent.submit("next")
        await agent.aclose()
    assert [e.user_input for e in log.of(ev.TurnStarted)] == [
        "first",
        "queued meanwhile\n\nnext",
    ]
    assert log.of(ev.QueueChanged)[-1].queued == ()


async def test_overrides_at_once_both_hold(workspace: Path) -> None:
    import asyncio

    log = EventLog()
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        agent = await make_agent(server, workspace, log, approval_policy="never")
        await asyncio.gather(
            agent.override(sandbox_mode="read-only"), agent.override(model="gpt-4.1")
        )
        await agent.submit("hi")
        bodies = server.bodies
        await agent.aclose()
    assert agent.config is not None
    assert (agent.config.model, agent.config.sandbox_mode) == ("gpt-4.1", "read-only")
    assert bodies[0]["model"] == "gpt-4.1"
    last = log.of(ev.SettingsChanged)[-1]
    assert (last.model, last.sandbox_mode) == ("gpt-4.1", "read-only")


async def test_requests_of_a_session_share_a_prompt_cache_key(workspace: Path) -> None:
    log = EventLog()
    with ScriptedModelServer([Reply([Message("a")]), Reply([Message("b")])]) as server:
        agent = await make_agent(server, workspace, log)
        await agent.submit("one")
        agent.client.provider.wire_api = "chat"
        await agent.submit("two")
        bodies = server.bodies
        await agent.aclose()
    assert bodies[0]["prompt_cache_key"] == agent.session_id
    assert "prompt_cache_key" not in bodies[1]  # the chat wire: other servers may refuse it


async def test_a_server_without_usage_gets_an_estimate_marked_as_one(workspace: Path) -> None:
    from codex_tui.scripted import RawEvents

    silent = RawEvents(
        [
            {
                "type": "response.output_item.done",
                "item": {"type": "message", "role": "assistant", "content": "hi " * 100},
            },
            {"type": "response.completed", "response": {"id": "r1"}},
        ]
    )
    log = EventLog()
    with ScriptedModelServer([silent]) as server:
        agent = await make_agent(server, workspace, log)
        await agent.submit("count me")
        status = agent.status()
        await agent.aclose()
    count = log.of(ev.TokenCount)[-1]
    assert count.estimated and count.last.input_tokens > 100 and count.last.output_tokens >= 75
    assert status.estimated and status.total_tokens == count.total.total_tokens
