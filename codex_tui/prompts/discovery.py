"""Where prompt templates live and how a command line finds one:
`$CODEX_TUI_HOME/prompts/*.md`, then the repository's `.codex-tui/prompts/*.md`
(the repository's win a name clash)."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from pathlib import Path

from codex_tui.config import paths
from codex_tui.prompts.template import PromptTemplate, TemplateError, parse_args, parse_pairs

# A file name that can be typed as a command: `feature_plan.md` → `/feature_plan`.
COMMAND = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
REPO_DIR = Path(".codex-tui") / "prompts"
# A directory is read this far and no further, and yields this many templates.
MAX_ENTRIES = 10_000
MAX_TEMPLATES = 200


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
    return {name: _load(found) for name, found in _template_files(root).items()}


def _template_files(root: Path) -> dict[str, tuple[str, Path, Path | None]]:
    """Command name -> (source, file, the directory it must stay in), sorted.
    A repository's templates may not lead out of the repository through links;
    the person's own (in $CODEX_TUI_HOME) may point anywhere."""
    found: dict[str, tuple[str, Path, Path | None]] = {}
    for source, directory in prompt_dirs(root):
        beneath = directory.parents[1] if source == "repo" else None
        for path in _markdown_files(directory):
            found[path.stem] = (source, path, beneath)
    return dict(sorted(found.items()))


def _load(found: tuple[str, Path, Path | None]) -> PromptTemplate:
    source, path, beneath = found
    try:
        return PromptTemplate.load(path, source, beneath=beneath)
    except TemplateError as exc:
        return PromptTemplate(path.stem, path, source=source, error=str(exc))


def _markdown_files(directory: Path) -> list[Path]:
    """The templates of one directory: at most MAX_TEMPLATES, of the first
    MAX_ENTRIES entries (a hostile repository may hold millions)."""
    names: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for entry in itertools.islice(entries, MAX_ENTRIES):
                stem, dot, suffix = entry.name.rpartition(".")
                if dot and suffix == "md" and COMMAND.fullmatch(stem) and _is_file(entry):
                    names.append(entry.name)
    except OSError:  # absent or unreadable: no templates from here
        return []
    return [directory / name for name in sorted(names)[:MAX_TEMPLATES]]


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a name too long, a link loop
        return False


def split_command(text: str) -> tuple[str, str] | None:
    """`"/feature_plan task=x"` → `("feature_plan", "task=x")`; None when the
    text is not a slash command."""
    match = re.match(r"/([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s+|$)", text.lstrip())
    if match is None:
        return None
    return match.group(1), text.lstrip()[match.end() :].strip()


def find(root: Path, name: str) -> PromptTemplate:
    """The template called `name` (a leading `/` is fine); TemplateError if none.
    Only that file is read."""
    name = name.removeprefix("/")
    files = _template_files(root)
    if name in files:
        return _load(files[name])
    dirs = " and ".join(str(d) for _, d in prompt_dirs(root))
    known = ", ".join(f"/{n}" for n in files) or "none"
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
