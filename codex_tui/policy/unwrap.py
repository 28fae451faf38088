"""Seeing through wrappers: `bash -lc "…"`, `sudo …`, `env X=1 …`, `xargs …`.

Two readings of a command line:
- strict (`plain_commands`): the commands an argv runs when it is a plain argv
  or a shell wrapper around a plain script; None when that cannot be known.
- permissive (`command_units`): every command the line may run, found by
  stripping wrappers and reading scripts with substitutions and all; used to
  spot dangerous or forbidden commands, where missing one matters more than
  finding one too many.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

from codex_tui.policy.shell import parse_script

__all__ = [
    "SCRIPT_RUNNERS",
    "SHELLS",
    "Unit",
    "command_units",
    "embedded_patch",
    "plain_commands",
    "program_name",
    "shell_script",
]

# Shells: `SHELL -c SCRIPT` runs SCRIPT here, as this user.
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "mksh", "fish"})
# What may run a `-c SCRIPT` at all: looking for dangerous commands, `su -c`
# counts too; showing a command or routing a patch, only real shells do.
SCRIPT_RUNNERS = SHELLS | {"su"}

# Programs that run another command given as their remaining arguments, with
# the options of theirs that take a separate value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir", "-S", "--split-string"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "ionice": frozenset({"-c", "-n", "-p", "-t"}),
    "setsid": frozenset(),
    "command": frozenset(),
    "builtin": frozenset(),
    "exec": frozenset({"-a"}),
    "xargs": frozenset({"-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a", "-i", "-l", "-e"}),
    "chroot": frozenset(),
    "strace": frozenset({"-o", "-e", "-p", "-s", "-u"}),
    "watch": frozenset({"-n", "-d"}),
}
# Wrappers whose first operand is not the command (a duration, a directory).
_SKIP_OPERAND = frozenset({"timeout", "chroot"})
_SHELL_KEYWORDS = frozenset(
    {"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time"}
)
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Unit:
    """A command the line may run: its words and the operator before it.

    `line` holds the words as written; `starts` where each view of them begins,
    as written and after each wrapper was stripped (`sudo rm -rf x` → `sudo rm
    -rf x`, `rm -rf x`); `words` is the last view. Offsets rather than copies,
    so a line of ten thousand wrappers costs ten thousand integers, not a
    square of words. `script` is set when the unit is a shell running a script.
    """

    line: tuple[str, ...]
    starts: tuple[int, ...] = (0,)
    joiner: str = ""
    script: str | None = None

    @cached_property
    def words(self) -> tuple[str, ...]:
        return self.line[self.starts[-1] :]

    @property
    def views(self) -> tuple[tuple[str, ...], ...]:
        """Every view as a tuple (copies: for showing a unit, not in loops)."""
        return tuple(self.line[i:] for i in self.starts)

    @property
    def program(self) -> str:
        return program_name(self.words[0]) if self.words else ""


def program_name(word: str) -> str:
    """`/usr/bin/git` → `git`: the name a program is known by."""
    return os.path.basename(word) or word


def _shell_flags_take_script(flag: str, strict: bool) -> bool:
    if not flag.startswith("-") or flag.startswith("--") or "c" not in flag:
        return False
    # Strict: only the forms people and models write (`-c`, `-lc`, `-cl`).
    return not strict or flag in ("-c", "-lc", "-cl")


def shell_script(
    argv: list[str] | tuple[str, ...],
    *,
    strict: bool = True,
    runners: frozenset[str] = SCRIPT_RUNNERS,
) -> str | None:
    """The script of `bash -lc SCRIPT` / `sh -c SCRIPT`, else None.

    Strict form: exactly `SHELL -c|-lc SCRIPT` with nothing after the script.
    Permissive form: any option cluster containing `c`, extra arguments allowed.
    """
    if len(argv) < 3 or program_name(argv[0]) not in runners:
        return None
    if strict:
        if len(argv) == 3 and _shell_flags_take_script(argv[1], strict=True):
            return argv[2]
        if len(argv) == 4 and argv[1] == "-l" and argv[2] == "-c":
            return argv[3]
        return None
    for i, arg in enumerate(argv[1:-1], start=1):
        if _shell_flags_take_script(arg, strict=False):
            return argv[i + 1]
        if not arg.startswith("-"):
            return None
    return None


PATCH_PROGRAMS = ("apply_patch", "applypatch")


def embedded_patch(argv: list[str] | tuple[str, ...]) -> str | None:
    """The patch in `["apply_patch", PATCH]`, or in a shell wrapper (any of
    SHELLS, strict form; not `su -c`) whose script is `apply_patch <<'EOF' … EOF`."""
    if len(argv) == 2 and argv[0] in PATCH_PROGRAMS:
        return argv[1]
    script = shell_script(argv, strict=True, runners=SHELLS)
    if script is None:
        return None
    script = script.lstrip()
    for word in PATCH_PROGRAMS:
        if script.startswith(word) and "*** Begin Patch" in script:
            return script[len(word) :]
    return None


def plain_commands(
    argv: list[str] | tuple[str, ...], depth: int = 0
) -> list[tuple[str, ...]] | None:
    """The commands a plain argv or a shell wrapper around a plain script runs.

    None when the script uses anything beyond words joined by && || ; | (a
    redirection, substitution, variable, subshell, background job, comment).
    """
    if not argv:
        return None
    script = shell_script(argv, strict=True)
    if script is None:
        return [tuple(argv)]
    parsed = parse_script(script)
    if not parsed.plain or not parsed.commands or depth >= _MAX_DEPTH:
        return None
    out: list[tuple[str, ...]] = []
    for command in parsed.commands:
        inner = plain_commands(command.words, depth + 1)
        if inner is None:
            return None
        out.extend(inner)
    return out


def _inner_start(words: tuple[str, ...], at: int) -> int | None:
    """Where the command a wrapper at `at` runs begins (`sudo -u x rm f` → at `rm`);
    None if `words[at]` is no wrapper. At most len(words): nothing left to run."""
    first = words[at]
    name, eq, _ = first.partition("=")
    if eq and name and all(ch.isalnum() or ch == "_" for ch in name):
        return at + 1  # an assignment before the command: `X=1 cmd`
    if first in _SHELL_KEYWORDS:
        return at + 1
    prog = program_name(first)
    if prog not in _WRAPPERS:
        return None
    takes_value = _WRAPPERS[prog]
    i = at + 1
    while i < len(words):
        w = words[i]
        if w == "--":
            i += 1
            break
        if prog == "env" and "=" in w and not w.startswith("-"):
            i += 1
        elif w.startswith("-") and len(w) > 1:
            i += 2 if w in takes_value else 1
        else:
            break
    if prog in _SKIP_OPERAND:
        i += 1
    return min(i, len(words))


def _find_exec_commands(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The commands `find … -exec CMD … ;` runs."""
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        if words[i] in _FIND_EXEC:
            j = i + 1
            while j < len(words) and words[j] not in (";", "+", "\\;"):
                j += 1
            if j > i + 1:
                out.append(words[i + 1 : j])
            i = j
        i += 1
    return out


