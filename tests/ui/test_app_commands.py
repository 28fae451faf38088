"""Every slash command through the real app, the command palette, and the keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color

from codex_tui.agent.context import COMPACT_PROMPT
from codex_tui.config import paths
from codex_tui.scripted import Message, Reply
from codex_tui.ui.pickers import ChoiceScreen
from codex_tui.ui.slash import INIT_PROMPT, SLASH_COMMANDS
from tests.ui.conftest import screen_text, wait_for


async def started(app, pilot) -> None:
    await wait_for(pilot, lambda: app.agent is not None, what="the agent")


async def slash(pilot, text: str) -> None:
    app = pilot.app
    app.composer.text = text
    await pilot.press("enter")
    await pilot.pause()


def request_texts(body: dict) -> str:
    """The text of every message in a request body."""
    parts = []
    for item in body.get("input", []):
        content = item.get("content")
        if isinstance(content, list):
            parts += [c.get("text", "") for c in content]
    return "\n".join(parts)


async def test_every_command_is_documented_in_help(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/help")
        text = screen_text(app)
    for command in SLASH_COMMANDS:
        assert f"/{command.name}" in text


async def test_status_shows_model_policy_sandbox_and_agents_md(workspace: Path, app_factory):
    (workspace / "AGENTS.md").write_text("Run the tests with make test.\n")
    app = app_factory(approval_policy="untrusted", sandbox_mode="read-only")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/status")
        text = screen_text(app)
    assert "gpt-5-codex" in text and "scripted" in text
    assert "untrusted" in text and "read-only" in text
    assert "AGENTS.md" in text and "context left" in text


async def test_model_by_name_reaches_the_next_request(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("ok")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/model gpt-4.1")
        assert "gpt-4.1" in str(app.status_bar.content)
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: not app.busy and scripted_server.bodies)
    assert scripted_server.bodies[0]["model"] == "gpt-4.1"


async def test_model_changed_mid_turn_holds_from_the_next_request(
    scripted_server, app_factory
) -> None:
    from codex_tui.scripted import FunctionCall

    scripted_server.add(Reply([FunctionCall("shell", {"command": ["sleep", "0.5"]}, call_id="c1")]))
    scripted_server.add(Reply([Message("slept")]))
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(*"nap", "enter")
        await wait_for(pilot, lambda: len(scripted_server.bodies) == 1, what="the first request")
        assert app.busy
        await slash(pilot, "/model gpt-4.1")
        await wait_for(pilot, lambda: "gpt-4.1" in str(app.status_bar.content), what="the bar")
        await wait_for(pilot, lambda: not app.busy, what="the turn's end")
        assert "slept" in screen_text(app)
    assert [b["model"] for b in scripted_server.bodies] == ["gpt-5-codex", "gpt-4.1"]


async def test_a_command_that_waits_for_the_turn_says_so(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("word " * 300)], chunk_size=2, delay_per_delta_s=0.01))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(*"talk", "enter")
        await wait_for(pilot, lambda: app.busy, what="the turn")
        await slash(pilot, "/compact")
        assert "/compact: wait for the current turn to end" in screen_text(app)
        app.action_interrupt()
        await wait_for(pilot, lambda: not app.busy, what="the interrupt")
    # Only the turn's request went out: no compaction was asked for.
    assert len(scripted_server.bodies) == 1


async def test_model_picker_lists_the_servers_models(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/model")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the picker")
        values = [value for value, _ in app.screen.choices]
        assert values == sorted({"scripted-model", "gpt-5-codex"})  # the server's, and ours
        assert "server's models" in app.screen.title_text
        await pilot.press("escape")
        assert not isinstance(app.screen, ChoiceScreen)
        assert app.config.model == "gpt-5-codex"


async def test_approvals_picker_changes_the_policy(app_factory) -> None:
    app = app_factory(approval_policy="on-request")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/approvals")
        assert isinstance(app.screen, ChoiceScreen)
        # untrusted, on-failure, on-request (current), never: one down is "never".
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.config.approval_policy == "never")
        assert app.agent.tools.env.rules.approval_policy == "never"
        assert "approval: never" in str(app.status_bar.content)


async def test_sandbox_command_rebuilds_the_sandbox(app_factory) -> None:
    app = app_factory(sandbox_mode="workspace-write")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/sandbox read-only")
        await wait_for(pilot, lambda: app.agent.tools.env.sandbox.policy.mode == "read-only")
        assert "sandbox: read-only" in str(app.status_bar.content)
        await slash(pilot, "/sandbox nonsense")
        assert "choose one of" in screen_text(app)


async def test_diff_shows_changes_and_untracked_files(workspace: Path, app_factory) -> None:
    (workspace / "notes.txt").write_text("alpha\nBETA\n")
    (workspace / "fresh.py").write_text("print('new')\n")
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/diff")
        await wait_for(pilot, lambda: app.screen.has_class("-side"))
        await wait_for(pilot, lambda: "fresh.py" in diff_text(app), what="the diff")
        text = diff_text(app)
    assert "notes.txt" in text and "BETA" in text and "fresh.py" in text


def diff_text(app) -> str:
    """The diff pane's rows on screen, as text."""
    view = app.diff_view
    return "\n".join(view.render_line(y).text.rstrip() for y in range(view.size.height))


