"""Themes: the bundled files, user themes and their problems, registering on an app,
and saving the choice into config.yaml without disturbing the rest of it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from codex_tui.config.errors import ConfigError
from codex_tui.config.loader import load_config
from codex_tui.ui.highlight import pygments_style_exists
from codex_tui.ui.themes import (
    DIFF_ADDED_VAR,
    PYGMENTS_STYLE_VAR,
    bundled_themes_dir,
    drop_unknown_styles,
    load_themes,
    register_all,
    save_theme_choice,
    theme_variable_defaults,
)

REPO = Path(__file__).resolve().parents[2]
BUNDLED = ("dark", "light", "high-contrast", "ember")


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two opaque colours."""

    def luminance(value: str) -> float:
        r, g, b_ = (c / 255 for c in Color.parse(value).rgb)
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b_)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class Host(App[None]):
    CSS = "Static { background: $diff-added-bg; }"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        yield Static("sample", id="sample")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_bundled_themes_load_cleanly_and_are_readable() -> None:
    themes = load_themes()
    assert themes.warnings == []
    assert set(BUNDLED) <= set(themes.themes)
    assert bundled_themes_dir() == REPO / "themes"
    for name in BUNDLED:
        spec = themes.themes[name]
        theme = spec.textual_theme
        assert spec.name == theme.name == name and spec.description
        assert theme.variables[PYGMENTS_STYLE_VAR] == spec.pygments_style
        # The late style check takes this on trust for bundled themes.
        assert spec.bundled and pygments_style_exists(spec.pygments_style), name
        assert theme.variables[DIFF_ADDED_VAR] == spec.diff_added_bg
        assert theme.foreground and theme.background
        # Body text, and code on added/removed rows, must stay easy to read.
        floor = 12 if name == "high-contrast" else 7
        assert contrast(theme.foreground, theme.background) >= floor, name
        for tint in (spec.diff_added_bg, spec.diff_removed_bg):
            assert contrast(theme.foreground, tint) >= 7, (name, tint)
        for state in (theme.success, theme.error, theme.warning, theme.primary):
            assert contrast(state, theme.background) >= 4.5, (name, state)
    assert themes.themes["light"].textual_theme.dark is False
    assert themes.themes["dark"].textual_theme.dark is True


def test_bundled_themes_are_found_in_an_installed_wheel_layout(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "codex_tui"
    write(package / "themes" / "dark.yaml", "primary: '#123456'\n")
    assert bundled_themes_dir(package) == package / "themes"
    themes = load_themes(bundled_dir=bundled_themes_dir(package))
    assert list(themes.themes) == ["dark"]
    assert bundled_themes_dir(tmp_path / "nowhere" / "codex_tui") is None


async def test_every_theme_registers_and_applies_on_an_app() -> None:
    app = Host()
    async with app.run_test() as pilot:
        themes = register_all(app)
        for name in BUNDLED:
            app.theme = name
            await pilot.pause()
            assert app.current_theme.name == name
            sample = app.query_one("#sample")
            expected = Color.parse(themes.themes[name].diff_added_bg)
            assert sample.styles.background == expected
        # A Textual built-in theme still works with the variables' defaults.
        app.theme = "textual-dark"
        await pilot.pause()
        assert app.theme_variables[PYGMENTS_STYLE_VAR]


def test_user_themes_override_bundled_ones_and_add_new_ones(isolated_home: Path) -> None:
    user = isolated_home / "themes"
    write(
        user / "dark.yaml",
        "# my own dark\nprimary: '#ff00ff'\nbackground: '#000000'\npygments_style: monokai\n",
    )
    write(
        user / "paper.yml",
        "name: paper\ndark: false\nprimary: '#224488'\nbackground: '#ffffff'\n",
    )
    themes = load_themes()
    assert themes.warnings == []
    dark = themes.themes["dark"]
    assert dark.source == user / "dark.yaml"
    assert dark.textual_theme.primary == "#ff00ff" and dark.pygments_style == "monokai"
    # Tints left out are derived from the state colours over the background.
    assert Color.parse(dark.diff_added_bg) != Color.parse("#000000")
    paper = themes.themes["paper"]
    assert paper.textual_theme.dark is False and paper.pygments_style == "default"
    assert {"light", "high-contrast", "ember"} <= set(themes.themes)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "- a list\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: expected a mapping of keys to values; skipped",
        ),
        (
            "background: '#000000'\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: 'primary' is required; skipped",
        ),
        (
            "primary: '#12345'\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: 'primary': '#12345' is not a colour; skipped",
        ),
        (
            "primary: 12\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: 'primary' must be a colour in quotes, like \"#58a6ff\"; skipped",
        ),
        (
            "primary: '#123456'\ndark: maybe\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: 'dark' must be true or false; skipped",
        ),
        (
            "primary: '#123456'\npygments_style: no-such-style\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: 'pygments_style': 'no-such-style' is not a pygments style; skipped",
        ),
        (
            "primary: '#123456'\nvariables: {footer-key-foreground: banana}\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: variable 'footer-key-foreground': 'banana' is not a valid value; skipped",
        ),
        (
            "primary: '#123456'\nvariables: {block-cursor-text-style: shiny}\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: variable 'block-cursor-text-style': 'shiny' is not a valid value; skipped",
        ),
        (
            "name: 'two words'\nprimary: '#123456'\n",
            "theme $CODEX_TUI_HOME/themes/bad.yaml: name 'two words' must be letters, digits, '-', '_' or '.'; skipped",
        ),
    ],
)
def test_a_broken_user_theme_is_skipped_with_one_warning(
    isolated_home: Path, text: str, problem: str
) -> None:
    write(isolated_home / "themes" / "bad.yaml", text)
    themes = load_themes()
    assert themes.warnings == [problem]
    assert "bad" not in themes.themes and set(BUNDLED) <= set(themes.themes)


