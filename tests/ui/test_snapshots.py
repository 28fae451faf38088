"""SVG snapshots of the main screen mid-turn, both approval dialogs, the plan and
diff panes, 80×24 and every bundled theme.

The screen is driven with agent events (the same ones a real turn emits) so each
picture is exact; elapsed-time clocks are pinned. Update with
`python -m pytest tests/ui/test_snapshots.py --snapshot-update` after checking
the pictures by eye."""

from __future__ import annotations

import asyncio
import fcntl
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.config import Config
from codex_tui.patch import build_patch_plan
from codex_tui.tools.plan import PlanStep
from codex_tui.ui import cells
from codex_tui.ui.app import CodexApp, Launch

# A fixed path: it shows in the dialogs and the status line.
ROOT = Path("/tmp/codex-tui-snapshots/work")
LOCK = Path("/tmp/codex-tui-snapshots.lock")

GREET = 'import sys\n\n\ndef greet(name):\n    return f"Hello, {name}!"\n\n\n' + (
    'def main(argv):\n    name = argv[1] if len(argv) > 1 else "world"\n    print(greet(name))\n'
)

PATCH = """*** Begin Patch
*** Update File: greet.py
@@
-def greet(name):
-    return f"Hello, {name}!"
+def greet(name, shout=False):
+    text = f"Hello, {name}!"
+    return text.upper() if shout else text
@@
 def main(argv):
-    name = argv[1] if len(argv) > 1 else "world"
-    print(greet(name))
+    shout = "--shout" in argv[1:]
+    names = [a for a in argv[1:] if a != "--shout"]
+    print(greet(names[0] if names else "world", shout=shout))
*** Add File: test_greet.py
+from greet import greet
+
+assert greet("Ada", shout=True) == "HELLO, ADA!"
*** End Patch
"""

PLAN = (
    PlanStep(step="Read greet.py", status="completed"),
    PlanStep(step="Add the --shout option", status="in_progress"),
    PlanStep(step="Write a test", status="pending"),
    PlanStep(step="Run the tests", status="pending"),
)

OUTPUT = "\n".join(f"greet.py:{n}: match {n}" for n in range(1, 16)) + "\n"


