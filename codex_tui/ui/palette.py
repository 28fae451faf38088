"""The command palette (ctrl+p): our slash commands and prompt templates first, read
from the same table as dispatch and `/help`, then what Textual offers that we have
no command for (keys, screenshot, maximise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from textual.command import DiscoveryHit, Hit, Hits, Provider

from codex_tui.ui.slash import SLASH_COMMANDS

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

__all__ = ["CommandProvider", "command_entries"]


def command_entries(app: CodexApp) -> list[tuple[str, str]]:
    """(name, help) of every slash command, then of every prompt template."""
    entries = [(c.name, c.help) for c in SLASH_COMMANDS]
    entries += [(n, t.description or "prompt template") for n, t in app.templates.items()]
    return entries


class Entry(NamedTuple):
    title: str  # what is shown, e.g. "/theme"
    name: str  # what the query is matched against
    help: str
    run: Callable[[], object]
    discover: bool = True  # listed before anything is typed


class CommandProvider(Provider):
    """Every entry of the palette, in one provider so that ours come first: the
    palette lists entries in the order they arrive and sorts a search by score
    alone, keeping that order for equal scores.

    Textual's commands that one of ours replaces are left out: its "Theme" lists
    Textual's built-in themes, which are neither saved nor applied to code
    (`/theme` lists ours), and its "Quit" is `/quit`."""

    @property
    def codex_app(self) -> CodexApp:
        from codex_tui.ui.app import CodexApp

        assert isinstance(self.app, CodexApp)
        return self.app

    def entries(self) -> Iterator[Entry]:
        app = self.codex_app
        for name, description in command_entries(app):
            yield Entry(f"/{name}", name, description, partial(app.run_slash, f"/{name}"))
        ours = {c.name for c in SLASH_COMMANDS}
        textual = sorted(app.get_system_commands(self.screen), key=lambda c: c.title)
        for command in textual:
            if command.title.lower() not in ours:
                yield Entry(
                    command.title, command.title, command.help, command.callback, command.discover
                )

    async def discover(self) -> Hits:
        for entry in self.entries():
            if entry.discover:
                yield DiscoveryHit(entry.title, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query.lstrip("/"))
        for entry in self.entries():
            score = matcher.match(entry.name)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.run, help=entry.help)
