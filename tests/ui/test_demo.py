"""The demo's script, run through the real agent: the first impression ends on
its answer, with the plan done, and asks the model nothing more."""

from __future__ import annotations

import shutil

from codex_tui.agent import events as ev
from codex_tui.agent.session import build_agent
from codex_tui.config import Config
from codex_tui.scripted import ScriptedModelServer
from codex_tui.ui import demo
from tests.agent.fakes import EventLog, FakeApprover

APPROVE = ev.ApprovalDecision(decision=ev.ReviewDecision.APPROVE)


async def test_the_demo_turn_ends_on_its_answer(isolated_home) -> None:
    root = demo.make_workspace()
    log = EventLog()
    try:
        with ScriptedModelServer(demo.script()) as server:
            config = demo.demo_config(Config(), server)
            agent = await build_agent(
                config, root, FakeApprover([APPROVE, APPROVE]), log, record=False
            )
            outcome = await agent.submit(demo.PROMPT)
            requests = len(server.bodies)
            await agent.aclose()
        patched = (root / "greet.py").read_text()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert outcome is not None and outcome.status == "completed"
    assert outcome.last_message == demo.FINAL
    assert [m.text for m in log.of(ev.AgentMessage)][-1] == demo.FINAL
    assert demo.AFTER not in [m.text for m in log.of(ev.AgentMessage)]
    assert requests == 5
    assert all(s.status == "completed" for s in log.of(ev.PlanUpdated)[-1].plan)
    assert "shout" in patched
    assert log.of(ev.ExecEnd)[0].exit_code == 0