@pytest.fixture
def snapshot_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fixed workspace the pictures show. Its path is part of them, so tests
    in parallel workers (or another run) take turns with it under a lock."""
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(ROOT.parent, ignore_errors=True)
        ROOT.mkdir(parents=True)
        (ROOT / "greet.py").write_text(GREET)
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=ROOT, check=True)
        subprocess.run(["git", "add", "-A"], cwd=ROOT, check=True)
        subprocess.run([*git, "commit", "-qm", "init"], cwd=ROOT, check=True)
        monkeypatch.setattr(cells, "clock", lambda: 1000.0)
        yield ROOT


def snapshot_app(theme: str = "dark", **overrides) -> CodexApp:
    config = Config(theme=theme, sandbox_mode="danger-full-access", **overrides)
    # No key is needed: nothing is sent to a model in these pictures.
    config.model_providers["openai"].env_key = None
    return CodexApp(Launch(config, ROOT))


async def settle(pilot) -> None:
    app = pilot.app
    # A steady cursor: a blinking one is drawn or not depending on how long the
    # picture took to reach (the suite under load made one theme's picture flaky).
    app.composer.input.cursor_blink = False
    while app.agent is None:
        await pilot.pause(0.02)
    await pilot.pause(0.1)
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)


async def mid_turn(pilot) -> None:
    """A turn in progress: reasoning, plan, a finished command, an applied patch,
    a running command and an answer being streamed."""
    await settle(pilot)
    app = pilot.app
    emit = app.on_agent_event
    plan = build_patch_plan(PATCH, ROOT)
    changes = (
        ev.ChangedFile(path="greet.py", kind="update", added=6, removed=4),
        ev.ChangedFile(path="test_greet.py", kind="add", added=3, removed=0),
    )
    app.conversation.add_user("Add a --shout option to greet.py and test it.")
    emit(ev.TurnStarted(turn_id="t1", user_input="Add a --shout option to greet.py and test it."))
    emit(
        ev.Reasoning(
            item_id="rs1", text="**Reading the entry point**\n\nmain() takes the name from argv."
        )
    )
    emit(ev.PlanUpdated(explanation="A flag, the function, a test.", plan=PLAN))
    emit(ev.ExecBegin(call_id="c1", command=("rg", "-n", "greet"), cwd=ROOT, sandboxed=True))
    emit(
        ev.ExecEnd(
            call_id="c1",
            command=("rg", "-n", "greet"),
            exit_code=0,
            output=OUTPUT,
            duration_s=0.4,
            status="completed",
        )
    )
    emit(ev.PatchBegin(call_id="p1", changes=changes, diff=plan.diff))
    emit(
        ev.PatchEnd(
            call_id="p1", changes=changes, success=True, output="applied", status="completed"
        )
    )
    emit(ev.ExecBegin(call_id="c2", command=("python3", "test_greet.py"), cwd=ROOT, sandboxed=True))
    emit(
        ev.AgentMessageDelta(
            item_id="m1", delta="The option is in. While the tests run, here is the new "
        )
    )
    emit(
        ev.AgentMessageDelta(
            item_id="m1", delta="function:\n\n```python\ndef greet(name, shout=False):\n"
        )
    )
    emit(ev.AgentMessageDelta(item_id="m1", delta='    text = f"Hello, {name}!"\n'))
    emit(
        ev.TokenCount(
            total=ev.TokenUsage(input_tokens=5200, cached_input_tokens=0, output_tokens=800),
            last=ev.TokenUsage(input_tokens=5200, cached_input_tokens=0, output_tokens=800),
            context_window=272_000,
        )
    )
    app.status_bar.set_working(True)
    await pilot.pause(0.2)


def test_main_screen_mid_turn(snapshot_root, snap_compare) -> None:
    assert snap_compare(snapshot_app(), run_before=mid_turn, terminal_size=(150, 42))


def test_80_by_24(snapshot_root, snap_compare) -> None:
    assert snap_compare(snapshot_app(), run_before=mid_turn, terminal_size=(80, 24))


@pytest.mark.parametrize("theme", ["dark", "light", "high-contrast", "ember"])
def test_each_theme(theme: str, snapshot_root, snap_compare) -> None:
    assert snap_compare(snapshot_app(theme), run_before=mid_turn, terminal_size=(130, 36))


async def open_dialog(pilot, request) -> None:
    await settle(pilot)
    app = pilot.app
    app.conversation.add_user("Add a --shout option to greet.py and test it.")
    app.status_bar.set_working(True)
    app._dialog_task = asyncio.create_task(app.ask(request))
    await pilot.pause(0.3)


def test_command_approval_dialog(snapshot_root, snap_compare) -> None:
    request = ev.CommandApprovalRequest(
        call_id="c1",
        command=("python3", "test_greet.py"),
        cwd=ROOT,
        reason="`python3 test_greet.py` is not a known-safe read-only command",
        justification="Run the tests to check the new option.",
        session_prefix=("python3", "test_greet.py"),
    )

    async def run_before(pilot) -> None:
        await open_dialog(pilot, request)

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=(120, 34))


def test_patch_approval_dialog_with_a_dropped_hunk(snapshot_root, snap_compare) -> None:
    async def run_before(pilot) -> None:
        plan = build_patch_plan(PATCH, ROOT)
        changes = (
            ev.ChangedFile(path="greet.py", kind="update", added=6, removed=4),
            ev.ChangedFile(path="test_greet.py", kind="add", added=3, removed=0),
        )
        request = ev.PatchApprovalRequest(
            call_id="p1", changes=changes, reason="approval policy untrusted", patch=plan
        )
        await open_dialog(pilot, request)
        await pilot.press("down", "space")

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=(120, 40))


def test_plan_pane_narrow(snapshot_root, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        emit = pilot.app.on_agent_event
        emit(
            ev.PlanUpdated(
                explanation="First idea.", plan=(PlanStep(step="Try a cache", status="completed"),)
            )
        )
        emit(ev.PlanUpdated(explanation="A flag, the function, a test.", plan=PLAN))
        await pilot.press("ctrl+t")
        await pilot.pause(0.1)

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=(90, 30))


def test_diff_pane(snapshot_root, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.side_diff().show_patch(build_patch_plan(PATCH, ROOT), title="Last applied patch")
        pilot.app.side_has_content()  # what a patch's end does in the app
        await pilot.pause(0.3)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=(150, 42))
