"""What a session file keeps for a resume to show (#15 bug 8): the streamed part of
an interrupted answer, the person's reason for declining, the figures of a
compaction, and a queued message after the turn it waited for."""

from __future__ import annotations

import asyncio
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.session import build_agent
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer, Usage
from codex_tui.sessions import read_session
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover
from tests.agent.test_cut_off_and_compaction_figures import (
    PARTIAL,
    hanging_answer,
    interrupt_mid_answer,
)
from tests.agent.test_turn_control import wait_for


async def recording_agent(server, workspace: Path, log: EventLog, approver=None, **overrides):
    config = scripted_config(server, **overrides)
    return await build_agent(
        config, workspace, approver or FakeApprover(), log, client=fast_client(config)
    )


async def test_the_streamed_part_of_an_interrupted_answer_is_recorded(workspace: Path) -> None:
    log = EventLog()
    with hanging_answer() as server:
        agent = await recording_agent(server, workspace, log)
        await interrupt_mid_answer(agent, log)
        path = agent.session_path
        await agent.aclose()
    assert path is not None
    transcript = read_session(path).transcript
    kinds = [type(e).__name__ for e in transcript]
    assert kinds[-2:] == ["AgentMessageCutOff", "TurnAborted"]
    cut = transcript[-2]
    assert isinstance(cut, ev.AgentMessageCutOff)
    assert (cut.text, cut.reason) == (PARTIAL, "interrupted")


async def test_compaction_figures_survive_the_file(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply([Message("first answer")]),
        Reply([Message("SUMMARY")], usage=Usage(input_tokens=9_000, output_tokens=10)),
    ]
    with ScriptedModelServer(script) as server:
        agent = await recording_agent(server, workspace, log)
        await agent.submit("hello")
        agent.compact()
        await wait_for(lambda: bool(log.of(ev.Compacted)) and not agent.busy)
        path = agent.session_path
        await agent.aclose()
    assert path is not None
    (live,) = log.of(ev.Compacted)
    (read,) = [e for e in read_session(path).transcript if isinstance(e, ev.Compacted)]
    assert (read.summary, read.tokens_before, read.tokens_after) == (
        "SUMMARY",
        9_000,
        live.tokens_after,
    )


async def test_a_declined_patch_keeps_the_reason_typed(workspace: Path) -> None:
    """The recorder and reader keep ExecEnd/PatchEnd feedback (the agent's tool
    runner fills it in from the approval dialog's text)."""
    from codex_tui.sessions import SessionRecorder
    from codex_tui.sessions.files import session_path
    from codex_tui.sessions.recorder import meta_payload

    meta = meta_payload("0b6e1d5c-1111-4222-8333-944455556666", workspace, "m", "openai", {})
    recorder = SessionRecorder.create(session_path(meta["id"]), meta)
    emit = recorder.wrap(EventLog())
    emit(ev.TurnStarted(turn_id="t1", user_input="tidy up"))
    emit(ev.PatchBegin(call_id="p1", changes=(), diff="--- a/x\n+++ b/x\n"))
    ended = ev.PatchEnd(
        call_id="p1",
        changes=(),
        success=False,
        output="declined",
        status="declined",
        feedback="keep the old name",
    )
    emit(ended)
    emit(ev.TurnComplete(turn_id="t1", last_message=None, usage=ev.TokenUsage(), duration_s=1))
    recorder.close()
    (read,) = [e for e in read_session(recorder.path).transcript if isinstance(e, ev.PatchEnd)]
    assert read.feedback == "keep the old name"


async def test_a_queued_message_is_recorded_after_the_turn_it_waited_for(workspace: Path) -> None:
    log = EventLog()
    script = [
        Reply([Message("first " * 40)], chunk_size=20, delay_per_delta_s=0.05),
        Reply([Message("second")]),
    ]
    with ScriptedModelServer(script) as server:
        agent = await recording_agent(server, workspace, log)
        first = asyncio.create_task(agent.submit("one"))
        await wait_for(lambda: bool(log.of(ev.AgentMessageDelta)))
        agent.enqueue("two")
        await asyncio.wait_for(first, 10)
        await wait_for(lambda: not agent.busy)
        path = agent.session_path
        await agent.aclose()
    assert path is not None
    kinds = [
        (type(e).__name__, getattr(e, "text", ""))
        for e in read_session(path).transcript
        if isinstance(e, ev.UserMessage | ev.TurnComplete)
    ]
    assert kinds == [
        ("UserMessage", "one"),
        ("TurnComplete", ""),
        ("UserMessage", "two"),
        ("TurnComplete", ""),
    ]


async def test_the_last_applied_patch_keeps_its_diff(workspace: Path) -> None:
    files = [f"file{n:02}.py" for n in range(20)]
    patch = "*** Begin Patch\n" + "".join(
        f"*** Add File: {f}\n+x = {i}\n" for i, f in enumerate(files)
    )
    patch += "*** End Patch\n"
    log = EventLog()
    script = [Reply([FunctionCall("apply_patch", {"input": patch})]), Reply([Message("Done.")])]
    with ScriptedModelServer(script) as server:
        agent = await recording_agent(server, workspace, log, approval_policy="never")
        await agent.submit("add twenty files")
        path = agent.session_path
        await agent.aclose()
    assert path is not None
    transcript = read_session(path).transcript
    (begin,) = [e for e in transcript if isinstance(e, ev.PatchBegin)]
    assert all(f"+++ b/{f}" in begin.diff for f in files)
