"""Which hooks a session runs: the person's (config.yaml and profiles) and, once
the person trusts the repository, the repository's own `.codex-tui/config.yaml`.

Cloning a repository must never run its commands, so a repository's hooks are
loaded only for a folder recorded as trusted in `$CODEX_TUI_HOME/trust.json`
(the person is asked once; a "no" is remembered too), and only as long as the
file is the one they answered for: the answer is pinned to its SHA-256, so a file
changed since (the model can write the workspace) is asked about again. Only the
`hooks` key of a repository's file is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

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
    digest: str = ""  # of the file as read: what a trust answer is pinned to


def flatten(hooks: dict[str, list[HookMatcher]], source: str) -> list[Hook]:
    return [
        Hook(event, matcher.matcher, command.command, command.timeout, source)
        for event, matchers in hooks.items()
        for matcher in matchers
        for command in matcher.hooks
    ]


def _trust_file() -> Path:
    return paths.home() / "trust.json"


def file_digest(file: Path) -> str:
    """What a trust answer is pinned to: the hooks file's bytes."""
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return ""


def _load_trust() -> dict[str, object]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_trust_file().read_text())
        if isinstance(data, dict):
            return {str(k): v for k, v in data.items()}
    return {}


def read_trust(root: Path, digest: str) -> Trust:
    """The person's answer for `root`, if it was given for the file as it is now:
    a hooks file changed since (by the model, say) is asked about again."""
    entry = _load_trust().get(str(root))
    if isinstance(entry, dict) and entry.get("digest") == digest and digest:
        answer = entry.get("trust")
        if answer in ("trusted", "declined"):
            return cast(Trust, answer)
    return "unknown"


def set_trust(root: Path, trust: Literal["trusted", "declined"], digest: str) -> None:
    """Remember the person's answer for `root`'s hooks file as it is (atomically)."""
    path = _trust_file()
    data = _load_trust()
    data[str(root)] = {"trust": trust, "digest": digest}
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
    digest = file_digest(file)
    trust = read_trust(root, digest)
    try:
        hooks = load_hooks_file(file)
    except ConfigError as exc:
        return RepoHooks(root, file, (), trust, str(exc), digest)
    flat = tuple(flatten(hooks, str(file)))
    return RepoHooks(root, file, flat, trust, digest=digest) if flat else None


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
