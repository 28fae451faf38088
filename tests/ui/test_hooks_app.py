"""Hooks in the real app: the line a blocked call leaves, /hooks, and the one
question a repository with hooks of its own gets (its answer remembered)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from codex_tui.config.schema import HookCommand, HookMatcher
from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.sidebar import ConfirmScreen
from tests.ui.conftest import screen_text, wait_for

GUARD = """
import json, sys
event = json.load(sys.stdin)
if "rm" in event["tool_input"].get("command", []):
    print("rm is not allowed here", file=sys.stderr)
    sys.exit(2)
"""


async def test_a_blocked_call_leaves_a_line_and_hooks_lists_them(
    scripted_server, workspace: Path, app_factory, tmp_path: Path
) -> None:
    guard = tmp_path / "guard.py"
    guard.write_text(GUARD)
    hooks = {
        "PreToolUse": [HookMatcher("shell", [HookCommand(f"{sys.executable} {guard}", timeout=20)])]
    }
    scripted_server.add(
        Reply([FunctionCall("shell", {"command": ["rm", "notes.txt"]}, call_id="rm")]),
        Reply([Message("Kept it.")]),
    )
    app = app_factory(approval_policy="never", hooks=hooks)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"remove the notes", "enter")
        await wait_for(pilot, lambda: "Kept it." in screen_text(app), what="the answer")
        assert "⛔ blocked by hook guard.py: rm is not allowed here" in screen_text(app)
        assert (workspace / "notes.txt").exists()
        await pilot.press(*"/hooks", "enter")
        await wait_for(pilot, lambda: "**Hooks**" in screen_text(app), what="/hooks")
        listing = screen_text(app)
        assert "- **PreToolUse**" in listing and f"`shell` → `{sys.executable} {guard}`" in listing


async def test_a_repository_with_hooks_is_asked_about_once(
    scripted_server, workspace: Path, app_factory, isolated_home: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    (workspace / ".codex-tui").mkdir()
    (workspace / ".codex-tui" / "config.yaml").write_text(
        "hooks:\n  UserPromptSubmit:\n    - hooks:\n"
        f"        - {{type: command, command: 'touch {marker}'}}\n"
    )
    scripted_server.add(Reply([Message("one")]), Reply([Message("two")]))
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: "Trusted" in screen_text(app), what="the trust")
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: "one" in screen_text(app), what="the answer")
    assert marker.exists()
    trust = json.loads((isolated_home / "trust.json").read_text())
    assert trust[str(workspace.resolve())]["trust"] == "trusted"
    assert len(trust[str(workspace.resolve())]["digest"]) == 64
    again = app_factory(approval_policy="never")
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: again.agent is not None, what="the agent")
        await pilot.pause(0.3)
        assert not isinstance(again.screen, ConfirmScreen)  # asked once only
