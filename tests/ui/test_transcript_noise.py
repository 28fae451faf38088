"""The transcript says each thing once (#15 polish, "Transcript noise"): a plan
update shows what changed, a retry line gives way to the next attempt, an
interrupt is one line, a denial shows the reason typed, "Compacting…" becomes
its figures, and a dropped stream's partial answer stays, marked."""

from __future__ import annotations

import pytest

from codex_tui.agent import events as ev
from codex_tui.scripted import DropConnection, FunctionCall, Hang, Message, Reply, Usage
from codex_tui.ui.approval import ApprovalScreen
from codex_tui.ui.conversation import ConversationView
from codex_tui.ui.note_cells import NoticeCell
from tests.sessions.test_event_codec import DECLINED_COMMAND, DECLINED_PATCH
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_app_commands import slash, started

STEPS = ["Read greet.py", "Add the option", "Write a test", "Run the tests"]


async def one_turn(app, pilot, answer: str) -> str:
    """Send a message and wait for the turn to end with `answer`; what is shown."""
    await started(app, pilot)
    await pilot.press(*"hello", "enter")
    await wait_for(pilot, lambda: not app.busy and answer in screen_text(app), what=answer)
    return screen_text(app)


def plan(*states: str) -> dict:
    return {"plan": [{"step": s, "status": st} for s, st in zip(STEPS, states, strict=True)]}


async def test_a_plan_update_shows_what_changed(scripted_server, app_factory) -> None:
    scripted_server.add(
        Reply([FunctionCall("update_plan", plan("in_progress", "pending", "pending", "pending"))]),
        Reply(
            [FunctionCall("update_plan", plan("completed", "in_progress", "pending", "pending"))]
        ),
        Reply(
            [FunctionCall("update_plan", plan("completed", "in_progress", "pending", "pending"))]
        ),
        Reply([Message("Planned.")]),
    )
    app = app_factory()
    async with app.run_test(size=(140, 40)) as pilot:
        text = await one_turn(app, pilot, "Planned.")
        pane = app.plan_pane.plans[-1][1]
    # The first plan whole; the update as one line; the repeat not at all.
    assert text.count("Write a test") == 1 and text.count("Run the tests") == 1
    assert "Plan 1/4 · ✔ Read greet.py → ▶ Add the option" in text
    assert text.count("Plan 1/4") == 1
    # The side pane keeps the whole plan.
    assert [s.status for s in pane] == ["completed", "in_progress", "pending", "pending"]


async def test_a_new_plan_is_shown_whole(app_factory) -> None:
    from codex_tui.tools.plan import PlanStep

    app = app_factory()
    async with app.run_test(size=(140, 40)) as pilot:
        await started(app, pilot)
        for steps in (("Try a cache", "Measure"), ("Try an index", "Measure again")):
            plan_steps = tuple(PlanStep(step=s, status="pending") for s in steps)
            app.on_agent_event(ev.PlanUpdated(explanation=None, plan=plan_steps))
        await pilot.pause(0.1)
        text = screen_text(app)
    assert text.count("Plan 0/2") == 2
    assert all(step in text for step in ("Try a cache", "Measure", "Try an index", "Measure again"))


async def test_a_retry_line_gives_way_to_the_next_attempt(
    scripted_server, app_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted_server.add(
        DropConnection(after_events=2),
        DropConnection(after_events=2),
        Reply([Message("Third time lucky.")]),
    )
    most = 0
    handle = ConversationView.handle

    def counting(view: ConversationView, event: ev.Event) -> None:
        nonlocal most
        handle(view, event)
        lines = [c for c in view.cells() if isinstance(c, NoticeCell) and c.kind == "retry"]
        most = max(most, len(lines))

    monkeypatch.setattr(ConversationView, "handle", counting)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        text = await one_turn(app, pilot, "Third time lucky.")
    assert most == 1  # the second retry replaced the first
    assert "Reconnecting" not in text  # and went once the answer came


async def test_a_dropped_streams_partial_answer_stays_marked(scripted_server, app_factory) -> None:
    scripted_server.add(DropConnection(after_events=6), Reply([Message("The whole answer.")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        text = await one_turn(app, pilot, "The whole answer.")
    assert "This answer is c" in text
    assert "cut off: the connection dropped" in text
    assert text.index("This answer is c") < text.index("cut off") < text.index("The whole answer.")


def interrupt_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "nterrupt" in line]


async def interrupted(scripted_server, app_factory, stop) -> list[str]:
    """The lines about the interrupt after `stop(app, pilot)` ends a streaming turn."""
    scripted_server.add(Hang(after_events=3, timeout_s=20))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: app.busy and app.agent.busy, what="the turn")
        await stop(app, pilot)
        await wait_for(pilot, lambda: not app.busy, what="the interrupt")
        await pilot.pause(0.1)
        return interrupt_lines(screen_text(app))


async def test_an_interrupt_is_one_line(scripted_server, app_factory) -> None:
    async def stop(app, pilot) -> None:
        # What esc does (CodexApp.action_interrupt): stop the turn, say so until it ends.
        assert app.session.interrupt()
        app.conversation.interrupting()

    (line,) = await interrupted(scripted_server, app_factory, stop)
    assert line.startswith("── interrupted after ")


async def test_escape_leaves_one_interrupt_line(scripted_server, app_factory) -> None:
    async def stop(app, pilot) -> None:
        await pilot.press("escape")

    (line,) = await interrupted(scripted_server, app_factory, stop)
    assert line.startswith("── interrupted after ")


async def test_a_denial_shows_the_reason_typed(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        app.on_agent_event(ev.TurnStarted(turn_id="t1", user_input="clean up"))
        for declined in (DECLINED_COMMAND, DECLINED_PATCH):
            app.on_agent_event(declined)
        await pilot.pause(0.1)
        text = screen_text(app)
    assert f"you said: “{DECLINED_COMMAND.feedback}”" in text
    assert f"you said: “{DECLINED_PATCH.feedback}”" in text


async def test_a_denial_from_the_dialog_shows_the_reason_typed(
    scripted_server, app_factory
) -> None:
    scripted_server.add(
        Reply([FunctionCall("shell", {"command": ["touch", "made.txt"]}, call_id="c1")]),
        Reply([Message("Fine, I will not.")]),
    )
    app = app_factory(approval_policy="untrusted", sandbox_mode="danger-full-access")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(app, pilot)
        await pilot.press(*"make a file", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="the dialog")
        await pilot.press("n", *"use echo instead", "enter")
        await wait_for(pilot, lambda: not app.busy, what="the turn")
        text = screen_text(app)
    assert "you said: “use echo instead”" in text


async def test_compacting_turns_into_its_figures(scripted_server, app_factory) -> None:
    summary = Reply([Message("SUMMARY")], usage=Usage(input_tokens=182_000, output_tokens=50))
    scripted_server.add(summary)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/compact")
        await wait_for(pilot, lambda: "Compacted" in screen_text(app), what="the compaction")
        text = screen_text(app)
    assert "Compacting" not in text
    (line,) = [ln for ln in text.splitlines() if ln.startswith("Compacted")]
    assert line.startswith("Compacted: 182,000 → ~") and line.endswith(" tokens")
