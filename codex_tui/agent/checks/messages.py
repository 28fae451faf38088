"""Dangerous operations and secrets in an assistant message (its paths wait for
the end of the turn, see `TurnChecks.finish`)."""

from __future__ import annotations

from codex_tui.agent import events as ev
from codex_tui.agent.checks.dangers import danger_flags, find_dangers, unique_dangers
from codex_tui.agent.checks.secrets import secret_flags, secrets_in
from codex_tui.agent.checks.text import CODE_SPAN, FENCE
from codex_tui.config.schema import ResponseChecks


def split_code(text: str) -> tuple[str, str]:
    """(code, prose) of a Markdown message: fenced blocks and spans vs the rest."""
    code = [m.group(0) for m in FENCE.finditer(text)]
    rest = FENCE.sub("\n\n", text)
    code.extend(m.group(1) for m in CODE_SPAN.finditer(rest))
    return "\n\n".join(code), CODE_SPAN.sub(" ", rest)


def message_flags(text: str, settings: ResponseChecks) -> tuple[ev.Flag, ...]:
    """Dangerous operations (SQL in lower case only in code) and secrets in `text`."""
    flags: tuple[ev.Flag, ...] = ()
    if settings.dangerous:
        code, prose = split_code(text)
        dangers = find_dangers(code, code=True) + find_dangers(prose, code=False)
        flags += danger_flags(unique_dangers(dangers), "reply")
    if settings.secrets:
        flags += secret_flags(secrets_in(text), "reply")
    return flags