def test_code_styles_can_be_checked_after_loading(isolated_home: Path) -> None:
    text = "primary: '#123456'\npygments_style: no-such-style\n"
    write(isolated_home / "themes" / "bad.yaml", text)
    eager = load_themes()
    lazy = load_themes(check_styles=False)
    assert "bad" in lazy.themes and lazy.warnings == []
    assert drop_unknown_styles(lazy) == ["bad"]
    assert lazy.warnings == eager.warnings and lazy.names() == eager.names()


def test_a_late_style_check_brings_back_the_bundled_theme_it_replaced(
    isolated_home: Path,
) -> None:
    text = "primary: '#123456'\npygments_style: no-such-style\n"
    write(isolated_home / "themes" / "dark.yaml", text)  # replaces the bundled dark
    eager = load_themes()
    lazy = load_themes(check_styles=False)
    assert lazy.themes["dark"].textual_theme.primary == "#123456"
    assert not lazy.themes["dark"].bundled  # the person's: its style is asked about
    assert drop_unknown_styles(lazy) == ["dark"]
    assert lazy.warnings == eager.warnings
    assert lazy.themes["dark"] == eager.themes["dark"]  # the bundled one
    assert lazy.themes["dark"].source == bundled_themes_dir() / "dark.yaml"
    assert lazy.themes["dark"].bundled


def test_a_user_theme_that_is_not_yaml_is_skipped_with_its_line(isolated_home: Path) -> None:
    write(isolated_home / "themes" / "bad.yaml", "dark: true\nprimary: [unclosed\n")
    themes = load_themes()
    assert len(themes.warnings) == 1
    # The parser's wording differs between libyaml and pure Python; the frame does not.
    assert re.fullmatch(
        r"theme \$CODEX_TUI_HOME/themes/bad\.yaml: [^\n]+ at line 3; skipped", themes.warnings[0]
    ), themes.warnings
    assert "bad" not in themes.themes


def test_unknown_keys_are_reported_but_the_theme_loads(isolated_home: Path) -> None:
    write(isolated_home / "themes" / "odd.yaml", "primary: '#123456'\nprimray: '#654321'\n")
    themes = load_themes()
    assert themes.warnings == [
        "theme $CODEX_TUI_HOME/themes/odd.yaml: unknown key 'primray' ignored"
    ]
    assert themes.themes["odd"].textual_theme.primary == "#123456"


