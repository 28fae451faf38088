"""The slash commands and prompt templates in Textual's command palette (ctrl+p),
read from the same table as dispatch and `/help`."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from codex_tui.ui.slash import SLASH_COMMANDS

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp


def command_entries(app: CodexApp) -> list[tuple[str, str]]:
    """(name, help) of every slash command, then of every prompt template."""
    entries = [(c.name, c.help) for c in SLASH_COMMANDS]
    entries += [(n, t.description or "prompt template") for n, t in app.templates.items()]
    return entries


class SlashCommandProvider(Provider):
    """`/name` entries in the palette; choosing one runs it as if typed."""

    @property
    def codex_app(self) -> CodexApp:
        from codex_tui.ui.app import CodexApp

        assert isinstance(self.app, CodexApp)
        return self.app

    async def discover(self) -> Hits:
        for name, description in command_entries(self.codex_app):
            yield DiscoveryHit(f"/{name}", partial(self._run, name), help=description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query.lstrip("/"))
        for name, description in command_entries(self.codex_app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"/{name}"),
                    partial(self._run, name),
                    help=description,
                )

    def _run(self, name: str) -> None:
        self.codex_app.run_slash(f"/{name}")
