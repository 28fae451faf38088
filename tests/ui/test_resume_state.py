"""A resumed session looks as it did live (#15 bug 8): the last applied patch in
the diff pane, the streamed part of an interrupted answer (marked cut off), the
token counter, and a queued message after the divider of the turn it waited for."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.scripted import FunctionCall, Hang, Message, Reply, Usage
from codex_tui.ui.cells import UserCell
from codex_tui.ui.conversation import ConversationView
from codex_tui.ui.note_cells import SeparatorCell
from tests.ui.conftest import make_app, screen_text, wait_for
from tests.ui.test_app_commands import diff_text

FILES = [f"file{n:02}.py" for n in range(20)]
PATCH = (
    "*** Begin Patch\n"
    + "".join(f"*** Add File: {name}\n+VALUE = {n}\n" for n, name in enumerate(FILES))
    + "*** End Patch\n"
)
PARTIAL = "This answer is c"  # what the Hang below streams before it stalls


async def run_session(server, workspace: Path, *messages: str, **overrides) -> Path:
    """Type `messages` one after the other, each after the last turn ended."""
    app = make_app(server, workspace, **overrides)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        for text in messages:
            await pilot.press(*text, "enter")
            await wait_for(pilot, lambda: not app.busy, what="the turn")
        path = app.agent.session_path
    assert path is not None and path.exists()
    return path


async def resume(app, pilot, path: Path) -> None:
    app.session.resume(path)
    await wait_for(pilot, lambda: app.agent is not None and app.agent.session_path == path)
    await pilot.pause(0.1)


async def test_the_diff_pane_shows_the_last_applied_patch_after_resume(
    scripted_server, workspace: Path
) -> None:
    scripted_server.add(
        Reply([FunctionCall("apply_patch", {"input": PATCH})]), Reply([Message("Added.")])
    )
    path = await run_session(
        scripted_server, workspace, "add twenty files", approval_policy="never"
    )
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await resume(app, pilot, path)
        await wait_for(pilot, lambda: "file00.py" in diff_text(app), what="the diff")
        shown = diff_text(app)
        assert "No changes yet" not in shown
        assert app.screen.has_class("-side")  # the column appears, as it did live


async def test_an_interrupted_answer_comes_back_marked_cut_off(
    scripted_server, workspace: Path
) -> None:
    scripted_server.add(Hang(after_events=6, timeout_s=20))
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"explain", "enter")
        await wait_for(pilot, lambda: PARTIAL in screen_text(app), what="the partial answer")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.busy, what="the interrupt")
        live = screen_text(app)
        path = app.agent.session_path
    assert PARTIAL in live and "cut off: interrupted" in live
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await resume(app, pilot, path)
        text = screen_text(app)
    assert PARTIAL in text and "cut off: interrupted" in text
    assert text.index(PARTIAL) < text.index("cut off") < text.index("interrupted after")


async def test_the_token_counter_shows_the_resumed_sessions_figures(
    scripted_server, workspace: Path
) -> None:
    scripted_server.add(
        Reply([Message("Noted.")], usage=Usage(input_tokens=1200, output_tokens=34))
    )
    path = await run_session(scripted_server, workspace, "remember this")
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await resume(app, pilot, path)
        bar = str(app.status_bar.content)
    assert app.status_bar.tokens == 1234
    assert "1,234 tokens" in bar and "% context left" in bar


def order(app) -> list[str]:
    """The user messages and dividers of the conversation, top to bottom."""
    out = []
    for cell in app.conversation.cells():
        if isinstance(cell, UserCell):
            out.append(f"user: {cell.text}")
        elif isinstance(cell, SeparatorCell):
            out.append("divider")
    return out


async def test_a_queued_message_shows_after_the_turn_it_waited_for(
    scripted_server, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted_server.add(
        Reply([Message("first answer " * 40)], chunk_size=40, delay_per_delta_s=0.2),
        Reply([Message("second answer")]),
    )
    # While a message waits, whatever the running turn shows goes above it.
    waiting_at_bottom: list[bool] = []
    handle = ConversationView.handle

    def checking(view: ConversationView, event) -> None:
        handle(view, event)
        cells = view.cells()
        queued = [i for i, c in enumerate(cells) if isinstance(c, UserCell) and c.queued]
        if queued:
            waiting_at_bottom.append(queued == [len(cells) - 1])

    monkeypatch.setattr(ConversationView, "handle", checking)
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"one", "enter")
        await wait_for(pilot, lambda: "first answer" in screen_text(app))
        await pilot.press(*"two", "enter")
        await wait_for(pilot, lambda: "second answer" in screen_text(app), what="turn two")
        await wait_for(pilot, lambda: not app.busy)
        live = order(app)
        path = app.agent.session_path
    assert waiting_at_bottom and all(waiting_at_bottom)
    assert live == ["user: one", "divider", "user: two", "divider"]
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await resume(app, pilot, path)
        assert order(app) == live


async def test_a_message_typed_while_a_session_resumes_is_kept(
    scripted_server, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    import codex_tui.sessions as sessions

    scripted_server.add(Reply([Message("Hello.")]), Reply([Message("Got it.")]))
    path = await run_session(scripted_server, workspace, "hello")
    read, reading = sessions.read_session, threading.Event()

    def slow_read(where: Path):
        reading.set()
        time.sleep(0.5)  # in a thread: the app goes on taking keys meanwhile
        return read(where)

    monkeypatch.setattr(sessions, "read_session", slow_read)
    app = make_app(scripted_server, workspace)
    app.launch.resume = path
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, reading.is_set, what="the resume to start")
        app.session.send("typed early")  # what Enter in the composer does
        await wait_for(pilot, lambda: "Got it." in screen_text(app), what="the answer")
        assert "typed early" in screen_text(app)
