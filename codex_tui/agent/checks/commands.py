"""Shell commands the model proposes: what they run, read through shell wrappers
the way the policy reads them (`policy.unwrap`), and their flags."""

from __future__ import annotations

import re
import shlex

from codex_tui.agent import events as ev
from codex_tui.agent.checks.dangers import danger_flags, find_dangers
from codex_tui.agent.checks.secrets import SecretSeen, secret_flags, secrets_in
from codex_tui.config.schema import ResponseChecks
from codex_tui.policy.redaction import redact_json
from codex_tui.policy.unwrap import shell_script


def command_text(argv: list[str]) -> str:
    """What a command runs, as one line of shell (a `bash -lc` script as is)."""
    script = shell_script(argv)
    return shlex.join(argv) if script is None else script


def command_words(argv: list[str]) -> list[str]:
    """The words of a command; a shell script split the way the shell would
    (roughly: redirections become words of their own)."""
    script = shell_script(argv)
    if script is None:
        return argv
    spaced = re.sub(r"([<>|;&]+)", r" \1 ", script)
    try:
        return shlex.split(spaced)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        return spaced.split()


def command_flags(argv: list[str], settings: ResponseChecks) -> tuple[ev.Flag, ...]:
    flags: tuple[ev.Flag, ...] = ()
    if settings.dangerous:
        flags += danger_flags(find_dangers(command_text(argv), code=True), "command")
    if settings.secrets and redact_json(argv) != argv:
        # A secret split across arguments (`-u` `user:pw`) is no secret of the line alone.
        seen = secrets_in(command_text(argv)) or [SecretSeen("secret", "", "the arguments")]
        flags += secret_flags(seen, "command")
    return flags
