"""One prompt template: a Markdown file with `{{name}}` placeholders and an
optional YAML front matter (`description`, `defaults`), and the values that
fill it (`task="add caching" scope=api`)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codex_tui.config.safe_read import UnreadableFile, read_regular

# `{{ name }}`; a backslash before the braces keeps them literal (`\{{name}}`).
PLACEHOLDER = re.compile(r"(\\?)\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
FRONT_MATTER_KEYS = ("description", "defaults")
MAX_BYTES = 256 * 1024
# Front matter is a description and a few defaults; PyYAML parses ~250 KiB/s.
MAX_FRONT_MATTER_CHARS = 16 * 1024


class TemplateError(Exception):
    """A prompt template that cannot be used as written or called; one line."""


class MissingValues(TemplateError):
    """Placeholders with no value and no default: the front end asks for them."""

    def __init__(self, template: str, names: Iterable[str]) -> None:
        self.template = template
        self.names = tuple(names)
        given = " ".join(f"{n}=…" for n in self.names)
        plural = "s" if len(self.names) > 1 else ""
        super().__init__(
            f"/{template} needs a value for {', '.join(self.names)}"
            f" (placeholder{plural} without a default): add {given}"
        )


@dataclass(frozen=True)
class PromptTemplate:
    """A template as discovered; `error` is set when the file could not be read,
    and `render` then raises it (so `/name` says what is wrong with the file)."""

    name: str
    path: Path
    body: str = ""
    description: str = ""
    defaults: Mapping[str, str] = field(default_factory=dict)
    # Placeholder names in order of first appearance.
    placeholders: tuple[str, ...] = ()
    # "user" ($CODEX_TUI_HOME/prompts) or "repo" (.codex-tui/prompts).
    source: str = "user"
    error: str | None = None

    @property
    def required(self) -> tuple[str, ...]:
        """Placeholders that need a value on the command line."""
        return tuple(n for n in self.placeholders if n not in self.defaults)

    @classmethod
    def load(
        cls, path: Path, source: str = "user", *, beneath: Path | None = None
    ) -> PromptTemplate:
        """Read and check a template file; raises TemplateError naming the file.

        Only a regular file of at most MAX_BYTES is read; with `beneath` (the
        repository, for its templates) not through a link that leads out of it."""
        name = path.stem
        try:
            data = read_regular(path, MAX_BYTES, beneath=beneath)
        except FileNotFoundError as exc:
            raise TemplateError(f"cannot read prompt template {path}: {exc.strerror}") from None
        except UnreadableFile as exc:
            raise TemplateError(f"cannot read prompt template {path}: {exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateError(f"prompt template {path} is not UTF-8 text") from None
        meta, body = split_front_matter(text, path)
        description, defaults = check_front_matter(meta, path)
        names = (m.group(2) for m in PLACEHOLDER.finditer(body) if not m.group(1))
        placeholders = tuple(dict.fromkeys(names))
        unused = [n for n in defaults if n not in placeholders]
        if unused:
            raise TemplateError(
                f"prompt template {path}: default for `{unused[0]}`, which the text never uses"
                f" as {{{{{unused[0]}}}}}"
            )
        return cls(name, path, body, description, defaults, placeholders, source)

    def render(self, values: Mapping[str, str]) -> str:
        """The prompt text with every placeholder filled.

        Raises TemplateError for a value the template does not take, and
        MissingValues (listing them) for placeholders left without a value."""
        if self.error:
            raise TemplateError(self.error)
        unknown = [k for k in values if k not in self.placeholders]
        if unknown:
            takes = ", ".join(self.placeholders) if self.placeholders else "no values"
            raise TemplateError(
                f"/{self.name} has no placeholder `{unknown[0]}`; it takes: {takes}"
            )
        filled = {**self.defaults, **values}
        missing = [n for n in self.placeholders if n not in filled]
        if missing:
            raise MissingValues(self.name, missing)

        def fill(match: re.Match[str]) -> str:
            if match.group(1):  # escaped: drop the backslash, keep the braces
                return match.group(0)[1:]
            return filled[match.group(2)]

        # One pass: a value that itself contains `{{x}}` stays as typed.
        return PLACEHOLDER.sub(fill, self.body).strip("\n") + "\n"


def split_front_matter(text: str, path: Path) -> tuple[str | None, str]:
    """(front matter YAML or None, body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise TemplateError(f"malformed front matter in {path}: no closing `---` line")


def check_front_matter(meta: str | None, path: Path) -> tuple[str, dict[str, str]]:
    """(description, defaults) from front matter text; TemplateError naming the file."""
    if meta is None or not meta.strip():
        return "", {}
    if len(meta) > MAX_FRONT_MATTER_CHARS:
        raise TemplateError(
            f"malformed front matter in {path}: longer than {MAX_FRONT_MATTER_CHARS // 1024} KiB"
        )
    import yaml  # here: a template without front matter (and a start) never needs it

    from codex_tui.config import safe_yaml

    try:
        data = safe_yaml.load(meta)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise TemplateError(f"malformed front matter in {path}{where}: {problem}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"malformed front matter in {path}: expected `key: value` lines")
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            raise TemplateError(
                f"malformed front matter in {path}: unknown key `{key}`"
                f" (allowed: {', '.join(FRONT_MATTER_KEYS)})"
            )
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise TemplateError(f"malformed front matter in {path}: `description` must be text")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise TemplateError(
            f"malformed front matter in {path}: `defaults` must map names to values"
        )
    out: dict[str, str] = {}
    for key, value in defaults.items():
        if not isinstance(key, str) or not NAME.fullmatch(key):
            raise TemplateError(
                f"malformed front matter in {path}: `{key}` is not a placeholder name"
            )
        if isinstance(value, dict | list) or value is None:
            raise TemplateError(
                f"malformed front matter in {path}: default for `{key}` must be text"
            )
        out[key] = _scalar_text(value)
    return " ".join(description.split()), out


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """`["task=add caching", "scope=api"]` as a mapping; TemplateError on a word
    that is not `name=value` or a name given twice."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not NAME.fullmatch(key):
            raise TemplateError(f"expected name=value, got `{pair}`")
        if key in values:
            raise TemplateError(f"`{key}` is given twice")
        values[key] = value
    return values


def parse_args(text: str) -> dict[str, str]:
    """Values from a command line, quoted like a shell: `task="add caching" n=3`."""
    try:
        words = shlex.split(text)
    except ValueError as exc:  # "No closing quotation"
        raise TemplateError(f"cannot read the values: {str(exc).lower()}") from None
    return parse_pairs(words)
