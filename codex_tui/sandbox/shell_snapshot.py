"""Login shells without re-reading the profile every time.

Models run almost everything as `bash -lc SCRIPT`. A login shell reads
/etc/profile and ~/.profile (~/.bashrc), and on many machines those run tools
(`pyenv init`, `nvm`, `conda`) that cost 50–100 ms per command. The first
login-shell command of a session captures what the profile leaves behind —
exported variables, aliases and functions — once, in the same sandbox; later
ones run `bash -c` with that snapshot evaluated first, so they see the same
environment at the cost of a plain shell. (Codex CLI does the same.)

What differs from a real login shell: the profile's side effects happen once
per session, not per command, and `shopt login_shell` is off. If the capture
fails, is too large or looks wrong, commands keep running as `bash -lc`.
The snapshot travels in an environment variable that the command's shell
removes before the script starts, so the script's line numbers are unchanged.
"""

from __future__ import annotations

import re

__all__ = ["CAPTURE", "SNAPSHOT_VAR", "login_script", "parse_capture", "with_snapshot"]

SNAPSHOT_VAR = "CODEX_TUI_SHELL_SNAPSHOT"
LIMIT = 96 * 1024  # an environment string must stay well under the kernel's 128 KB
_BEGIN, _END = "__codex_tui_snapshot_begin__", "__codex_tui_snapshot_end__"
CAPTURE = f"printf '\\n{_BEGIN}\\n'; export -p; alias -p; declare -f; printf '\\n{_END}\\n'"
# Set per command (or by the shell itself), never carried over from the snapshot.
# Bash's own read-only variables (SHELLOPTS, BASHOPTS, …) are left out too: a
# shell would refuse to set them again, with an error before every command.
_PER_COMMAND = re.compile(
    r"^declare -[a-zA-Z]*x[a-zA-Z]* (PWD|OLDPWD|SHLVL|_|CODEX_TUI_[A-Z_]*|TMPDIR|SHELLOPTS"
    r"|BASHOPTS|BASH_VERSINFO|UID|EUID|PPID)(=|$)",
    re.MULTILINE,
)
_BASHES = ("bash", "/bin/bash", "/usr/bin/bash")


def login_script(argv: list[str] | tuple[str, ...]) -> str | None:
    """SCRIPT when `argv` is `bash -lc SCRIPT` (or `-cl`), else None."""
    if len(argv) == 3 and argv[0] in _BASHES and argv[1] in ("-lc", "-cl"):
        return argv[2]
    return None


def parse_capture(output: str) -> str | None:
    """The snapshot from CAPTURE's output (what the profile printed around it is
    dropped), or None when it is missing, cut short or too large."""
    start, end = output.find(f"\n{_BEGIN}\n"), output.rfind(f"\n{_END}\n")
    if start < 0 or end < start:
        return None
    body = output[start + len(_BEGIN) + 2 : end]
    body = _PER_COMMAND.sub(lambda m: "#", body)
    if len(body.encode()) > LIMIT or "\x00" in body:
        return None
    return body


def with_snapshot(script: str) -> list[str]:
    """The command line running `script` after the snapshot (in SNAPSHOT_VAR)."""
    prelude = f'eval "${{{SNAPSHOT_VAR}}}"; unset {SNAPSHOT_VAR}; '
    return ["bash", "-c", prelude + script]
