"""Rewind in the real app (esc esc and /rewind): pick an earlier request, then take
back the code and the conversation, the conversation only, or the code only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.sessions import read_session
from codex_tui.ui.pickers import ChoiceScreen
from tests.ui.conftest import screen_text, wait_for

PATCH = (
    "*** Begin Patch\n*** Update File: notes.txt\n@@\n alpha\n-beta\n+beta, edited\n*** End Patch\n"
)


def two_turns(server) -> None:
    server.add(
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="p")]),
        Reply([Message("First done.")]),
        Reply([FunctionCall("shell", {"command": ["bash", "-c", "mkdir gen; echo x > gen/out"]})]),
        Reply([Message("Second done.")]),
        Reply([Message("Again.")]),
    )


async def run_two(app, pilot) -> None:
    await wait_for(pilot, lambda: app.agent is not None, what="the agent")
    for text, answer in (("first request", "First done."), ("second request", "Second done.")):
        await pilot.press(*text, "enter")
        await wait_for(pilot, lambda a=answer: a in screen_text(app), what=answer)
        await wait_for(pilot, lambda: not app.busy, what="the turn to end")


async def pick(app, pilot, *keys: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="a picker")
    await pilot.press(*keys, "enter")
    await pilot.pause(0.05)


def user_messages(path: Path) -> list[str]:
    return [e.text for e in read_session(path).transcript if isinstance(e, ev.UserMessage)]


@pytest.mark.parametrize(
    ("request_keys", "mode_keys", "expect"),
    [
        ((), (), "both"),
        (("up",), ("down",), "conversation"),
        (("up",), ("down", "down"), "code"),
    ],
    ids=["both-to-second", "conversation-to-first", "code-to-first"],
)
async def test_rewind(
    scripted_server, workspace: Path, app_factory, request_keys, mode_keys, expect
) -> None:
    two_turns(scripted_server)
    app = app_factory(approval_policy="never", sandbox_mode="workspace-write")
    async with app.run_test(size=(100, 30)) as pilot:
        await run_two(app, pilot)
        path = app.agent.session_path
        agent = app.agent
        await pilot.press("escape", "escape")
        await pick(app, pilot, *request_keys)
        await pick(app, pilot, *mode_keys)
        if expect == "both":  # back to before the second request
            await wait_for(pilot, lambda: "Rewound" in screen_text(app), what="the rewind")
            assert not (workspace / "gen").exists()
            assert (workspace / "notes.txt").read_text() == "alpha\nbeta, edited\n"
            assert app.composer.text == "second request"
            assert app.agent is agent  # the same agent: its terminals and servers go on
            assert user_messages(path) == ["first request"]
            assert "Second done." not in screen_text(app)
            await pilot.press("enter")  # sent again: the model sees one earlier request
            await wait_for(pilot, lambda: "Again." in screen_text(app), what="the answer")
            sent = json.dumps(scripted_server.bodies[-1]["input"])
            assert sent.count("second request") == 1 and "Second done." not in sent
        elif expect == "conversation":
            await wait_for(pilot, lambda: "Rewound" in screen_text(app), what="the rewind")
            assert (workspace / "gen" / "out").exists()
            assert (workspace / "notes.txt").read_text() == "alpha\nbeta, edited\n"
            assert app.composer.text == "first request"
            assert user_messages(path) == []
            # The files stay changed, and undo still reaches the turns that changed them.
            assert app.session.undo_history.next_undo() is not None
        else:
            await wait_for(pilot, lambda: not (workspace / "gen").exists(), what="code undone")
            await wait_for(
                pilot,
                lambda: (workspace / "notes.txt").read_text() == "alpha\nbeta\n",
                what="notes restored",
            )
            assert user_messages(path) == ["first request", "second request"]
            assert app.composer.text == ""


async def test_slash_rewind_opens_the_picker_and_esc_cancels(
    scripted_server, workspace: Path, app_factory
) -> None:
    two_turns(scripted_server)
    app = app_factory(approval_policy="never", sandbox_mode="workspace-write")
    async with app.run_test(size=(100, 30)) as pilot:
        await run_two(app, pilot)
        await pilot.press(*"/rewind", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the picker")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ChoiceScreen)
        assert (workspace / "gen" / "out").exists()
        assert "Second done." in screen_text(app)
