"""A minimal screen shown until the full app lands: proves the TUI starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

if TYPE_CHECKING:
    from codex_tui.cli import Context


class PlaceholderApp(App):
    """Shows the effective model, provider, policy and sandbox; q quits."""

    TITLE = "codex-tui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.summary, id="summary")
        yield Footer()


def summary(ctx: Context) -> str:
    cfg = ctx.config
    lines = [
        f"workspace: {ctx.cwd}",
        f"model: {cfg.model} · provider: {cfg.model_provider}",
        f"approval: {cfg.approval_policy} · sandbox: {cfg.sandbox_mode}",
        "",
        "The full conversation screen is not built yet; press q to quit.",
    ]
    if ctx.args.prompt:
        lines.insert(0, f"request: {ctx.args.prompt}")
    return "\n".join(lines)


def run(ctx: Context) -> int:
    PlaceholderApp(summary(ctx)).run()
    return 0
