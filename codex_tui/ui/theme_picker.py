"""`/theme`'s picker: our themes with their descriptions, each shown on the whole app
as the highlight reaches it; Enter keeps it, Esc puts back the theme that was on."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.widgets import OptionList

from codex_tui.ui.pickers import ChoiceScreen

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

__all__ = ["ThemePicker"]


class ThemePicker(ChoiceScreen):
    """Dismisses with the chosen theme's name (the caller applies and saves it), or
    None after restoring the theme it opened on."""

    def __init__(self, app: CodexApp) -> None:
        specs = app.theme_specs
        choices = [(name, specs[name].description) for name in sorted(specs)]
        super().__init__("Theme (saved to config.yaml)", choices, app.theme)
        self.before = app.theme

    @property
    def codex_app(self) -> CodexApp:
        return cast("CodexApp", self.app)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A preview: applied, not saved."""
        name = event.option.id
        app = self.codex_app
        if name is not None and name != app.theme and name in app.theme_specs:
            app.apply_theme(name)

    def action_cancel(self) -> None:
        app = self.codex_app
        if app.theme != self.before and self.before in app.theme_specs:
            app.apply_theme(self.before)
        self.dismiss(None)
