"""`/review` in the real app: the uncommitted changes (an untracked file too) or
a commit go to the model with our review instructions, in plan mode (no tool
that writes is offered), the diff opens beside the findings, and the mode the
person had comes back; a bad target is one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from codex_tui.scripted import Message, Reply
from tests.ui.conftest import screen_text, wait_for


async def test_review_of_uncommitted_changes_and_of_a_commit(
    scripted_server, workspace: Path, app_factory
) -> None:
    (workspace / "notes.txt").write_text("alpha\nBETA\n")
    (workspace / "new.py").write_text("print('hi')\n")
    scripted_server.add(
        Reply([Message("1. **major** `notes.txt:2` — shouting.")]),
        Reply([Message("Nothing to report.")]),
    )
    app = app_factory(approval_policy="on-request")
    async with app.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"/mode auto-edit", "enter")
        await wait_for(pilot, lambda: app.status_bar.mode == "auto-edit")
        await pilot.press(*"/review", "enter")
        await wait_for(pilot, lambda: "shouting" in screen_text(app), what="the findings")
        await wait_for(pilot, lambda: app.status_bar.mode == "auto-edit", what="mode back")
        assert "/review — the uncommitted changes" in screen_text(app)
        assert "Plan ready" not in screen_text(app)
        await pilot.press(*"/review HEAD", "enter")
        await wait_for(pilot, lambda: "Nothing to report." in screen_text(app), what="2nd")
        await pilot.press(*"/review --output=x", "enter")
        await wait_for(pilot, lambda: "/review: not a commit: --output=x" in screen_text(app))
    first, second = scripted_server.bodies
    sent = first["input"][-1]["content"][0]["text"]
    assert "most severe first" in sent and "path:line" in sent
    assert "+BETA" in sent and "+print('hi')" in sent  # the untracked file is in it
    assert "apply_patch" not in {t["name"] for t in first["tools"]}
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True
    )
    commit = second["input"][-1]["content"][0]["text"]
    assert f"commit {head.stdout.strip()}" in commit and "+alpha" in commit


async def test_the_places_a_review_names_link_into_the_diff(
    scripted_server, workspace: Path, app_factory
) -> None:
    from codex_tui.ui.review_ui import FindingLink

    (workspace / "aaa.txt").write_text("".join(f"line {n}\n" for n in range(80)))
    (workspace / "notes.txt").write_text("alpha\nBETA\n")
    answer = (
        "1. **major** `notes.txt:2` — shouting.\n"
        "2. **minor** nowhere.py:3 is not in the diff.\n"
        "3. **nit** aaa.txt:40 — counting."
    )
    scripted_server.add(Reply([Message(answer)]))
    app = app_factory(approval_policy="on-request")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"/review", "enter")
        await wait_for(pilot, lambda: app.conversation.query(FindingLink), what="the links")
        links = list(app.conversation.query(FindingLink))
        assert [(link.path, link.line) for link in links] == [("notes.txt", 2), ("aaa.txt", 40)]
        view = app.diff_view
        assert view is not None
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        links[0].on_click()  # notes.txt comes after 80 lines of aaa.txt
        await pilot.pause()
        assert view.scroll_y > 40
        row = view._doc.row_of("notes.txt", 2)
        assert row is not None and round(view.scroll_y) == min(row, round(view.max_scroll_y))
