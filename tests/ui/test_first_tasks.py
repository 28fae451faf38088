"""The first tasks after the first frame (building the agent, finding templates)
wait while keys keep arriving, so type-ahead is drawn at once; they begin when
the keyboard goes quiet, after a cap however fast the typing, and at once when a
message is sent."""

from __future__ import annotations

import asyncio

import pytest

from codex_tui.scripted import Message, Reply
from codex_tui.ui import first_start
from tests.ui.conftest import screen_text, wait_for


@pytest.fixture
def slow_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide margins: a loaded test machine may pause a keystroke by a few tenths.
    monkeypatch.setattr(first_start, "QUIET_S", 1.0)
    monkeypatch.setattr(first_start, "LATEST_S", 2.5)


async def type_for(pilot, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        await pilot.press("a")
        await asyncio.sleep(0.05)


async def test_the_agent_waits_for_typing_to_pause(app_factory, slow_quiet) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await type_for(pilot, 1.6)  # past QUIET_S after the first frame
        assert not app.first_start.begun and app.agent is None
        assert app.composer.text.count("a") >= 5
        await wait_for(pilot, lambda: app.agent is not None, what="the agent, once quiet")
        assert app.composer.text.startswith("a")


async def test_typing_without_a_pause_waits_no_longer_than_the_cap(app_factory, slow_quiet) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not app.first_start.begun:
            await pilot.press("b")
            await asyncio.sleep(0.05)
            assert loop.time() - started < 10, "never began"
        assert loop.time() - started >= 1.6  # QUIET_S passed, and more
        await wait_for(pilot, lambda: app.agent is not None)


async def test_a_message_sent_at_once_begins_the_session(
    scripted_server, app_factory, slow_quiet
) -> None:
    scripted_server.add(Reply([Message("answered early")]))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        assert app.first_start.begun, "Enter did not wait for the keyboard to go quiet"
        await wait_for(pilot, lambda: "answered early" in screen_text(app), what="the answer")
    assert "hi" in str(scripted_server.bodies[0]["input"])


async def test_a_prompt_on_the_command_line_begins_at_once(
    scripted_server, app_factory, slow_quiet
) -> None:
    scripted_server.add(Reply([Message("prompted")]))
    app = app_factory("from the command line")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.first_start.begun
        await wait_for(pilot, lambda: "prompted" in screen_text(app), what="the answer")


async def test_a_start_after_the_conversation_closed_does_nothing(app_factory, slow_quiet) -> None:
    # Quitting right at the first frame removes the screen while the first tasks
    # still wait: when they begin, there is nothing to build into.
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        assert not app.first_start.begun
        await app.conversation.remove()
        await app.start_session()
        await pilot.pause()
        assert app.agent is None and not app.session.busy
