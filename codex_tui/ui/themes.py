"""Colour themes: YAML files that set the Textual theme, the pygments style for code and
diffs, and the diff tints; the bundled ones plus the user's in $CODEX_TUI_HOME/themes.

A theme file (every key but `primary` optional; `name` defaults to the file name):

    name: dark
    description: One line shown by /theme
    dark: true
    primary: "#58a6ff"      # also secondary, accent, foreground, background,
    ...                     # surface, panel, boost, success, warning, error
    pygments_style: github-dark
    diff_added_bg: "#12301f"
    diff_removed_bg: "#3a1a1d"
    variables: {footer-key-foreground: "#58a6ff"}   # any Textual theme variable

Markdown in answers takes its colours from variables too: Textual's
`markdown-h1-color` … `markdown-h6-text-style` and ours (`markdown-code-color`,
`markdown-code-background`, `markdown-code-block-background`, links, quotes,
tables, bullets: `markdown_theme.MARKDOWN_VARIABLES`); those a file leaves out are
derived from its colours.

The pygments style and tints travel inside the Textual theme as the variables
`pygments-style`, `diff-added-bg` and `diff-removed-bg`, so whatever reads the
current theme (the diff view does) follows `App.theme` live. To use the tints
in CSS under any theme, return `theme_variable_defaults()` from the app's
`get_theme_variable_defaults()`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_tui.config import paths
from codex_tui.config.safe_write import write_atomically

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme

    from codex_tui.config.yaml_cache import ParseCache

__all__ = [
    "DEFAULT_THEME",
    "DIFF_ADDED_VAR",
    "DIFF_REMOVED_VAR",
    "PYGMENTS_STYLE_VAR",
    "ThemeError",
    "ThemeSet",
    "ThemeSpec",
    "bundled_themes_dir",
    "load_theme_file",
    "load_themes",
    "register_all",
    "save_theme_choice",
    "theme_variable_defaults",
]

DEFAULT_THEME = "dark"
PYGMENTS_STYLE_VAR = "pygments-style"
DIFF_ADDED_VAR = "diff-added-bg"
DIFF_REMOVED_VAR = "diff-removed-bg"

_COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_OTHER_KEYS = (
    "name",
    "description",
    "dark",
    "variables",
    "pygments_style",
    "diff_added_bg",
    "diff_removed_bg",
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TEXT_STYLES = {"none", "not", "bold", "italic", "underline", "reverse", "strike", "dim", "blink"}
_PERCENT = re.compile(r"^\d+(\.\d+)?%$")
# Textual's own fallbacks when a theme leaves them out (textual.design).
_DEFAULT_BACKGROUND = {True: "#121212", False: "#efefef"}
_DEFAULT_SUCCESS, _DEFAULT_ERROR = "#4EBF71", "#ba3c5b"


class ThemeError(ValueError):
    """A theme file that cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class ThemeSpec:
    """One loaded theme: the Textual theme (which carries the code and diff settings
    as variables too) and where it came from."""

    name: str
    textual_theme: Theme
    pygments_style: str
    diff_added_bg: str
    diff_removed_bg: str
    description: str = ""
    source: Path | None = None
    # Shipped with codex-tui: its pygments style is one pygments ships (a test
    # checks each), so the late style check takes it on trust.
    bundled: bool = False


@dataclass
class ThemeSet:
    """Every usable theme by name, and one line per file that was skipped or doubtful."""

    themes: dict[str, ThemeSpec] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Themes a later file of the same name replaced, kept in case the replacement
    # turns out to be unusable (see drop_unknown_styles).
    shadowed: dict[str, list[ThemeSpec]] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(self.themes)


def bundled_themes_dir(package_dir: Path | None = None) -> Path | None:
    """Where the bundled theme files are: `codex_tui/themes` in an installed wheel,
    the repository's `themes/` in a source checkout."""
    package = package_dir or Path(__file__).resolve().parents[1]
    for candidate in (package / "themes", package.parent / "themes"):
        if candidate.is_dir():
            return candidate
    return None


def load_themes(
    user_dir: Path | None = None,
    bundled_dir: Path | None = None,
    check_styles: bool = True,
    cache: ParseCache | None = None,
) -> ThemeSet:
    """Bundled themes, then the user's (`$CODEX_TUI_HOME/themes/*.yaml`), which replace
    bundled ones of the same name. A file that cannot be used is skipped with a
    warning; this never raises for a bad file.

    Without `check_styles` the pygments style names are left unchecked (asking
    pygments imports its plugin machinery, ~10 ms); `drop_unknown_styles` does it
    later. With `cache` (yaml_cache), files whose text was parsed before are not
    parsed again."""
    result = ThemeSet()
    bundled = bundled_dir if bundled_dir is not None else bundled_themes_dir()
    user = user_dir if user_dir is not None else paths.themes_dir()
    for directory in (bundled, user):
        if directory is None or not directory.is_dir():
            continue
        try:
            files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        except OSError as exc:
            result.warnings.append(f"themes in {directory}: cannot list ({exc.strerror})")
            continue
        for path in files:
            try:
                spec, notes = load_theme_file(path, check_style=check_styles, cache=cache)
            except ThemeError as exc:
                result.warnings.append(f"theme {_shown(path)}: {exc}; skipped")
                continue
            result.warnings.extend(f"theme {_shown(path)}: {note}" for note in notes)
            if directory == bundled:
                spec = dataclasses.replace(spec, bundled=True)
            if spec.name in result.themes:
                result.shadowed.setdefault(spec.name, []).append(result.themes[spec.name])
            result.themes[spec.name] = spec
    if cache is not None:
        cache.save(only_seen=True)
    return result


