"""The app's colour themes: loaded before the first frame (the theme is chosen
before the stylesheet is first parsed, so it is parsed once), checked against
pygments after it, applied and saved by `/theme`. A mixin of `CodexApp`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import work

if TYPE_CHECKING:
    from codex_tui.ui.themes import ThemeSpec

__all__ = ["ThemeHandling"]


class ThemeHandling:
    """Theme loading, checking, applying and saving (CodexApp provides the rest)."""

    theme_specs: dict[str, ThemeSpec]
    if TYPE_CHECKING:  # provided by CodexApp and Textual's App
        config: Any
        conversation: Any
        pygments_style: str
        theme: str
        register_theme: Any
        unregister_theme: Any
        refresh_css: Any
        notify: Any
        set_reactive: Any
        set_class: Any
        classes: frozenset[str]
        ansi_theme: Any
        stylesheet: Any
        get_css_variables: Any

    def _load_themes(self) -> None:
        """Called from __init__, so the theme is in place when the stylesheet is first
        parsed; switching later parses and applies all the CSS again. The pygments
        style names are checked after the first frame (_check_theme_styles)."""
        from codex_tui.config.yaml_cache import ParseCache, cache_file
        from codex_tui.ui.themes import load_themes

        cache = ParseCache(cache_file("themes"))
        theme_set = load_themes(check_styles=False, cache=cache)
        self._theme_set = theme_set
        for spec in theme_set.themes.values():
            self.register_theme(spec.textual_theme)
        self.theme_specs = dict(theme_set.themes)
        self._theme_warnings = list(theme_set.warnings)
        name = self.config.theme
        if name not in self.theme_specs:
            known = ", ".join(sorted(self.theme_specs))
            self._theme_warnings.append(f"theme {name!r} not found; using dark ({known})")
            name = "dark"
        self._set_first_theme(self.theme_specs[name].textual_theme)
        self.apply_theme(name)

    def _set_first_theme(self, theme: Any) -> None:
        """Before the first frame, choose the theme without Textual's watcher: it
        would parse and apply all the CSS a second time once the app runs (~10 ms
        of start-up). What the watcher does besides is done here; should Textual's
        ANSI filter hook be renamed, the watcher's way is taken instead (slower, the
        same frame)."""
        from textual.app import App

        refresh_ansi_filter = getattr(self, "_refresh_truecolor_filter", None)
        if refresh_ansi_filter is None:
            return  # apply_theme sets `theme`, and Textual's watcher does it all
        self.set_reactive(App.theme, theme.name)
        self.set_class(False, *(c for c in self.classes if c.startswith("-theme-")))
        self.set_class(True, f"-theme-{theme.name}")
        self.set_class(theme.dark, "-dark-mode")
        self.set_class(not theme.dark, "-light-mode")
        refresh_ansi_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())  # not parsed yet

    @work(group="themes")
    async def _check_theme_styles(self) -> None:
        """Skip the themes whose pygments style does not exist, with a warning (a bundled
        theme one of them replaced is back); if the active one goes, dark takes its
        place. Asking pygments imports its plugin machinery: in a thread, so keys
        typed meanwhile are handled."""
        from codex_tui.ui.themes import drop_unknown_styles

        checked = self._theme_set
        before = len(checked.warnings)
        changed = await asyncio.to_thread(drop_unknown_styles, checked)
        for warning in checked.warnings[before:]:
            self.conversation.note("warning", warning)
        for name in changed:
            if name in checked.themes:
                self.theme_specs[name] = checked.themes[name]
                self.register_theme(checked.themes[name].textual_theme)
            else:
                del self.theme_specs[name]
        if self.theme in changed and self.theme in self.theme_specs:
            self.apply_theme(self.theme)  # the bundled one of that name is back
            self.refresh_css()  # same name, new colours: the watcher does not run
        elif self.theme in changed:
            self.conversation.note("warning", f"theme {self.theme!r} cannot be used; using dark")
            self.apply_theme("dark")
        for name in changed:
            if name not in self.theme_specs:
                self.unregister_theme(name)

    def apply_theme(self, name: str) -> None:
        spec = self.theme_specs[name]
        self.theme = spec.textual_theme.name
        self.pygments_style = spec.pygments_style
        # The diff view follows the app theme's variables by itself.
        self.conversation.set_code_theme(spec.pygments_style)

    def switch_theme(self, name: str) -> None:
        """`/theme NAME`: apply it and save the choice to config.yaml."""
        from codex_tui.ui.themes import save_theme_choice

        if name not in self.theme_specs:
            known = ", ".join(sorted(self.theme_specs))
            self.conversation.note("error", f"/theme {name}: no such theme (themes: {known})")
            return
        self.apply_theme(name)
        self.config.theme = name
        try:
            save_theme_choice(name)
        except OSError as exc:
            self.conversation.note("warning", f"theme applied but not saved: {exc}")
            return
        self.notify(f"Theme {name} (saved to config.yaml)", timeout=3)
