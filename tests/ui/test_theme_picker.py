"""Choosing a theme: `/theme` previews each theme as the highlight moves and Esc puts
back the one before; the command palette offers our commands first and our themes
only (Textual's 25 built-in ones were neither saved nor applied to code)."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList

from codex_tui.config import paths
from codex_tui.ui.slash import SLASH_COMMANDS
from tests.ui.conftest import wait_for


async def started(app, pilot) -> None:
    await wait_for(pilot, lambda: app.agent is not None, what="the agent")


async def open_theme_picker(app, pilot) -> OptionList:
    app.composer.text = "/theme"
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.query(OptionList), what="the picker")
    return app.screen.query_one(OptionList)


def highlighted(options: OptionList) -> str | None:
    assert options.highlighted is not None
    return options.get_option_at_index(options.highlighted).id


async def test_the_theme_picker_previews_as_you_move_and_esc_restores(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        options = await open_theme_picker(app, pilot)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == sorted(app.theme_specs)  # ours: dark, ember, high-contrast, light
        assert highlighted(options) == "dark" == app.theme
        await pilot.press("down")
        await pilot.pause()
        assert app.theme == "ember"  # shown on the whole app at once
        assert "Dark ink on near-white" in str(options.get_option_at_index(3).prompt)
        assert app.conversation.code_theme == app.theme_specs["ember"].pygments_style
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.theme == "light"
        assert not paths.config_file().exists()  # a preview is not saved
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == "dark" and app.screen is app.screen_stack[0]
        assert app.conversation.code_theme == app.theme_specs["dark"].pygments_style
    assert not paths.config_file().exists()


async def test_enter_keeps_the_previewed_theme_and_saves_it(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        await open_theme_picker(app, pilot)
        await pilot.press("up")  # from dark, wrapping to the last: light
        await pilot.pause()
        assert app.theme == "light"
        await pilot.press("enter")
        await wait_for(pilot, lambda: paths.config_file().exists(), what="the saved choice")
        assert app.theme == "light" and app.config.theme == "light"
    assert "theme: light" in paths.config_file().read_text()


async def palette_entries(app, pilot, query: str = "") -> list[str]:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    if query:
        await pilot.press(*query)
    commands = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count > 1 or query, what="the entries")
    await pilot.pause(0.4)  # the palette gathers entries in batches
    return [
        str(commands.get_option_at_index(i).prompt).split("\n")[0]
        for i in range(commands.option_count)
    ]


async def test_the_palette_lists_our_commands_first_and_only_our_themes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        entries = await palette_entries(app, pilot)
        ours = [f"/{c.name}" for c in SLASH_COMMANDS]
        assert entries[: len(ours)] == ours
        assert "Theme" not in entries and "Quit" not in entries  # /theme and /quit are ours
        assert "Keys" in entries[len(ours) :]  # what we have no command for stays
        await pilot.press("escape")
        await pilot.pause()

        entries = await palette_entries(app, pilot, "theme")
        assert entries == ["/theme"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query(OptionList), what="our picker")
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == sorted(app.theme_specs)
        assert "textual-dark" not in ids and "nord" not in ids
