"""Recorded sessions in the app: the sidebar lists them, filters, opens a
read-only transcript and resumes one so the model gets its history back."""

from __future__ import annotations

from pathlib import Path

from codex_tui.scripted import Message, Reply
from codex_tui.sessions import read_session
from codex_tui.ui.sidebar import SessionSidebar
from codex_tui.ui.transcript import TranscriptScreen
from tests.ui.conftest import make_app, screen_text, wait_for
from tests.ui.test_app_commands import request_texts


async def record_a_session(server, workspace: Path) -> Path:
    server.add(Reply([Message("Noted: the word is PELICAN.")]))
    app = make_app(server, workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"remember the word pelican", "enter")
        await wait_for(pilot, lambda: not app.busy and "PELICAN" in screen_text(app))
        path = app.agent.session_path
    assert path is not None and path.exists()
    return path


async def test_sidebar_filter_open_and_resume(scripted_server, workspace: Path) -> None:
    path = await record_a_session(scripted_server, workspace)
    scripted_server.add(Reply([Message("It was PELICAN.")]))
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press("ctrl+b")
        sidebar = app.query_one(SessionSidebar)
        await wait_for(pilot, lambda: sidebar.loaded and sidebar.sessions, what="the listing")
        assert sidebar.sessions[0].title == "remember the word pelican"
        await pilot.press("slash")  # the list has the keys; / goes to the filter
        await pilot.press(*"nothing matches this")
        await wait_for(pilot, lambda: not sidebar.sessions, what="the filter")
        for _ in "nothing matches this":
            await pilot.press("backspace")
        await pilot.press(*"pelican")
        await wait_for(pilot, lambda: len(sidebar.sessions) == 1)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen))
        shown = screen_text(app, app.screen.view)
        assert "remember the word pelican" in shown and "Noted: the word is PELICAN." in shown
        await pilot.press("r")
        await wait_for(pilot, lambda: app.agent is not None and app.agent.session_path == path)
        assert "Noted: the word is PELICAN." in screen_text(app)
        await pilot.press(*"what was the word", "enter")
        await wait_for(pilot, lambda: not app.busy and "It was PELICAN." in screen_text(app))
    sent = request_texts(scripted_server.bodies[-1])
    assert "remember the word pelican" in sent and "what was the word" in sent
    # The resumed turn went into the same file.
    assert read_session(path).meta.turns == 2


async def test_resume_on_launch_carries_history(scripted_server, workspace: Path) -> None:
    path = await record_a_session(scripted_server, workspace)
    scripted_server.add(Reply([Message("Yes: PELICAN.")]))
    app = make_app(scripted_server, workspace)
    app.launch.resume = path
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        assert "Noted: the word is PELICAN." in screen_text(app)
        await pilot.press(*"again?", "enter")
        await wait_for(pilot, lambda: not app.busy and "Yes: PELICAN." in screen_text(app))
    assert "remember the word pelican" in request_texts(scripted_server.bodies[-1])
