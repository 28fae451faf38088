"""What the agent reports of an answer whose stream stops before it is complete
(interrupted, failed, dropped and retried), and the figures of a compaction
(#15: resume keeps the streamed part of an interrupted answer; transcript noise)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.controller import Agent
from codex_tui.scripted import (
    DropConnection,
    Hang,
    Message,
    Reply,
    ScriptedModelServer,
    Usage,
)
from tests.agent.fakes import EventLog
from tests.agent.test_turn_control import make_agent, wait_for

# The scripted stream: created, in_progress, item added, part added, then deltas of 8.
PARTIAL = "This answer is c"  # two deltas of the default cut-off reply


def hanging_answer() -> ScriptedModelServer:
    """A server whose answer stalls after PARTIAL has streamed."""
    return ScriptedModelServer([Hang(after_events=6, timeout_s=20)])


async def interrupt_mid_answer(agent: Agent, log: EventLog) -> None:
    turn = asyncio.create_task(agent.submit("explain"))
    await wait_for(lambda: len(log.of(ev.AgentMessageDelta)) == 2)
    agent.interrupt()
    await asyncio.wait_for(turn, 5)


async def test_an_interrupted_answer_is_reported_with_what_had_streamed(workspace: Path) -> None:
    log = EventLog()
    with hanging_answer() as server:
        agent = await make_agent(server, workspace, log)
        await interrupt_mid_answer(agent, log)
    (cut,) = log.of(ev.AgentMessageCutOff)
    assert (cut.text, cut.reason) == (PARTIAL, "interrupted")
    assert cut.item_id == log.of(ev.AgentMessageDelta)[0].item_id
    kinds = log.kinds()
    assert kinds.index("AgentMessageCutOff") < kinds.index("TurnAborted")
    # What the model sees next time is unchanged: the partial answer is not history.
    assert PARTIAL not in str(agent.conversation.items)


async def test_a_dropped_stream_reports_its_partial_answer_before_the_retry(
    workspace: Path,
) -> None:
    log = EventLog()
    script = [DropConnection(after_events=6), Reply([Message("The whole answer.")])]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("explain")
    assert outcome.last_message == "The whole answer."
    (cut,) = log.of(ev.AgentMessageCutOff)
    assert (cut.text, cut.reason) == (PARTIAL, "dropped")
    kinds = log.kinds()
    assert kinds.index("AgentMessageCutOff") < kinds.index("StreamRetry")
    assert [m.text for m in log.of(ev.AgentMessage)] == ["The whole answer."]


async def test_a_failed_request_reports_its_partial_answer(workspace: Path) -> None:
    log = EventLog()
    drops = [DropConnection(after_events=6) for _ in range(3)]  # one try and two retries
    with ScriptedModelServer(drops) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("explain")
    assert outcome.status == "failed"
    reasons = [c.reason for c in log.of(ev.AgentMessageCutOff)]
    assert reasons == ["dropped", "dropped", "failed"]


async def test_a_complete_answer_is_never_reported_cut_off(workspace: Path) -> None:
    log = EventLog()
    whole = Reply([Message("All of it.")])
    # The message item is done (9 events) when the stream drops: nothing was cut off.
    with ScriptedModelServer([DropConnection(after_events=9, reply=whole), whole]) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("explain")
    assert outcome.status == "completed" and len(log.of(ev.StreamRetry)) == 1
    assert log.of(ev.AgentMessageCutOff) == []


async def test_compaction_reports_the_context_before_and_after(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply([Message("first answer " * 50)]),
        Reply([Message("SUMMARY OF WORK")], usage=Usage(input_tokens=182_000, output_tokens=40)),
    ]
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log)
        await agent.submit("hello")
        assert agent.compact()
        await wait_for(lambda: bool(log.of(ev.Idle)) and not agent.busy)
    (compacted,) = log.of(ev.Compacted)
    # Before: what the summary request sent, as the server counted it.
    assert compacted.tokens_before == 182_000
    # After: estimated from the new history (no request has used it yet), about
    # four characters a token of what the next request sends.
    request = agent._request()
    sent = len(request.instructions) + len(str(request.input)) + len(str(request.tools))
    assert 0 < compacted.tokens_after < compacted.tokens_before
    assert abs(compacted.tokens_after - sent / 4) < sent / 20


def test_exec_prints_a_cut_off_answer_as_such() -> None:
    from codex_tui.exec.human import ProgressPrinter

    out: list[str] = []
    ProgressPrinter(out.append)(
        ev.AgentMessageCutOff(item_id="m", text="Half an", reason="dropped")
    )
    assert out == ["codex (cut off, dropped): Half an\n"]
