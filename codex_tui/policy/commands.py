"""The command classifier: known-safe (read-only), ordinary, or dangerous.

Known-safe is decided strictly: a plain argv, or a shell wrapper around a
plain script, whose every command is on the read-only list in a read-only form.
Dangerous is decided permissively: any command the line may run (behind sudo,
inside `bash -c`, in a substitution, after `find -exec`) that destroys data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from codex_tui.policy.unwrap import Unit, command_units, plain_commands, program_name

__all__ = [
    "Classification",
    "CommandKind",
    "classify",
    "dangerous_reason",
    "is_known_safe",
    "safe_simple_command",
]


class CommandKind(StrEnum):
    SAFE = "safe"
    ORDINARY = "ordinary"
    DANGEROUS = "dangerous"


@dataclass(frozen=True)
class Classification:
    kind: CommandKind
    reason: str


_SAFE_PROGRAMS = frozenset(
    {"cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste",
     "pwd", "rev", "seq", "stat", "tail", "tr", "true", "uname", "uniq", "wc", "which", "whoami"}
)  # fmt: skip
_SYSTEM_BIN = ("/bin/", "/usr/bin/")
_FIND_UNSAFE = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf"}
)
_RG_UNSAFE_LONG = ("--pre", "--search-zip", "--hostname-bin")
_GIT_READ = frozenset({"status", "log", "diff", "show", "branch"})
_GIT_UNSAFE = frozenset({"-c", "-C", "--output", "--ext-diff", "--textconv"})
_GIT_BRANCH_FLAGS = frozenset(
    {"-a", "--all", "-r", "--remotes", "-v", "-vv", "--verbose", "--show-current",
     "--no-color", "--color", "-l", "--list", "--no-abbrev", "-i", "--ignore-case"}
)  # fmt: skip
_GIT_BRANCH_VALUED = ("--format=", "--sort=", "--contains=", "--no-contains=", "--merged=",
                      "--no-merged=", "--points-at=", "--color=", "--abbrev=")  # fmt: skip
_SED_PRINT = re.compile(r"\d+(,\d+)?p")

_DOWNLOADERS = frozenset({"curl", "wget", "fetch"})
_INTERPRETERS = re.compile(r"(ba|z|da|k|mk|fi)?sh|su|python[0-9.]*|perl|ruby|node|php|bun|deno")
_RUNS_DOWNLOAD = re.compile(
    r"(\$\(|`|<\()\s*(sudo\s+)?(curl|wget)\b"  # executes or sources what it downloads
)
_ROOT_OR_HOME = frozenset(
    {"/", "/*", "/.", "~", "~/", "~/*", "$HOME", "${HOME}", "$HOME/", "$HOME/*"}
)
_GIT_GLOBAL_VALUED = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace"})


def classify(argv: list[str] | tuple[str, ...]) -> Classification:
    """Dangerous first (it wins), then known-safe, else ordinary."""
    danger = dangerous_reason(argv)
    if danger is not None:
        return Classification(CommandKind.DANGEROUS, danger)
    if is_known_safe(argv):
        return Classification(CommandKind.SAFE, "a known-safe read-only command")
    return Classification(CommandKind.ORDINARY, "not on the known-safe read-only list")


# --- known safe ---------------------------------------------------------------


def is_known_safe(argv: list[str] | tuple[str, ...]) -> bool:
    """True when every command the line runs is known to only read."""
    commands = plain_commands(argv)
    return bool(commands) and all(safe_simple_command(c) for c in commands or ())


def safe_simple_command(words: tuple[str, ...]) -> bool:
    """True when one simple command (no wrapper) is known to only read."""
    first = words[0]
    if first.startswith(_SYSTEM_BIN) and "/" not in first.split("/bin/", 1)[1]:
        first = program_name(first)
    if "/" in first:
        return False  # ./ls or a path elsewhere may be anything
    args = words[1:]
    if first in _SAFE_PROGRAMS:
        if first == "uniq":
            return len(_operands(args)) <= 1  # a second operand is an output file
        return True
    if first == "find":
        return not any(a in _FIND_UNSAFE for a in args)
    if first == "rg":
        return not any(_rg_unsafe(a) for a in args)
    if first == "git":
        return _git_read_only(args)
    if first == "sed":
        return (
            len(args) >= 2
            and args[0] == "-n"
            and bool(_SED_PRINT.fullmatch(args[1]))
            and not any(a.startswith("-") for a in args[2:])
        )
    return False


def _operands(args: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    options_done = False
    for a in args:
        if not options_done and a == "--":
            options_done = True
        elif options_done or not a.startswith("-") or a == "-":
            out.append(a)
    return out


def _rg_unsafe(arg: str) -> bool:
    if arg.startswith("--"):
        return any(arg == opt or arg.startswith(opt + "=") for opt in _RG_UNSAFE_LONG)
    # A short-option cluster such as -iz holds -z (search compressed files).
    return arg.startswith("-") and "z" in arg[1:]


def _git_read_only(args: tuple[str, ...]) -> bool:
    if not args or args[0] not in _GIT_READ:
        return False  # global options (-c, -C, --git-dir …) come before the subcommand
    rest = args[1:]
    for a in rest:
        if a in _GIT_UNSAFE or a.startswith(("--output=", "--ext-diff", "--textconv")):
            return False
    if args[0] == "branch":
        listing = any(a in ("-l", "--list") for a in rest)
        for a in rest:
            if a.startswith("-"):
                if a not in _GIT_BRANCH_FLAGS and not a.startswith(_GIT_BRANCH_VALUED):
                    return False
            elif not listing:
                return False  # `git branch NAME` creates a branch
    return True


# --- dangerous ----------------------------------------------------------------


def dangerous_reason(argv: list[str] | tuple[str, ...]) -> str | None:
    """Why the line may destroy data or run downloaded code; None if it does not."""
    units = command_units(argv)
    downloading = False
    for unit in units:
        if unit.joiner != "|":
            downloading = False
        prog = unit.program
        if unit.joiner == "|" and downloading and _INTERPRETERS.fullmatch(prog):
            return f"pipes a download into {prog} (runs code fetched from the network)"
        if prog in _DOWNLOADERS:
            downloading = True
        if unit.script is not None and _RUNS_DOWNLOAD.search(unit.script):
            return "runs code fetched from the network"
        reason = _dangerous_unit(unit)
        if reason:
            return reason
    return None


def _dangerous_unit(unit: Unit) -> str | None:
    words = unit.words
    if not words:
        return None
    prog = unit.program
    args = words[1:]
    if prog == "rm" and _has_flag(args, "f", "--force"):
        if _has_flag(args, "r", "--recursive") or _has_flag(args, "R", "--recursive"):
            return "rm -rf deletes whole directory trees without asking"
        return "rm -f deletes files without asking"
    if prog.startswith("mkfs"):
        return f"{prog} formats a file system"
    if prog == "dd" and any(a.startswith("of=") for a in args):
        return "dd of= overwrites its target"
    if (
        prog in ("chmod", "chown", "chgrp")
        and _has_flag(args, "R", "--recursive")
        and any(_root_or_home(a) for a in _operands(args))
    ):
        return f"{prog} -R on / or the home directory"
    if prog == "git":
        return _dangerous_git(args)
    return None


def _has_flag(args: tuple[str, ...], short: str, long: str) -> bool:
    for a in args:
        if a == "--":
            return False
        if a == long or (a.startswith("-") and not a.startswith("--") and short in a[1:]):
            return True
    return False


def _root_or_home(arg: str) -> bool:
    return arg in _ROOT_OR_HOME or (len(arg) > 1 and arg.rstrip("/") == "")


def _dangerous_git(args: tuple[str, ...]) -> str | None:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _GIT_GLOBAL_VALUED else 1
    if i >= len(args):
        return None
    sub, rest = args[i], args[i + 1 :]
    if sub == "reset" and "--hard" in rest:
        return "git reset --hard discards uncommitted changes"
    if sub == "clean" and _has_flag(rest, "f", "--force"):
        return "git clean -f deletes untracked files"
    if sub == "push" and (
        _has_flag(rest, "f", "--force")
        or any(a.startswith(("--force-with-lease", "--force-if-includes")) for a in rest)
        or any(a.startswith("+") for a in rest)
    ):
        return "git push --force rewrites the remote's history"
    return None
