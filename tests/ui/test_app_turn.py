"""A whole turn through the real app: stream, plan, patch approval, command
approval with feedback, final answer; interrupts and queued messages."""

from __future__ import annotations

from pathlib import Path

from codex_tui.scripted import FunctionCall, Hang, Message, Reasoning, Reply
from codex_tui.ui.approval import ApprovalScreen
from tests.ui.conftest import screen_text, wait_for

PATCH = """*** Begin Patch
*** Update File: notes.txt
@@
 alpha
-beta
+beta, reviewed
*** End Patch
"""

PLAN = {
    "explanation": "Two steps.",
    "plan": [
        {"step": "Edit notes.txt", "status": "in_progress"},
        {"step": "Check the result", "status": "pending"},
    ],
}


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


async def test_whole_turn(scripted_server, workspace: Path, app_factory) -> None:
    scripted_server.add(
        Reply(
            [
                Reasoning("**Planning**\n\nRead the notes first."),
                Message("I'll edit the notes.", id="msg_1"),
                FunctionCall("update_plan", PLAN, call_id="plan1"),
                FunctionCall("apply_patch", {"input": PATCH}, call_id="patch1"),
            ]
        ),
        Reply([FunctionCall("shell", {"command": ["touch", "made.txt"]}, call_id="cmd1")]),
        Reply([Message("All done: **notes reviewed**.", id="msg_2")]),
    )
    app = app_factory(approval_policy="untrusted", sandbox_mode="danger-full-access")
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"review the notes")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="patch dialog")
        assert app.screen.is_patch
        # The plan pane already shows the live checklist.
        assert app.plan_pane.plans and app.plan_pane.plans[-1][1][0].status == "in_progress"
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ApprovalScreen) and not app.screen.is_patch,
            what="command dialog",
        )
        assert (workspace / "notes.txt").read_text() == "alpha\nbeta, reviewed\n"
        await pilot.press("n")
        await pilot.press(*"use echo instead")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.busy, what="the turn to end")
        text = screen_text(app)
    assert not (workspace / "made.txt").exists()
    assert "All done: **notes reviewed**." in text
    assert "I'll edit the notes." in text
    feedback = outputs(scripted_server.bodies[2])["cmd1"]
    assert "use echo instead" in feedback
    assert "beta, reviewed" in text or "notes.txt" in text


async def test_escape_interrupts_a_streaming_turn(scripted_server, app_factory) -> None:
    scripted_server.add(Hang(after_events=3, timeout_s=20), Reply([Message("after")]))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: app.busy and app.agent.busy, what="the turn to start")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.busy, what="the interrupt")
        assert "interrupted" in screen_text(app).lower()
        # The app stays usable: the next message gets an answer.
        await pilot.press(*"again", "enter")
        await wait_for(pilot, lambda: "after" in screen_text(app), what="the next answer")


async def test_message_typed_during_a_turn_is_queued(scripted_server, app_factory) -> None:
    scripted_server.add(
        Reply([Message("first answer " * 20)], chunk_size=40, delay_per_delta_s=0.2),
        Reply([Message("second answer")]),
    )
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"one", "enter")
        await wait_for(pilot, lambda: app.busy)
        await pilot.press(*"two", "enter")
        assert "queued" in screen_text(app)
        await wait_for(pilot, lambda: "second answer" in screen_text(app), what="queued turn")
        await wait_for(pilot, lambda: not app.busy)
        assert "queued — sent" not in screen_text(app)
    last_input = scripted_server.bodies[1]["input"]
    assert any("two" in str(item) for item in last_input)


async def test_usage_a_server_does_not_report_is_shown_as_unknown(
    scripted_server, app_factory
) -> None:
    from codex_tui.scripted import RawEvents

    answer = {"type": "message", "role": "assistant", "content": "fine " * 50}
    scripted_server.add(
        RawEvents(
            [
                {"type": "response.output_item.done", "item": answer},
                {"type": "response.completed", "response": {"id": "r1"}},
            ]
        )
    )
    app = app_factory()
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: "tokens unknown" in str(app.status_bar.content))
        bar = str(app.status_bar.content)
    assert "~" in bar and "% context left" in bar
