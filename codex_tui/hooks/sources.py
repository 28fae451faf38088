"""Which hooks a session runs: the person's (config.yaml and profiles) and, once
the person trusts the repository, the repository's own `.codex-tui/config.yaml`.

Cloning a repository must never run its commands, so a repository's hooks are
loaded only for a folder recorded as trusted in `$CODEX_TUI_HOME/trust.json`
(the person is asked once; a "no" is remembered too). Only the `hooks` key of a
repository's file is read.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codex_tui.config import ConfigError, paths
from codex_tui.config.schema import HookMatcher

__all__ = [
    "Hook",
    "RepoHooks",
    "Trust",
    "collect",
    "hook_file_warnings",
    "read_trust",
    "repo_hooks",
    "set_trust",
]

Trust = Literal["trusted", "declined", "unknown"]
INTERPRETERS = ("python", "python3", "bash", "sh", "zsh", "node", "ruby", "perl", "uv", "uvx")


@dataclass(frozen=True, slots=True)
class Hook:
    event: str
    matcher: str  # a regular expression; "" matches everything
    command: str
    timeout: float
    source: str  # the file it was set in

    @property
    def label(self) -> str:
        """A short name for the transcript: the script's file name, or the program."""
        try:
            words = shlex.split(self.command)
        except ValueError:
            words = self.command.split()
        if not words:
            return "hook"
        if Path(words[0]).name.rstrip("0123456789.") in INTERPRETERS and len(words) > 1:
            return Path(words[1]).name
        return Path(words[0]).name


@dataclass(frozen=True)
class RepoHooks:
    root: Path
    file: Path
    hooks: tuple[Hook, ...]
    trust: Trust
    error: str = ""


def flatten(hooks: dict[str, list[HookMatcher]], source: str) -> list[Hook]:
    return [
        Hook(event, matcher.matcher, command.command, command.timeout, source)
        for event, matchers in hooks.items()
        for matcher in matchers
        for command in matcher.hooks
    ]


def _trust_file() -> Path:
    return paths.home() / "trust.json"


def read_trust(root: Path) -> Trust:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_trust_file().read_text())
        value = data.get(str(root)) if isinstance(data, dict) else None
        if value in ("trusted", "declined"):
            return value  # type: ignore[no-any-return]
    return "unknown"


def set_trust(root: Path, trust: Literal["trusted", "declined"]) -> None:
    """Remember the person's answer for `root` (written atomically)."""
    path = _trust_file()
    data: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads(path.read_text())
        if isinstance(loaded, dict):
            data = {str(k): str(v) for k, v in loaded.items()}
    data[str(root)] = trust
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(temp, path)


def repo_hooks(root: Path) -> RepoHooks | None:
    """The repository's hooks file, if it has one with hooks in it."""
    from codex_tui.config.loader import load_hooks_file

    file = root / ".codex-tui" / "config.yaml"
    if not file.is_file():
        return None
    trust = read_trust(root)
    try:
        hooks = load_hooks_file(file)
    except ConfigError as exc:
        return RepoHooks(root, file, (), trust, str(exc))
    flat = tuple(flatten(hooks, str(file)))
    return RepoHooks(root, file, flat, trust) if flat else None


def collect(user: dict[str, list[HookMatcher]], repo: RepoHooks | None) -> list[Hook]:
    """The hooks to run: the person's, then a trusted repository's."""
    found = flatten(user, str(paths.config_file()))
    if repo is not None and repo.trust == "trusted":
        found += list(repo.hooks)
    return found


def hook_file_warnings(hooks: list[Hook], cwd: Path) -> list[str]:
    """One line per hook whose program or script is missing or not executable."""
    warnings = []
    for hook in hooks:
        try:
            words = shlex.split(hook.command)
        except ValueError:
            warnings.append(f"hook `{hook.command}` ({hook.event}): cannot be read as a command")
            continue
        if not words:
            continue
        program = os.path.expanduser(words[0])
        script = None
        if Path(program).name.rstrip("0123456789.") in INTERPRETERS and len(words) > 1:
            script = os.path.expanduser(words[1])
        if "/" in program:
            path = Path(program) if Path(program).is_absolute() else cwd / program
            if not path.is_file():
                warnings.append(f"hook `{hook.command}` ({hook.event}): {program} is missing")
            elif not os.access(path, os.X_OK):
                warnings.append(
                    f"hook `{hook.command}` ({hook.event}): {program} is not executable"
                )
        elif shutil.which(program) is None:
            warnings.append(f"hook `{hook.command}` ({hook.event}): {program} is not on PATH")
        if script and not script.startswith("-") and "/" in script:
            path = Path(script) if Path(script).is_absolute() else cwd / script
            if not path.is_file():
                warnings.append(f"hook `{hook.command}` ({hook.event}): {script} is missing")
    return warnings
