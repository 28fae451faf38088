"""MCP in the real app: the approval dialog for a tool that may write (server,
tool, arguments; `a` approves it for the session), the call's cell, esc
cancelling a call in flight (the server is told), and /mcp."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from codex_tui.config.schema import McpServer
from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.approval import ApprovalScreen
from codex_tui.ui.mcp_cell import McpCell
from tests.mcp_client.server_app import __file__ as SERVER_APP
from tests.ui.conftest import screen_text, wait_for


def servers() -> dict[str, McpServer]:
    return {"box": McpServer(command=sys.executable, args=[SERVER_APP, "stdio"])}


async def test_the_approval_dialog_names_server_tool_and_arguments(
    scripted_server, app_factory
) -> None:
    erase = {"path": "notes/old.txt"}
    scripted_server.add(
        Reply([FunctionCall("mcp__box__erase", erase, call_id="e1")]),
        Reply([FunctionCall("mcp__box__erase", {"path": "again.txt"}, call_id="e2")]),
        Reply([Message("Both erased.")]),
    )
    app = app_factory(approval_policy="on-request", mcp_servers=servers())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"erase them", "enter")
        # Pushed, then composed: wait for its contents, not only the screen (under load
        # the two are apart).
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ApprovalScreen)
                and app.screen.query("#approval-command Static")
            ),
            what="the dialog",
        )
        dialog = app.screen
        title = str(dialog.query_one("#approval-title").content)
        assert "Call this MCP tool?" in title and "erase" in title and "box" in title
        text = str(dialog.query_one("#approval-command Static").content)
        assert '"path": "notes/old.txt"' in text
        assert "may change things" in str(dialog.query_one("#approval-details").content)
        await pilot.press("a")  # for the session: the second call does not ask
        await wait_for(pilot, lambda: "Both erased." in screen_text(app), what="the answer")
        cells = list(app.conversation.query(McpCell))
        assert [c.title() for c in cells] == [
            'box · erase("path": "notes/old.txt")',
            'box · erase("path": "again.txt")',
        ]
        assert all(c.status == "completed" for c in cells)
        assert "erased again.txt" in cells[1].output

        await pilot.press(*"/mcp", "enter")
        await wait_for(pilot, lambda: "MCP servers" in screen_text(app), what="/mcp")
        listing = screen_text(app)
        assert "**box** (stdio" in listing and "ready" in listing
        assert "`mcp__box__erase` — may write, approval `auto`" in listing
        assert "`mcp__box__forecast` — read-only" in listing


async def test_esc_cancels_a_call_in_flight_and_the_server_is_told(
    scripted_server, app_factory, isolated_home: Path
) -> None:
    scripted_server.add(
        Reply([FunctionCall("mcp__box__nap", {"seconds": 60}, call_id="n")]),
        Reply([Message("after")]),
    )
    app = app_factory(approval_policy="never", mcp_servers=servers())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"take a nap", "enter")
        await wait_for(pilot, lambda: list(app.conversation.query(McpCell)), what="the call")
        started = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.busy, what="the turn to stop")
        assert time.monotonic() - started < 5
        (cell,) = app.conversation.query(McpCell)
        assert cell.status == "aborted"
        log = isolated_home / "log" / "mcp-box.log"
        await wait_for(
            pilot, lambda: log.exists() and "nap cancelled" in log.read_text(), what="cancel"
        )
