"""The approval dialogs in the real app at 80×24: the diff gets the height, the page
keys scroll the diff (not the conversation behind), ↑/↓ bring each hunk into view,
a long command is shown once, and a dangerous one is marked.

The requests are built the way the agent builds them (the policy's decision and
session prefix), so the dialog shows what a real turn would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual.color import Color
from textual.content import Content

from codex_tui.agent import events as ev
from codex_tui.patch import PatchPlan, build_patch_plan
from codex_tui.policy.decision import Action, PolicyRules, decide_command
from codex_tui.policy.prefixes import approval_prefix
from codex_tui.ui.approval import ApprovalScreen
from codex_tui.ui.diffview import DiffView
from tests.ui.conftest import wait_for

# ---------------------------------------------------------------------------- requests

HANDLERS = 12


def server_source() -> str:
    """A 96-line module of small request handlers, eight lines each."""
    return "".join(
        f"def handle_{n}(request):\n"
        f'    """Answer request {n}."""\n'
        "    user = request.user\n"
        "    if not user:\n"
        "        return error(401)\n"
        f"    data = load({n}, user)\n"
        "    return ok(data)\n"
        "\n"
        for n in range(HANDLERS)
    )


def _handler_hunk(n: int) -> str:
    return (
        "@@\n"
        f" def handle_{n}(request):\n"
        f'     """Answer request {n}."""\n'
        "     user = request.user\n"
        "-    if not user:\n"
        "-        return error(401)\n"
        "+    if user is None:\n"
        f'+        log.warning("request {n} without a user")\n'
        '+        return error(401, "sign in first")\n'
        f"     data = load({n}, user)\n"
    )


LONG_PATCH = (
    "*** Begin Patch\n*** Update File: server.py\n"
    + "".join(_handler_hunk(n) for n in (1, 4, 7, 10))
    + "*** Add File: test_server.py\n"
    + "".join(
        f"+def test_handler_{n}(client):\n+    assert client.get({n}).ok\n" for n in range(10)
    )
    + "*** End Patch\n"
)
FIRST_CHANGE = 'log.warning("request 1 without a user")'


def long_patch_request(root: Path) -> ev.PatchApprovalRequest:
    """Four hunks in server.py and a new 20-line test file: 70 diff lines, 5 hunks."""
    (root / "server.py").write_text(server_source())
    plan = build_patch_plan(LONG_PATCH, root)
    changes = tuple(
        ev.ChangedFile(path=f.path, kind=f.kind.value, added=f.added, removed=f.removed)
        for f in plan.files
    )
    return ev.PatchApprovalRequest(
        call_id="p1", changes=changes, reason="approval policy untrusted: every patch asks",
        patch=plan,
    )  # fmt: skip


def command_request(
    argv: tuple[str, ...], cwd: Path, justification: str | None = None
) -> ev.CommandApprovalRequest:
    """The request the agent sends for `argv` under the untrusted policy."""
    decision = decide_command(
        PolicyRules(approval_policy="untrusted"), argv, justification=justification
    )
    assert decision.action is Action.ASK, decision
    return ev.CommandApprovalRequest(
        call_id="c1",
        command=argv,
        cwd=cwd,
        reason=decision.reason,
        justification=justification,
        session_prefix=tuple(approval_prefix(argv)) if decision.session_approvable else (),
        retry_without_sandbox=not decision.sandbox_if_approved,
    )


LONG_SCRIPT = (
    "set -euo pipefail; for f in $(git ls-files '*.py'); do "
    'python3 -m py_compile "$f" && echo "compiled $f"; done; '
    "python3 -m pytest -q tests/unit tests/integration --maxfail=3 --durations=10 "
    "--junitxml=build/reports/junit-unit-and-integration.xml | tee build/reports/pytest.log"
)
LONG_COMMAND = ("bash", "-lc", LONG_SCRIPT)
DANGEROUS_COMMAND = ("rm", "-rf", "build", "dist", ".venv")
# Not dangerous to the policy's classifier, but the response checker flags it.
FLAGGED_COMMAND = ("psql", "-c", "DROP TABLE users")


async def open_dialog(pilot, request: ev.ApprovalRequest) -> ApprovalScreen:
    """Show the dialog for `request` the way the agent's approver does."""
    app = pilot.app
    await wait_for(pilot, lambda: app.agent is not None, what="the agent")
    app._dialog_task = asyncio.create_task(app.ask(request))
    await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="the dialog")
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)
    return app.screen


async def open_long_patch(pilot, root: Path) -> tuple[ApprovalScreen, DiffView]:
    """The patch dialog over the long patch, and its diff view."""
    screen = await open_dialog(pilot, long_patch_request(root))
    return screen, screen.query_one("#approval-diff", DiffView)


def diff_rows(view: DiffView) -> list[str]:
    """The diff's rows on screen (inside its border and scrollbars) as text."""
    height = view.scrollable_content_region.height
    return [view.render_line(y).text.rstrip() for y in range(height)]


def dialog_text(screen: ApprovalScreen) -> str:
    """Everything the dialog's static parts say, as plain text."""
    parts = []
    for widget in screen.query("Static, KeyHints"):
        content = widget.render()
        parts.append(content.plain if isinstance(content, Text | Content) else str(content))
    return "\n".join(parts)


async def scrolled_conversation(pilot) -> float:
    """Fill the conversation behind the dialog past a screenful, follow it to its
    end and say where it stands."""
    app = pilot.app
    await wait_for(pilot, lambda: app.agent is not None, what="the agent")
    for n in range(120):
        app.conversation.note("info", f"earlier output line {n}")
    await pilot.pause(0.1)
    app.conversation.jump_to_bottom()
    await pilot.pause(0.1)
    return app.conversation.scroll_y