def drop_unknown_styles(themes: ThemeSet) -> list[str]:
    """Skip the themes whose pygments style pygments does not know, with the warning
    `load_themes` would have given, so that `themes` ends as a checked load would
    (a theme a skipped file had replaced is back). Returns the names that changed.
    Only the person's own themes are asked about (ThemeSpec.bundled): asking imports
    pygments' styles and plugin machinery (~16 ms), which would otherwise compete
    with the first keys typed."""

    def style_known(spec: ThemeSpec) -> bool:
        if spec.bundled:
            return True
        from codex_tui.ui.highlight import pygments_style_exists

        return pygments_style_exists(spec.pygments_style)

    changed = []
    for name, found in list(themes.themes.items()):
        spec: ThemeSpec | None = found
        while spec is not None and not style_known(spec):
            where = _shown(spec.source) if spec.source is not None else name
            themes.warnings.append(f"theme {where}: {_unknown_style(spec.pygments_style)}; skipped")
            earlier = themes.shadowed.get(name)
            spec = earlier.pop() if earlier else None
        if spec is not themes.themes[name]:
            changed.append(name)
            if spec is None:
                del themes.themes[name]
            else:
                themes.themes[name] = spec
    return changed


def _unknown_style(style: object) -> str:
    return f"'pygments_style': {style!r} is not a pygments style"


def _shown(path: Path) -> str:
    home = paths.home()
    try:
        return str(Path("$CODEX_TUI_HOME") / path.relative_to(home))
    except ValueError:
        return path.name


THEME_MAX_BYTES = 64 * 1024
CONFIG_MAX_BYTES = 256 * 1024  # as the config loader's own cap


