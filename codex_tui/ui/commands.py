"""Slash commands: one table used by the composer's completion, the command
palette (ctrl+p) and `/name args` typed in the composer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

INIT_PROMPT = """\
Write an AGENTS.md file at the root of this repository for coding agents that will work \
here after you. Look around first (layout, build and test commands, conventions visible in \
the code and configuration). Keep it short and concrete: how to set up, build, run the \
tests and lint; the layout of the code; conventions to follow; anything surprising. If an \
AGENTS.md already exists, improve it instead of replacing what is still true."""


@dataclass(frozen=True)
class SlashCommand:
    """`/name`: `method` is the app method run with the rest of the line (when
    `takes_args`) or with nothing."""

    name: str
    description: str
    method: str
    takes_args: bool = False

    def run(self, app: CodexApp, args: str) -> None:
        handler: Callable[..., object] = getattr(app, self.method)
        if self.takes_args:
            handler(args)
        else:
            handler()


SLASH_COMMANDS: list[SlashCommand] = [
    SlashCommand("new", "start a new session", "new_session"),
    SlashCommand("resume", "resume a recorded session", "show_sessions"),
    SlashCommand("sessions", "browse recorded sessions", "show_sessions"),
    SlashCommand("model", "choose the model (/model NAME)", "choose_model", True),
    SlashCommand("approvals", "choose when to ask for approval", "choose_policy", True),
    SlashCommand("sandbox", "choose the sandbox mode", "choose_sandbox", True),
    SlashCommand("diff", "show the working tree's git diff", "show_git_diff"),
    SlashCommand("compact", "summarise the conversation to free context", "compact"),
    SlashCommand("status", "model, policy, sandbox, tokens, AGENTS.md", "show_status"),
    SlashCommand("init", "ask the model to write an AGENTS.md", "send_init"),
    SlashCommand("theme", "choose the colour theme (/theme NAME)", "choose_theme", True),
    SlashCommand("copy", "copy the last answer as markdown", "copy_last_answer"),
    SlashCommand("plan", "show or hide the plan and diff panes", "action_toggle_side"),
    SlashCommand("help", "list the commands and keys", "show_help"),
    SlashCommand("quit", "quit codex-tui", "exit"),
]


def find(name: str) -> SlashCommand | None:
    return next((c for c in SLASH_COMMANDS if c.name == name), None)


def parse_slash(text: str) -> tuple[str, str]:
    """`/name rest of line` → ("name", "rest of line")."""
    body = text.strip()[1:]
    name, _, args = body.partition(" ")
    return name.strip(), args.strip()


class SlashCommandProvider(Provider):
    """The slash commands in Textual's command palette."""

    def _entries(self) -> list[tuple[str, str]]:
        entries = [(c.name, c.description) for c in SLASH_COMMANDS]
        templates = getattr(self.app, "templates", {})
        entries += [(n, t.description or "prompt template") for n, t in templates.items()]
        return entries

    async def discover(self) -> Hits:
        for name, description in self._entries():
            yield DiscoveryHit(f"/{name}", partial(self._run, name), help=description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query.lstrip("/"))
        for name, description in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"/{name}"),
                    partial(self._run, name),
                    help=description,
                )

    def _run(self, name: str) -> None:
        self.app.run_slash(f"/{name}")  # type: ignore[attr-defined]