# ---------------------------------------------------------------------------- the patch dialog


async def test_the_patch_dialog_gives_the_diff_most_of_the_height_at_80x24(
    app_factory, workspace: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_long_patch(pilot, workspace)
        shown = [row for row in diff_rows(view) if row.strip()]
        assert len(shown) >= 10, shown
        # Hunk 1's code is on screen from the start.
        assert any(FIRST_CHANGE in row for row in shown), shown
        chrome = sum(
            screen.query_one(selector).outer_size.height
            for selector in ("#approval-head", "#approval-details", "#approval-keys")
        )
        assert chrome <= 3
        # Every key hint is whole on its one line.
        keys = screen.query_one("#approval-keys")
        assert keys.size.height == 1 and keys.region.right <= 80
        for hint in ("y", "a", "n", "esc", "↑↓", "space"):
            assert f"{hint} " in keys.render().plain


async def test_page_keys_scroll_the_diff_not_the_conversation_behind(
    app_factory, workspace: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        behind = await scrolled_conversation(pilot)
        assert behind > 0
        _, view = await open_long_patch(pilot, workspace)
        assert view.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        page = view.scroll_y
        assert page > 5
        await pilot.press("end")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > page
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y < view.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert view.scroll_y == 0
        # With the feedback box open the page keys still move the diff.
        await pilot.press("n", "pagedown")
        await pilot.pause()
        assert view.scroll_y > 0
        assert app.conversation.scroll_y == behind


async def test_up_down_move_between_hunks_and_bring_each_into_view(
    app_factory, workspace: Path
) -> None:
    async with app_factory().run_test(size=(80, 24)) as pilot:
        screen, view = await open_long_patch(pilot, workspace)
        assert view.total == 5

        def check(number: int) -> None:
            rows = diff_rows(view)
            heads = [i for i, row in enumerate(rows) if f"hunk {number} of 5" in row]
            assert heads, (number, rows)
            # The head and at least a few lines of its body are on screen.
            assert heads[0] + 4 < len(rows), (number, rows)

        for number in range(2, 6):
            await pilot.press("down")
            await pilot.pause()
            check(number)
        # A new file's first hunk comes with its file header.
        assert any("test_server.py" in row for row in diff_rows(view))
        for number in range(4, 0, -1):
            await pilot.press("up")
            await pilot.pause()
            check(number)
        await pilot.press("space")
        assert "4 of 5 hunks kept" in str(screen.hunk_note.content)


# ---------------------------------------------------------------------------- the command dialog


async def test_a_long_command_is_shown_once_and_wrapped(app_factory, workspace: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        behind = await scrolled_conversation(pilot)
        screen = await open_dialog(pilot, command_request(LONG_COMMAND, workspace))
        await pilot.press("pageup", "home")
        assert app.conversation.scroll_y == behind
        text = dialog_text(screen)
        assert text.count("junit-unit-and-integration") == 1, text
        box = screen.query_one("#approval-command")
        dialog = screen.query_one("#dialog")
        assert box.region.right <= dialog.region.right
        # Wrapped, not cut: the whole script is in the box, over several rows.
        assert box.virtual_size.height >= 4
        assert "tee build/reports/pytest.log" in text
        keys = screen.query_one("#approval-keys")
        assert keys.region.bottom <= 24 and keys.region.height <= 2
        await pilot.press("escape")
        # A script longer than the screen scrolls in its box; the keys stay in sight.
        script = "\n".join(f"python3 step_{n}.py" for n in range(60))
        screen = await open_dialog(pilot, command_request(("bash", "-lc", script), workspace))
        box = screen.query_one("#approval-command")
        assert box.max_scroll_y > 0 and box.region.height <= 12
        assert screen.query_one("#approval-keys").region.bottom <= 24
        await pilot.press("pagedown")
        assert box.scroll_y > 0 and app.conversation.scroll_y == behind
        await pilot.press("end")
        assert box.scroll_y == box.max_scroll_y


async def test_a_dangerous_command_looks_different_from_a_harmless_one(
    app_factory, workspace: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        error = Color.parse(app.theme_variables["error"])
        for argv, dangerous in (
            (("python3", "test_greet.py"), False),
            (DANGEROUS_COMMAND, True),
            (FLAGGED_COMMAND, True),
        ):
            screen = await open_dialog(pilot, command_request(argv, workspace))
            assert screen.has_class("-danger") is dangerous, argv
            border = screen.query_one("#dialog").styles.border_top
            assert (border[1] == error) is dangerous, (argv, border)
            warnings = screen.query("#approval-warning")
            assert bool(warnings) is dangerous
            if dangerous:
                assert "destructive" in dialog_text(screen).lower()
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ApprovalScreen))


async def test_the_dialog_keys_still_decide(app_factory, workspace: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        request = command_request(("python3", "test_greet.py"), workspace)
        for keys, decision, feedback in (
            (("y",), ev.ReviewDecision.APPROVE, ""),
            (("a",), ev.ReviewDecision.APPROVE_SESSION, ""),
            (("n", *"use echo", "enter"), ev.ReviewDecision.DENY, "use echo"),
            (("escape",), ev.ReviewDecision.ABORT, ""),
        ):
            await open_dialog(pilot, request)
            await pilot.press(*keys)
            answer = await asyncio.wait_for(app._dialog_task, 5)
            assert answer.decision is decision
            assert answer.feedback == feedback


def test_the_long_patch_is_long(tmp_path: Path) -> None:
    plan: PatchPlan = long_patch_request(tmp_path).patch
    assert len(plan.hunk_refs()) == 5
    assert sum(len(h.lines) for f in plan.files for h in f.hunks) >= 60
