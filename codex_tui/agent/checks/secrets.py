"""Text that looks like a credential (by the redactor's patterns), and the flag
that quotes it redacted."""

from __future__ import annotations

from codex_tui.agent import events as ev
from codex_tui.agent.checks.text import snippet
from codex_tui.policy.redact import redact


def secret_lines(text: str) -> list[str]:
    """The lines of `text` holding a secret, as the redactor shows them."""
    if redact(text) == text:
        return []
    lines = [
        snippet(redact(line).strip(), 80) for line in text.splitlines() if redact(line) != line
    ]
    # A secret across lines (a PEM key) changes the whole text but no single line.
    return lines or [snippet(redact(text).strip(), 80)]


def secret_flags(lines: list[str], what: str) -> tuple[ev.Flag, ...]:
    if not lines:
        return ()
    shown = f"`{lines[0]}`" + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else "")
    return (
        ev.Flag(
            kind="secret",
            message=f"{shown} looks like a secret",
            correction=f"The {what} contains what looks like a secret ({shown}). Never put real"
            " credentials in replies, code or commands: read them from the environment or a"
            " secrets store, and tell me if one needs rotating.",
        ),
    )
