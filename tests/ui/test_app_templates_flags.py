"""Prompt templates as slash commands and the response checker's notes, in the app."""

from __future__ import annotations

from pathlib import Path

from codex_tui.config import paths
from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.cells import FlagCell
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_app_commands import request_texts, slash

FIX = """---
description: Reproduce a bug, then fix it
defaults:
  scope: the smallest change
---
Bug: {{bug}}. Fix it with {{scope}}.
"""


def write_templates(workspace: Path) -> None:
    repo = workspace / ".codex-tui" / "prompts"
    repo.mkdir(parents=True)
    (repo / "fix.md").write_text(FIX)
    home = paths.home() / "prompts"
    home.mkdir(parents=True)
    (home / "fix.md").write_text("home version {{bug}}\n")
    (home / "hello.md").write_text("Say hello to {{who}}.\n")


async def ready(app, pilot) -> None:
    await wait_for(pilot, lambda: app.agent is not None and "fix" in app.templates)


async def test_template_renders_and_reaches_the_model(scripted_server, workspace, app_factory):
    write_templates(workspace)
    scripted_server.add(Reply([Message("on it")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await slash(pilot, '/fix bug="dates before 1970 crash"')
        await wait_for(pilot, lambda: not app.busy and "on it" in screen_text(app))
    text = request_texts(scripted_server.bodies[0])
    # The repository's template wins over the home one; defaults fill the rest.
    assert "Bug: dates before 1970 crash. Fix it with the smallest change." in text
    assert "home version" not in text


async def test_missing_value_is_asked_inline(scripted_server, workspace, app_factory) -> None:
    write_templates(workspace)
    scripted_server.add(Reply([Message("hello sent")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await slash(pilot, "/hello")
        assert "/hello needs who" in screen_text(app)
        assert not scripted_server.requests
        await pilot.press(*"the team", "enter")
        await wait_for(pilot, lambda: not app.busy and "hello sent" in screen_text(app))
    assert "Say hello to the team." in request_texts(scripted_server.bodies[0])


async def test_unknown_placeholder_is_an_error_naming_it(workspace, app_factory) -> None:
    write_templates(workspace)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await slash(pilot, "/hello who=x colour=red")
        assert "colour" in screen_text(app)


async def test_templates_are_offered_in_completion_and_the_palette(workspace, app_factory):
    write_templates(workspace)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("/", "f", "i")
        await pilot.pause(0.2)
        options = [
            str(app.composer.popup.get_option_at_index(i).prompt)
            for i in range(app.composer.popup.option_count)
        ]
        assert any("fix" in o and "Reproduce a bug" in o for o in options)
        await pilot.press("escape")
        app.composer.clear_draft(remember=False)
        await pilot.press("ctrl+p", *"hello")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "/hello needs who" in screen_text(app))


async def test_flag_on_a_missing_path_and_the_correction_key(scripted_server, app_factory):
    scripted_server.add(
        Reply([Message("I updated `src/cache_layer.py` for you.", id="msg_a")]),
        Reply([Message("You are right, let me check.")]),
    )
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"cache it", "enter")
        await wait_for(pilot, lambda: app.conversation.query(FlagCell))
        flag = app.conversation.query_one(FlagCell)
        assert "src/cache_layer.py" in str(flag.body.content)
        await wait_for(pilot, lambda: not app.busy)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: "let me check" in screen_text(app))
    correction = request_texts(scripted_server.bodies[1])
    assert flag.correction.splitlines()[0] in correction


async def test_no_flag_for_a_file_the_turn_creates(scripted_server, app_factory) -> None:
    patch = "*** Begin Patch\n*** Add File: src/new_mod.py\n+x = 1\n*** End Patch\n"
    scripted_server.add(
        Reply([FunctionCall("apply_patch", {"input": patch})]),
        Reply([Message("Created `src/new_mod.py`.")]),
    )
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"make it", "enter")
        await wait_for(pilot, lambda: not app.busy and "Created" in screen_text(app))
        assert not app.conversation.query(FlagCell)
