"""SVG snapshots of the approval dialogs and the sessions sidebar at 80×24 and
160×45: the patch dialog over a long diff, the command dialog with a long and
with a dangerous command (`test_command_dialog[long-…]`, `[dangerous-…]`), and
the sidebar with a filter typed and its key hints.

They share `test_snapshots`' fixed workspace (`snapshot_root`, under its lock) and
its steady start-up (`settle`). Update with `python -m pytest
tests/ui/test_snapshots_dialogs.py --snapshot-update` after checking the pictures
by eye."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.ui import sidebar as sidebar_module
from codex_tui.ui.sidebar import SessionSidebar
from tests.sessions.conftest import line, write_session
from tests.ui.conftest import wait_for
from tests.ui.test_approval_dialog import (
    DANGEROUS_COMMAND,
    LONG_COMMAND,
    command_request,
    long_patch_request,
    open_dialog,
)
from tests.ui.test_snapshots import ROOT, settle, snapshot_app, snapshot_root  # noqa: F401

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


async def show_dialog(pilot, request: ev.ApprovalRequest) -> None:
    await settle(pilot)
    app = pilot.app
    app.conversation.add_user("Add a --shout option to greet.py and test it.")
    app.status_bar.set_working(True)
    await open_dialog(pilot, request)


@pytest.mark.parametrize("size", SIZES)
def test_patch_dialog_with_a_long_diff(size, snapshot_root, snap_compare) -> None:  # noqa: F811
    async def run_before(pilot) -> None:
        await show_dialog(pilot, long_patch_request(ROOT))
        await pilot.press("down")  # hunk 2 under the cursor

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=size)


COMMANDS = [
    pytest.param(LONG_COMMAND, "Compile and test everything.", id="long"),
    pytest.param(DANGEROUS_COMMAND, "Start from a clean tree.", id="dangerous"),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("command", "why"), COMMANDS)
def test_command_dialog(command, why, size, snapshot_root, snap_compare) -> None:  # noqa: F811
    request = command_request(command, ROOT, justification=why)

    async def run_before(pilot) -> None:
        await show_dialog(pilot, request)

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=size)


# ---------------------------------------------------------------------------- the sidebar

NOW = datetime(2026, 1, 15, 12, 0).astimezone()
SESSIONS = (
    ("Add a --shout option to greet.py", 2 * 3600),
    ("Fix the flaky greeting test", 26 * 3600),
    ("Explain the argv parsing in main()", 3 * 86400),
    ("Profile greet() on long names", 20 * 86400),
)


def record_sessions(home: Path) -> None:
    """Sessions of the snapshot workspace, hours to weeks before `NOW`."""
    for n, (title, age) in enumerate(SESSIONS):
        meta = {
            "id": f"aaaa000{n}-0000-4000-8000-00000000000{n}",
            "timestamp": "2026-01-01T10:00:00.000Z",
            "cwd": str(ROOT),
            "originator": "codex-tui",
            "cli_version": "0.1.0",
            "git": {"branch": "main"},
        }
        path = write_session(
            home,
            meta["id"],
            [
                line("session_meta", meta),
                line("event_msg", {"type": "user_message", "message": title}),
                line("event_msg", {"type": "agent_message", "message": f"Done: {title}."}),
            ],
        )
        when = NOW.timestamp() - age
        os.utime(path, (when, when))


@pytest.mark.parametrize("size", SIZES)
def test_sidebar_with_a_filter_and_its_hints(
    size,
    snapshot_root,  # noqa: F811
    snap_compare,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex-cli-home"))
    monkeypatch.setattr(sidebar_module, "now", lambda: NOW)
    record_sessions(isolated_home)

    async def run_before(pilot) -> None:
        await settle(pilot)
        app = pilot.app
        await pilot.press("ctrl+b")
        sidebar = app.query_one(SessionSidebar)
        await wait_for(pilot, lambda: len(sidebar.sessions) == 4, what="the listing")
        sidebar.action_focus_filter()
        await pilot.press(*"greet")
        await wait_for(pilot, lambda: len(sidebar.sessions) == 3, what="the filter")
        await pilot.press("enter")  # back to the list, the filter kept
        await pilot.pause(0.1)

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=size)
