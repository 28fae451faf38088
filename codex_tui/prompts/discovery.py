"""Where prompt templates live and how a command line finds one:
`$CODEX_TUI_HOME/prompts/*.md`, then the repository's `.codex-tui/prompts/*.md`
(the repository's win a name clash)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from codex_tui.config import paths
from codex_tui.prompts.template import PromptTemplate, TemplateError, parse_args, parse_pairs

# A file name that can be typed as a command: `feature_plan.md` → `/feature_plan`.
COMMAND = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
REPO_DIR = Path(".codex-tui") / "prompts"


def user_dir() -> Path:
    return paths.home() / "prompts"


def repo_dir(root: Path) -> Path:
    """`.codex-tui/prompts` of the repository holding `root`: the nearest
    ancestor that has one, stopping at the repository's top (`.git`)."""
    root = root.resolve()
    for directory in (root, *root.parents):
        if (directory / REPO_DIR).is_dir() or (directory / ".git").exists():
            return directory / REPO_DIR
    return root / REPO_DIR


def prompt_dirs(root: Path) -> list[tuple[str, Path]]:
    """(source, directory) in increasing priority."""
    return [("user", user_dir()), ("repo", repo_dir(root))]


def discover(root: Path) -> dict[str, PromptTemplate]:
    """Every template by command name, sorted; never raises. A file that cannot
    be read still appears, with `error` set, so that using it explains why."""
    found: dict[str, PromptTemplate] = {}
    for source, directory in prompt_dirs(root):
        for path in _markdown_files(directory):
            try:
                template = PromptTemplate.load(path, source)
            except TemplateError as exc:
                template = PromptTemplate(path.stem, path, source=source, error=str(exc))
            found[template.name] = template
    return dict(sorted(found.items()))


def _markdown_files(directory: Path) -> list[Path]:
    try:
        entries = list(directory.iterdir())
    except OSError:  # absent or unreadable: no templates from here
        return []
    return sorted(
        p for p in entries if p.suffix == ".md" and COMMAND.fullmatch(p.stem) and p.is_file()
    )


def split_command(text: str) -> tuple[str, str] | None:
    """`"/feature_plan task=x"` → `("feature_plan", "task=x")`; None when the
    text is not a slash command."""
    match = re.match(r"/([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s+|$)", text.lstrip())
    if match is None:
        return None
    return match.group(1), text.lstrip()[match.end() :].strip()


def find(root: Path, name: str) -> PromptTemplate:
    """The template called `name` (a leading `/` is fine); TemplateError if none."""
    name = name.removeprefix("/")
    templates = discover(root)
    if name in templates:
        return templates[name]
    dirs = " and ".join(str(d) for _, d in prompt_dirs(root))
    known = ", ".join(f"/{n}" for n in templates) or "none"
    raise TemplateError(f"no prompt template `{name}` (looked in {dirs}); available: {known}")


def render_named(root: Path, name: str, pairs: Iterable[str]) -> str:
    """Render template `name` with `key=value` words, as `exec --prompt` gets them.

    Raises TemplateError (MissingValues for absent values) with a one-line message."""
    template = find(root, name)
    return template.render(parse_pairs(pairs))


def render_command(root: Path, text: str) -> str:
    """Render a typed slash command, `/feature_plan task="add caching"`."""
    command = split_command(text)
    if command is None:
        raise TemplateError(f"not a prompt command: {text.strip()!r}")
    name, args = command
    return find(root, name).render(parse_args(args))
