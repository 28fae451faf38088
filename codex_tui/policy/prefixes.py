"""Command prefixes: `trusted_commands`, `forbidden_commands`, session approvals.

A prefix is a tuple of words (`("git", "commit")`); config writes it like a
shell command (`"git commit"`). Approving for the session records the program
plus its subcommand, so the approval keeps saving prompts as arguments change.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

from codex_tui.policy.commands import safe_simple_command
from codex_tui.policy.unwrap import command_units, plain_commands, program_name

__all__ = [
    "Prefix",
    "approval_prefix",
    "covered_by",
    "forbidden_match",
    "parse_prefixes",
    "session_prefixes",
    "starts_with",
]

Prefix = tuple[str, ...]

# Programs whose first operand names what they do (`git commit`, `npm test`).
_SUBCOMMAND_PROGRAMS = frozenset(
    {"git", "cargo", "npm", "pnpm", "yarn", "bun", "deno", "pip", "pip3", "uv", "uvx", "go",
     "docker", "podman", "kubectl", "helm", "poetry", "hatch", "pdm", "gh", "glab", "apt",
     "apt-get", "dnf", "yum", "brew", "dotnet", "mvn", "gradle", "rustup", "conda", "mamba",
     "make", "just", "nix", "systemctl", "terraform", "composer", "bundle", "rails", "rake",
     "mix", "swift", "zig", "cmake", "ctest", "tox", "nox"}
)  # fmt: skip
_INTERPRETER = re.compile(r"python[0-9.]*|pypy[0-9.]*|node|ruby|perl|php|bash|sh|zsh")


def parse_prefixes(entries: Iterable[str], *, key: str = "commands") -> tuple[Prefix, ...]:
    """Split config entries like `"git push"` into word tuples (empty ones dropped)."""
    out: list[Prefix] = []
    for entry in entries:
        try:
            words = tuple(shlex.split(entry))
        except ValueError as exc:
            raise ValueError(f"{key}: cannot read {entry!r}: {exc}") from None
        if words:
            out.append(words)
    return tuple(out)


def starts_with(words: Iterable[str], prefix: Prefix) -> bool:
    words = tuple(words)
    return len(words) >= len(prefix) and words[: len(prefix)] == prefix


def approval_prefix(words: tuple[str, ...]) -> Prefix:
    """What "approve for the session" records for one simple command.

    `pytest -x tests/` → `("pytest",)`; `git commit -m x` → `("git", "commit")`;
    `python -m pytest` → `("python", "-m", "pytest")`; `python tool.py a` →
    `("python", "tool.py")`. When the shape is unclear (`git -C d log`,
    `python -c CODE`) the whole command is recorded, so nothing broader is.
    """
    words = tuple(words)
    at = 0  # leading `sudo`s and `doas`es are kept and looked behind (a loop: no recursion)
    while words[at] in ("sudo", "doas") and at + 1 < len(words):
        if words[at + 1].startswith("-"):
            return words
        at += 1
    lead, prog, rest = words[:at], words[at], words[at + 1 :]
    if prog in ("sudo", "doas"):
        return words
    if program_name(prog) in _SUBCOMMAND_PROGRAMS:
        if rest and not rest[0].startswith("-"):
            return (*lead, prog, rest[0])
        return (*lead, prog) if not rest else words
    if _INTERPRETER.fullmatch(program_name(prog)):
        if len(rest) >= 2 and rest[0] == "-m":
            return (*lead, prog, "-m", rest[1])
        if rest and not rest[0].startswith("-"):
            return (*lead, prog, rest[0])
        return words
    return (*lead, prog)


def session_prefixes(argv: list[str] | tuple[str, ...]) -> tuple[Prefix, ...]:
    """The prefixes approving `argv` for the session records.

    A plain script records one prefix per command that is not known-safe; a
    line that cannot be read plainly records itself, exactly.
    """
    commands = plain_commands(argv)
    if commands is None:
        return (tuple(argv),)
    prefixes = [approval_prefix(c) for c in commands if not safe_simple_command(c)]
    if not prefixes:
        prefixes = [approval_prefix(c) for c in commands]
    return tuple(dict.fromkeys(prefixes))


def covered_by(argv: list[str] | tuple[str, ...], allowed: Iterable[Prefix]) -> bool:
    """True when `argv`'s commands start with `allowed` prefixes (known-safe ones may not).

    Lines that cannot be read plainly are covered only by an exact entry.
    Only as many leading words as the longest prefix holds are looked at, so a
    command of many words costs what its length does.
    """
    allowed = frozenset(allowed)
    commands = plain_commands(argv)
    if commands is None:
        return tuple(argv) in allowed
    longest = max(map(len, allowed), default=0)
    matched = False
    for command in commands:
        if any(command[:n] in allowed for n in range(1, min(len(command), longest) + 1)):
            matched = True
        elif not safe_simple_command(command):
            return False
    return matched


def forbidden_match(argv: list[str] | tuple[str, ...], prefixes: Iterable[Prefix]) -> Prefix | None:
    """The forbidden prefix any command of the line may start with, else None.

    Reads permissively: behind wrappers (`sudo`, `env`, `xargs`), inside
    `bash -c` scripts and substitutions, with `/usr/bin/x` counted as `x`.
    """
    prefixes = tuple(prefixes)
    if not prefixes:
        return None
    for unit in command_units(argv):
        line = unit.line
        for start in unit.starts:  # each view, compared in place: no copies of the line
            name = program_name(line[start])
            for prefix in prefixes:
                head = line[start : start + len(prefix)]
                if head == prefix or (head and name == prefix[0] and head[1:] == prefix[1:]):
                    return prefix
    return None
