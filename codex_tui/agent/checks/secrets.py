"""Text that looks like a credential (by the redactor's patterns), and the flags
that name it: its kind and the secret masked, one flag per secret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codex_tui.agent import events as ev
from codex_tui.policy.redaction import Secret, find_secrets

# More secrets than this in one reply, command or patch: the last flag counts the rest.
MAX_FLAGS = 3


@dataclass(frozen=True, slots=True)
class SecretSeen:
    """A secret as a flag names it: `kind` and `shown`, its masked form; `where`
    says where it was when that is not the whole reply (a patched file)."""

    kind: str
    shown: str
    where: str = ""

    def describe(self) -> str:
        """E.g. "OpenAI key sk-proj-…abcd in settings.py"."""
        text = f"{self.kind} {self.shown}".strip()
        return f"{text} in {self.where}" if self.where else text


def masked(text: str, secret: Secret) -> str:
    """The secret with most of it hidden: the prefix that names its kind (else its
    first two characters) and its last four, only when at least twice as many
    characters stay hidden; a short secret shows less (a password of seven: "")."""
    value = text[secret.start : secret.end]
    head = value[: secret.prefix]
    rest = value[secret.prefix :]
    if not head and len(rest) >= 18:
        head, rest = rest[:2], rest[2:]
    if len(rest) >= 12:
        return f"{head}…{rest[-4:]}"
    if len(rest) >= 8:
        return f"{head}…{rest[-2:]}"
    return f"{head}…" if head else ""


def secrets_in(text: str, where: str = "") -> list[SecretSeen]:
    """The secrets in `text` (what `redact` would replace), each once: the same
    key twice is one secret."""
    seen = [SecretSeen(s.kind, masked(text, s), where) for s in find_secrets(text)]
    return list(dict.fromkeys(seen))


def secret_flags(seen: Sequence[SecretSeen], what: str) -> tuple[ev.Flag, ...]:
    """One flag per secret in a reply, command or patch (`what`); they share one
    correction, so the person's key sends it once."""
    seen = list(dict.fromkeys(seen))
    if not seen:
        return ()
    names = ", ".join(s.describe() for s in seen)
    correction = (
        f"The {what} contains what looks like a secret ({names}). Never put real"
        " credentials in replies, code or commands: read them from the environment or a"
        " secrets store, and tell me if one needs rotating."
    )
    shown = seen[:MAX_FLAGS]
    messages = [f"possible {s.describe()}" for s in shown]
    if len(seen) > len(shown):
        messages[-1] += f" (and {len(seen) - len(shown)} more)"
    return tuple(ev.Flag(kind="secret", message=m, correction=correction) for m in messages)