def load_theme_file(
    path: Path, check_style: bool = True, cache: ParseCache | None = None
) -> tuple[ThemeSpec, list[str]]:
    """Read one theme file: the theme and notes about keys it ignored; ThemeError if
    the file cannot be used (with `check_style`, also if pygments lacks its style).
    With `cache`, a text parsed before is not parsed again."""
    from codex_tui.config.safe_read import UnreadableFile, read_regular

    try:
        # A regular file of modest size only: a FIFO or /dev/zero named *.yaml
        # must not hang or fill the start-up.
        text = read_regular(path, THEME_MAX_BYTES).decode("utf-8")
    except UnreadableFile as exc:
        raise ThemeError(f"cannot read: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"cannot read: {exc}") from None
    found, data = cache.get(str(path), text) if cache is not None else (False, None)
    if not found:
        data = _parse_theme(text)
        if cache is not None:
            cache.put(str(path), text, data)
    if not isinstance(data, dict):
        raise ThemeError("expected a mapping of keys to values")
    return _build(data, path, check_style)


def _parse_theme(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ThemeError(f"{problem}{where}") from None


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _build(data: dict[Any, Any], path: Path, check_style: bool) -> tuple[ThemeSpec, list[str]]:
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

    from codex_tui.ui.highlight import pygments_style_exists

    notes = [
        f"unknown key {key!r} ignored"
        for key in data
        if key not in _COLOR_KEYS and key not in _OTHER_KEYS
    ]
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeError(f"name {name!r} must be letters, digits, '-', '_' or '.'")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError("'dark' must be true or false")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ThemeError("'description' must be text")

    def color(key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise ThemeError(f"'{key}' is required")
            return None
        if not isinstance(value, str):
            raise ThemeError(f"'{key}' must be a colour in quotes, like \"#58a6ff\"")
        try:
            Color.parse(value)
        except ColorParseError:
            raise ThemeError(f"'{key}': {value!r} is not a colour") from None
        return value

    colors = {key: color(key, required=key == "primary") for key in _COLOR_KEYS}
    variables = _variables(data.get("variables"))

    style = data.get("pygments_style", "github-dark" if dark else "default")
    if not isinstance(style, str) or (check_style and not pygments_style_exists(style)):
        raise ThemeError(_unknown_style(style))

    background = Color.parse(colors["background"] or _DEFAULT_BACKGROUND[dark])

    def tint(key: str, base: str) -> str:
        value = color(key)
        if value is None:  # the state colour, faintly, over the background
            value = background.blend(Color.parse(base), 0.2, alpha=1.0).hex
        return value

    added = tint("diff_added_bg", colors["success"] or _DEFAULT_SUCCESS)
    removed = tint("diff_removed_bg", colors["error"] or _DEFAULT_ERROR)
    variables.update({PYGMENTS_STYLE_VAR: style, DIFF_ADDED_VAR: added, DIFF_REMOVED_VAR: removed})
    theme = Theme(
        name=name,
        dark=dark,
        variables=variables,
        **{key: value for key, value in colors.items() if value is not None},  # type: ignore[arg-type]
    )
    spec = ThemeSpec(name, theme, style, added, removed, description, path)
    return spec, notes


def _variables(value: Any) -> dict[str, str]:
    from textual.color import Color, ColorParseError

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ThemeError("'variables' must be a mapping of names to values")
    out: dict[str, str] = {}
    for key, raw in value.items():
        if not isinstance(key, str) or not re.match(r"^[a-z][a-z0-9-]*$", key):
            raise ThemeError(f"variable name {key!r} must be lower-case words joined by '-'")
        if not isinstance(raw, str):
            raise ThemeError(f"variable {key!r} must be a string")
        words = raw.split()
        if key.endswith("text-style"):
            ok = bool(words) and all(w in _TEXT_STYLES for w in words)
        else:
            # A colour (or "auto"), optionally with an opacity: "#81a1c1 35%".
            ok = 1 <= len(words) <= 2 and (len(words) == 1 or bool(_PERCENT.match(words[1])))
            if ok and words[0] != "auto":
                try:
                    Color.parse(words[0])
                except ColorParseError:
                    ok = False
        if not ok:
            raise ThemeError(f"variable {key!r}: {raw!r} is not a valid value")
        out[key] = raw
    return out


def register_all(app: App[Any], themes: ThemeSet | None = None) -> ThemeSet:
    """Register every theme with `app` (loading them if not given); returns the set."""
    themes = themes if themes is not None else load_themes()
    for spec in themes.themes.values():
        app.register_theme(spec.textual_theme)
    return themes


def theme_variable_defaults() -> dict[str, str]:
    """Values for the code/diff variables under themes that do not set them (Textual's
    built-in ones), for `App.get_theme_variable_defaults()`."""
    return {
        PYGMENTS_STYLE_VAR: "github-dark",
        DIFF_ADDED_VAR: "#1f3325",
        DIFF_REMOVED_VAR: "#3d2226",
    }


# ---------------------------------------------------------------------------- saving

_TOP_LEVEL_THEME = re.compile(r"""^(?:theme|"theme"|'theme')[ \t]*:(?P<rest>.*)$""")


def save_theme_choice(name: str, config_file: Path | None = None) -> Path:
    """Set the top-level `theme:` in config.yaml to `name`, leaving every other byte of
    the file as it was (comments, profiles and their own `theme:` keys included);
    the file is created if missing and replaced atomically. Returns its path."""
    import yaml

    from codex_tui.config.safe_read import UnreadableFile, read_regular

    path = config_file or paths.config_file()
    try:
        raw = read_regular(path, CONFIG_MAX_BYTES) if path.exists() else b""
    except UnreadableFile as exc:
        raise OSError(f"{path}: {exc}") from None
    text = raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    value = _yaml_scalar(name)
    lines = text.splitlines(keepends=True)
    found = False
    out: list[str] = []
    skipping = False  # lines of an old value written on the lines under `theme:`
    for line in lines:
        if skipping:
            if line[:1] in (" ", "\t") and line.strip():
                continue
            skipping = False
        match = _TOP_LEVEL_THEME.match(line.rstrip("\r\n"))
        if match is None:
            out.append(line)
            continue
        found = True
        ending = line[len(line.rstrip("\r\n")) :] or ""
        comment = _trailing_comment(match["rest"])
        if not match["rest"].split("#", 1)[0].strip():
            skipping = True
        out.append(f"theme: {value}{comment}{ending}")
    if not found:
        if out and not out[-1].endswith(("\n", "\r")):
            out.append(newline)
        out.append(f"theme: {value}{newline}")
    new_text = "".join(out)
    _check_edit(text, new_text, name, yaml)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, new_text.encode("utf-8"))
    return path


def _yaml_scalar(name: str) -> str:
    import yaml

    if _NAME.match(name) and yaml.safe_load(name) == name:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _trailing_comment(rest: str) -> str:
    """The ` # comment` after a plain or quoted value, with its spacing."""
    match = re.search(r"""^\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^#]*?)(\s+#.*)$""", rest)
    return match.group(1) if match else ""


def _check_edit(old: str, new: str, name: str, yaml: Any) -> None:
    """Refuse to write a file that would not read back as the old one with this theme."""
    from codex_tui.config.errors import ConfigError

    try:
        before = yaml.safe_load(old) if old.strip() else {}
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(
            f"config.yaml: cannot set the theme, the file is not valid YAML ({problem})"
        ) from None
    if before is None:
        before = {}
    if not isinstance(before, dict):
        raise ConfigError("config.yaml: cannot set the theme, the file is not a mapping")
    try:
        after = yaml.safe_load(new)
    except yaml.YAMLError:
        after = None
    if after != {**before, "theme": name}:
        raise ConfigError("config.yaml: cannot set the theme in this file's layout; set it by hand")
