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
