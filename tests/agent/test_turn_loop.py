"""Whole turns against the scripted server: tools, approvals, denials, plans."""

from __future__ import annotations

import json
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.session import build_agent
from codex_tui.scripted import FunctionCall, Message, Reasoning, Reply, ScriptedModelServer, Usage
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover

ADD_HELLO = """*** Begin Patch
*** Add File: hello.txt
+hello from the patch
*** Update File: notes.txt
@@
 alpha
-beta
+gamma
*** End Patch
"""


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


async def test_multi_step_scenario(workspace: Path, isolated_home: Path) -> None:
    plan = {
        "explanation": "Small change",
        "plan": [
            {"step": "Write hello.txt", "status": "in_progress"},
            {"step": "Check it", "status": "pending"},
        ],
    }
    script = [
        Reply(
            [
                Reasoning("The person wants a greeting file."),
                Message("I'll plan, then write the file."),
                FunctionCall("update_plan", plan, call_id="c_plan"),
                FunctionCall("apply_patch", {"input": ADD_HELLO}, call_id="c_patch"),
            ],
            usage=Usage(input_tokens=1000, output_tokens=50),
        ),
        Reply(
            [
                FunctionCall("shell", {"command": ["cat", "hello.txt"]}, call_id="c_cat"),
                FunctionCall(
                    "shell",
                    {
                        "command": ["touch", "/etc/codex-tui-test"],
                        "with_escalated_permissions": True,
                        "justification": "need to write to /etc",
                    },
                    call_id="c_escalate",
                ),
            ],
            usage=Usage(input_tokens=1200, output_tokens=20),
        ),
        Reply(
            [Message("Done: hello.txt says hello.")],
            usage=Usage(input_tokens=1500, output_tokens=10),
        ),
    ]
    approver = FakeApprover(
        [ev.ApprovalDecision(decision=ev.ReviewDecision.DENY, feedback="do not touch /etc")]
    )
    log = EventLog()
    with ScriptedModelServer(script) as server:
        config = scripted_config(server)
        agent = await build_agent(config, workspace, approver, log, client=fast_client(config))
        outcome = await agent.submit("add a hello file")
        bodies = server.bodies

    assert outcome.status == "completed"
    assert outcome.last_message == "Done: hello.txt says hello."
    # Files on disk.
    assert (workspace / "hello.txt").read_text() == "hello from the patch\n"
    assert (workspace / "notes.txt").read_text() == "alpha\ngamma\n"
    assert not Path("/etc/codex-tui-test").exists()
    # Events, in order.
    kinds = log.kinds()
    assert kinds[0] == "SessionConfigured"
    assert kinds[1] == "TurnStarted"
    assert kinds.index("Reasoning") < kinds.index("AgentMessage") < kinds.index("PlanUpdated")
    assert kinds[-2:] == ["TurnComplete", "Idle"]
    (plan_event,) = log.of(ev.PlanUpdated)
    assert [s.status for s in plan_event.plan] == ["in_progress", "pending"]
    (patch_end,) = log.of(ev.PatchEnd)
    assert patch_end.success and {c.path for c in patch_end.changes} == {"hello.txt", "notes.txt"}
    cat_end = next(e for e in log.of(ev.ExecEnd) if e.call_id == "c_cat")
    assert cat_end.exit_code == 0 and "hello from the patch" in cat_end.output
    denied = next(e for e in log.of(ev.ExecEnd) if e.call_id == "c_escalate")
    assert denied.status == "declined"
    # The escalation asked the person, with the model's justification.
    (request,) = approver.requests
    assert isinstance(request, ev.CommandApprovalRequest)
    assert request.justification == "need to write to /etc"
    # Request bodies: every call answered with the matching call_id.
    assert len(bodies) == 3
    second = outputs(bodies[1])
    assert set(second) == {"c_plan", "c_patch"}
    assert second["c_plan"] == "Plan updated"
    assert "hello.txt" in second["c_patch"]
    third = outputs(bodies[2])
    assert third["c_cat"].startswith("Exit code: 0")
    assert "hello from the patch" in third["c_cat"]
    assert "declined" in third["c_escalate"] and "do not touch /etc" in third["c_escalate"]
    # The user's text and our context are in the first request.
    first_texts = [json.dumps(i) for i in bodies[0]["input"]]
    assert any("add a hello file" in t for t in first_texts)
    assert any("<environment_context>" in t for t in first_texts)
    # Token accounting.
    done = log.of(ev.TurnComplete)[0]
    assert (done.usage.input_tokens, done.usage.output_tokens) == (3700, 80)
    assert log.of(ev.TokenCount)[-1].last.input_tokens == 1500
    # Every call was audited.
    audit = [
        json.loads(line)
        for line in (isolated_home / "log" / "audit.jsonl").read_text().splitlines()
    ]
    assert [r["tool"] for r in audit] == ["update_plan", "apply_patch", "shell", "shell"]
    assert audit[-1]["decision"] == "declined"