async def test_a_broken_user_theme_never_reaches_the_app(isolated_home: Path) -> None:
    write(
        isolated_home / "themes" / "bad.yaml",
        "primary: '#123456'\nvariables: {text-muted: 'nope nope nope'}\n",
    )
    app = Host()
    async with app.run_test() as pilot:
        themes = register_all(app)
        assert "bad" not in app.available_themes and len(themes.warnings) == 1
        app.theme = "ember"
        await pilot.pause()
        assert app.current_theme.name == "ember"


# ---------------------------------------------------------------------------- saving

CONFIG = """\
# codex-tui settings
model: gpt-5-codex   # the default model

theme: dark  # picked with /theme
approval_policy: on-request

profiles:
  bright:
    theme: light
    model: o4-mini
  # a comment between profiles
  night:
    theme: ember
"""


def test_save_theme_choice_creates_the_file(isolated_home: Path) -> None:
    path = save_theme_choice("high-contrast")
    assert path == isolated_home / "config.yaml"
    assert path.read_text() == "theme: high-contrast\n"
    assert load_config().config.theme == "high-contrast"


def test_save_theme_choice_edits_only_the_top_level_theme(isolated_home: Path) -> None:
    path = write(isolated_home / "config.yaml", CONFIG)
    os.chmod(path, 0o600)
    save_theme_choice("light")
    assert path.read_text() == CONFIG.replace("theme: dark  # picked", "theme: light  # picked")
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in isolated_home.iterdir()) == ["config.yaml"]  # no temp left
    loaded = load_config()
    assert loaded.config.theme == "light"
    assert load_config(profile="night").config.theme == "ember"


def test_save_theme_choice_appends_when_there_is_no_top_level_theme(isolated_home: Path) -> None:
    text = CONFIG.replace("theme: dark  # picked with /theme\n", "")
    path = write(isolated_home / "config.yaml", text.rstrip("\n"))  # no final newline
    save_theme_choice("ember")
    assert path.read_text() == text.rstrip("\n") + "\ntheme: ember\n"
    assert load_config().config.theme == "ember"
    assert load_config(profile="bright").config.theme == "light"


def test_save_theme_choice_keeps_windows_line_endings_and_odd_layouts(isolated_home: Path) -> None:
    path = isolated_home / "config.yaml"
    path.write_bytes(b"model: x\r\ntheme: dark\r\nsandbox_mode: read-only\r\n")
    save_theme_choice("light")
    assert path.read_bytes() == b"model: x\r\ntheme: light\r\nsandbox_mode: read-only\r\n"

    path.write_text("'theme': \"dark\"  # quoted\nmodel: x\n")
    save_theme_choice("ember")
    assert path.read_text() == "theme: ember  # quoted\nmodel: x\n"

    path.write_text("theme:\n  dark\nmodel: x\n")
    save_theme_choice("light")
    assert path.read_text() == "theme: light\nmodel: x\n"

    save_theme_choice("yes")  # would read back as a boolean unquoted
    assert path.read_text() == 'theme: "yes"\nmodel: x\n'
    assert load_config().config.theme == "yes"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model: [unclosed\n", "config.yaml: cannot set the theme, the file is not valid YAML"),
        ("{model: x}\n", "config.yaml: cannot set the theme in this file's layout; set it by hand"),
        ("- a list\n", "config.yaml: cannot set the theme, the file is not a mapping"),
    ],
)
def test_save_theme_choice_refuses_files_it_cannot_edit_safely(
    isolated_home: Path, text: str, message: str
) -> None:
    path = write(isolated_home / "config.yaml", text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        save_theme_choice("light")
    assert path.read_text() == text


def test_a_theme_that_is_a_fifo_or_huge_is_skipped_without_hanging(isolated_home: Path) -> None:
    import os
    import subprocess
    import sys

    user = isolated_home / "themes"
    user.mkdir(parents=True)
    os.mkfifo(user / "pipe.yaml")
    (user / "huge.yaml").symlink_to("/dev/zero")
    code = "from codex_tui.ui.themes import load_themes; print('\\n'.join(load_themes().warnings))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "CODEX_TUI_HOME": str(isolated_home)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "pipe.yaml: cannot read: is a named pipe" in done.stdout
    assert "huge.yaml: cannot read:" in done.stdout