async def test_compact_asks_for_a_summary(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("first answer")]), Reply([Message("SUMMARY OF WORK")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: not app.busy and "first answer" in screen_text(app))
        await slash(pilot, "/compact")
        await wait_for(pilot, lambda: "Compacted: " in screen_text(app), what="compaction")
        items = str(app.agent.conversation.items)
    assert COMPACT_PROMPT in request_texts(scripted_server.bodies[1])
    assert "SUMMARY OF WORK" in items


async def test_init_asks_for_an_agents_md(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("Wrote AGENTS.md")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/init")
        await wait_for(pilot, lambda: "Wrote AGENTS.md" in screen_text(app))
    assert INIT_PROMPT in request_texts(scripted_server.bodies[0])


async def test_theme_switches_live_and_is_saved(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/theme light")
        assert app.theme == "light"
        await slash(pilot, "/theme")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")
        await slash(pilot, "/theme no-such-theme")
        assert "no such theme" in screen_text(app)
    saved = paths.config_file().read_text()
    assert "theme: light" in saved


async def test_the_configured_theme_is_on_the_first_frame(app_factory) -> None:
    app = app_factory(theme="light")
    frames: list[tuple[str, Color]] = []

    def after_display() -> None:  # Textual calls this after every display
        if not frames and app.composer.is_mounted:
            frames.append((app.theme, app.screen.styles.background))

    app.post_display_hook = after_display
    # Chosen before the stylesheet is parsed, the theme costs no second parse of all
    # the CSS (Textual's theme watcher would queue one), and the app still carries
    # the classes that watcher sets.
    reparses: list[int] = []
    reparse = app.stylesheet.reparse
    app.stylesheet.reparse = lambda: (reparses.append(1), reparse())[1]  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        light = app.theme_specs["light"].textual_theme
        assert {"-theme-light", "-light-mode"} <= app.classes
        assert "-dark-mode" not in app.classes
    assert frames == [("light", Color.parse(light.background))]
    assert reparses == []


def user_theme(home: Path, name: str, text: str) -> None:
    (home / "themes").mkdir(exist_ok=True)
    (home / "themes" / f"{name}.yaml").write_text(text)


async def test_a_theme_whose_code_style_is_unknown_gives_way_to_dark(
    isolated_home: Path, app_factory
) -> None:
    user_theme(isolated_home, "odd", "primary: '#123456'\npygments_style: no-such-style\n")
    app = app_factory(theme="odd")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await wait_for(pilot, lambda: "odd" not in app.theme_specs, what="the style check")
        assert app.theme == "dark"
        assert "odd" not in app.available_themes
        problem = "'pygments_style': 'no-such-style' is not a pygments style; skipped"
        notes = (
            f"theme $CODEX_TUI_HOME/themes/odd.yaml: {problem}",
            "theme 'odd' cannot be used; using dark",
        )
        # The notes are mounted by then; their text shows once they are composed.
        await wait_for(pilot, lambda: all(n in screen_text(app) for n in notes), what="notes")


async def test_a_broken_override_of_the_active_theme_gives_way_to_the_bundled_one(
    isolated_home: Path, app_factory
) -> None:
    text = "primary: '#123456'\ndark: false\npygments_style: no-such-style\n"
    user_theme(isolated_home, "light", text)
    app = app_factory(theme="light")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await wait_for(
            pilot, lambda: app.current_theme.primary != "#123456", what="the bundled light"
        )
        bundled = app.theme_specs["light"].textual_theme
        assert app.theme == "light" and app.current_theme is bundled
        await pilot.pause()
        assert app.screen.styles.background == Color.parse(bundled.background)
        note = "light.yaml: 'pygments_style': 'no-such-style'"
        await wait_for(pilot, lambda: note in screen_text(app), what="the note")


async def test_copy_copies_the_last_answer_as_markdown(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("Use `make test`:\n\n```sh\nmake test\n```")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/copy")
        assert "no answer to copy" in screen_text(app)
        await pilot.press(*"how", "enter")
        await wait_for(pilot, lambda: not app.busy and app.conversation.last_answer)
        await slash(pilot, "/copy")
        assert app.clipboard == "Use `make test`:\n\n```sh\nmake test\n```"


async def test_new_starts_a_fresh_session(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("old answer")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: not app.busy and "old answer" in screen_text(app))
        first = app.agent.session_id
        await slash(pilot, "/new")
        await wait_for(pilot, lambda: app.agent is not None and app.agent.session_id != first)
        assert "old answer" not in screen_text(app)


@pytest.mark.parametrize("name", ["sessions", "resume"])
async def test_sessions_commands_open_the_sidebar(name: str, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(140, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, f"/{name}")
        assert app.screen.has_class("-show-sidebar")


async def test_plan_toggles_the_side_column_and_quit_exits(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert not app.query_one("#side").display or not app.query_one("#side").region.width
        await slash(pilot, "/plan")
        assert app.query_one("#side").region.width > 0
        # Narrow: the panes take the conversation's place; the composer stays.
        assert app.query_one("#conversation").region.width == 0
        await pilot.press("ctrl+t")
        assert app.query_one("#conversation").region.width > 0
        await slash(pilot, "/quit")
        await pilot.pause()
        assert not app.is_running


async def test_unknown_command_says_so(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/frobnicate now")
        assert "unknown command /frobnicate" in screen_text(app)


async def test_command_palette_runs_slash_commands(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"status")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "approval policy" in screen_text(app))


async def test_a_model_the_server_does_not_list_is_a_warning(scripted_server, app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await slash(pilot, "/model no-such-model")
        await wait_for(pilot, lambda: "does not list" in screen_text(app), what="the warning")
        assert "'no-such-model'" in screen_text(app) and "scripted-model" in screen_text(app)
        await wait_for(pilot, lambda: app.config.model == "no-such-model", what="the switch")