def command_units(argv: list[str] | tuple[str, ...]) -> list[Unit]:
    """Every command `argv` may run (permissive reading), outermost first."""
    out: list[Unit] = []
    _collect(tuple(argv), "", 0, out)
    return out


def _collect(words: tuple[str, ...], joiner: str, depth: int, out: list[Unit]) -> None:
    if not words or depth > _MAX_DEPTH:
        return
    starts = [0]
    at: int | None = 0
    while at is not None and at < len(words):
        at = _inner_start(words, at)
        if at is not None and at < len(words):
            starts.append(at)
    if at == len(words) and len(starts) > 1:
        starts.pop()  # the last wrapper runs nothing: the line before it is the command
    last = words[starts[-1] :]
    prog = program_name(last[0])
    script = shell_script(last, strict=False)
    if script is None and len(starts) > 1 and len(last) == 1 and any(c.isspace() for c in last[0]):
        script = last[0]  # `watch "cmd args"` and the like hand a string to a shell
    out.append(Unit(words, tuple(starts), joiner, script))
    if script is not None:
        for command in parse_script(script).commands:
            _collect(command.words, command.joiner, depth + 1, out)
    if prog == "find":
        for exec_words in _find_exec_commands(last):
            _collect(exec_words, "-exec", depth + 1, out)
