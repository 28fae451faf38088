"""/ps in the real app: a background terminal's row, its live output, `k` kills it;
the status bar counts the running ones."""

from __future__ import annotations

from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.ps_screen import PsScreen
from tests.ui.conftest import screen_text, wait_for

TICKER = "for i in $(seq 1 600); do echo tick $i; sleep 0.1; done"


async def test_ps_lists_shows_and_kills(scripted_server, app_factory) -> None:
    scripted_server.add(
        Reply([FunctionCall("exec_command", {"cmd": TICKER, "yield_time_ms": 300})]),
        Reply([Message("Ticking.")]),
    )
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"start the ticker", "enter")
        await wait_for(pilot, lambda: "Ticking." in screen_text(app), what="the answer")
        assert "running in the background (/ps)" in screen_text(app)
        await wait_for(pilot, lambda: "1 background terminal" in str(app.status_bar.content))
        await pilot.press(*"/ps", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PsScreen), what="/ps")
        screen = app.screen
        (terminal,) = screen.terminals.running
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "tick" in str(screen.query_one("#ps-text").content),
            what="live output",
        )
        await pilot.press("k")
        await wait_for(pilot, lambda: not terminal.running, what="the kill")
        assert terminal.state == "killed"
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: "background terminal" not in str(app.status_bar.content), what="count"
        )


async def test_a_terminal_cell_follows_its_end_and_resume_shows_it_ended(
    scripted_server, app_factory, workspace
) -> None:
    """Live, the command's cell turns from "running in the background" to its end;
    resumed, a terminal the file leaves running shows as ended with its session
    (processes do not outlive the app)."""
    from codex_tui.sessions import read_session
    from codex_tui.ui.cells import CommandCell
    from codex_tui.ui.transcript import replay

    scripted_server.add(
        Reply([FunctionCall("exec_command", {"cmd": "sleep 0.3; echo done", "yield_time_ms": 50})]),
        Reply([FunctionCall("exec_command", {"cmd": TICKER, "yield_time_ms": 200})]),
        Reply([Message("Both started.")]),
    )
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"start them", "enter")
        await wait_for(pilot, lambda: "Both started." in screen_text(app), what="the answer")
        short = app.conversation.query(CommandCell).first()
        await wait_for(pilot, lambda: short.status == "completed", what="the short one's end")
        assert short.exit_code == 0
        path = app.agent.session_path
        await app.session.retire()  # the app's session ends: its terminals are stopped
    data = read_session(path)
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(110, 32)) as pilot:
        replay(app.conversation, data.transcript)
        await pilot.pause(0.1)
        cells = list(app.conversation.query(CommandCell))
        assert [c.status for c in cells] == ["completed", "killed"]
    # A file cut off while a terminal ran (kill -9): no end recorded for it.
    from codex_tui.agent import events as ev

    cut = [
        e
        for e in data.transcript
        if not (isinstance(e, ev.TerminalChanged) and e.state == "killed")
    ]
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(110, 32)) as pilot:
        replay(app.conversation, cut)
        await pilot.pause(0.1)
        cells = list(app.conversation.query(CommandCell))
        assert [c.status for c in cells] == ["completed", "ended with its session"]
        assert "ended with its session" in str(cells[1].header.render())
