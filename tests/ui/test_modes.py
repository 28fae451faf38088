"""Modes in the real app: shift+tab cycles default → auto-edit → plan; plan mode
is enforced (no patch tool offered, a patch refused anyway, a writing command
stopped by the read-only sandbox); ctrl+r carries the plan out in default mode;
auto-edit applies a patch the policy would ask about; alt+→ raises the effort."""

from __future__ import annotations

import json
from pathlib import Path

from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.approval import ApprovalScreen
from tests.ui.conftest import screen_text, wait_for

PATCH = "*** Begin Patch\n*** Add File: planned.txt\n+from the plan\n*** End Patch\n"


def tool_names(body: dict) -> set[str]:
    return {t["name"] for t in body["tools"]}


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


async def test_plan_mode_is_enforced_and_ctrl_r_carries_the_plan_out(
    scripted_server, workspace: Path, app_factory
) -> None:
    writes = {"command": ["bash", "-lc", "echo x > sneaky.txt"]}
    plan = {"plan": [{"step": "Add planned.txt", "status": "pending"}]}
    scripted_server.add(
        Reply(
            [
                FunctionCall("apply_patch", {"input": PATCH}, call_id="p"),
                FunctionCall("shell", writes, call_id="w"),
                FunctionCall("exec_command", {"cmd": "sleep 5"}, call_id="e"),
            ]
        ),
        Reply([FunctionCall("update_plan", plan, call_id="u")]),
        Reply([Message("Plan: add planned.txt.")]),
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="p2")]),
        Reply([Message("Done.")]),
    )
    app = app_factory(approval_policy="on-request")
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: app.status_bar.mode == "auto-edit")
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: app.status_bar.mode == "plan")
        await wait_for(pilot, lambda: app.status_bar.sandbox == "read-only", what="sandbox")
        assert "plan mode" in str(app.status_bar.content)
        await pilot.press(*"plan the change", "enter")
        await wait_for(pilot, lambda: "Plan ready: ctrl+r" in screen_text(app), what="the plan")
        assert not isinstance(app.screen, ApprovalScreen)  # nothing asked
        first, second = scripted_server.bodies[0], scripted_server.bodies[1]
        assert "apply_patch" not in tool_names(first) and "exec_command" not in tool_names(first)
        assert "read_file" in tool_names(first) and "# Plan mode" in first["instructions"]
        said = outputs(second)
        assert said["p"].startswith("Refused: plan mode is read-only")
        assert said["e"].startswith("Refused: plan mode is read-only")
        assert not (workspace / "planned.txt").exists()
        assert not (workspace / "sneaky.txt").exists()  # the read-only sandbox stopped it

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Done." in screen_text(app), what="the execution")
        assert app.status_bar.mode == "default" and app.status_bar.sandbox == "workspace-write"
    go = scripted_server.bodies[3]
    assert "Execute the plan." in json.dumps(go["input"])
    assert "apply_patch" in tool_names(go) and "# Plan mode" not in go["instructions"]
    assert (workspace / "planned.txt").read_text() == "from the plan\n"


async def test_auto_edit_applies_a_patch_the_policy_would_ask_about(
    scripted_server, workspace: Path, app_factory
) -> None:
    scripted_server.add(
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="p")]),
        Reply([Message("Edited.")]),
    )
    app = app_factory(approval_policy="untrusted")  # every patch asks
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"/mode auto-edit", "enter")
        await wait_for(pilot, lambda: app.status_bar.mode == "auto-edit")
        await pilot.press(*"add the file", "enter")
        await wait_for(pilot, lambda: "Edited." in screen_text(app), what="the answer")
        assert not isinstance(app.screen, ApprovalScreen)
    assert (workspace / "planned.txt").exists()


async def test_alt_arrows_step_the_effort(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("ok")]))
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press("alt+right")  # from the model's default (medium) up
        await wait_for(pilot, lambda: app.status_bar.effort == "high")
        await pilot.press("alt+right")  # no higher
        await pilot.press("alt+left", "alt+left")
        await wait_for(pilot, lambda: app.status_bar.effort == "low")
        await pilot.press(*"go", "enter")
        await wait_for(pilot, lambda: "ok" in screen_text(app), what="the answer")
    assert scripted_server.bodies[0]["reasoning"]["effort"] == "low"


async def test_the_mode_holds_for_a_new_session_and_plan_mode_keeps_its_sandbox(
    scripted_server, workspace: Path, app_factory
) -> None:
    scripted_server.add(Reply([Message("planned")]))
    app = app_factory(approval_policy="on-request")
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"/mode plan", "enter")
        await wait_for(pilot, lambda: app.agent.tools.env.mode == "plan")
        await pilot.press(*"/sandbox danger-full-access", "enter")
        await wait_for(pilot, lambda: "/sandbox: plan mode sets these" in screen_text(app))
        assert app.agent.tools.env.sandbox.policy.mode == "read-only"
        first = app.agent
        await pilot.press(*"/new", "enter")
        await wait_for(pilot, lambda: app.agent is not None and app.agent is not first)
        await wait_for(pilot, lambda: app.agent.tools.env.mode == "plan", what="the new agent")
        assert app.status_bar.mode == "plan"
        await pilot.press(*"plan it", "enter")
        await wait_for(pilot, lambda: "planned" in screen_text(app), what="the answer")
    assert "apply_patch" not in tool_names(scripted_server.bodies[0])


async def test_messages_typed_during_a_review_wait_in_the_composer(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        app.reviewing = True
        await pilot.press(*"fix it now", "enter")
        await wait_for(pilot, lambda: "a review is running" in screen_text(app))
        assert app.composer.text == "fix it now" and not app.agent.busy
        await pilot.press("shift+tab")
        assert app.status_bar.mode == "default"  # the review holds the mode
