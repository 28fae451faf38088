"""The header a new session opens with: which model it talks to, in which
directory, under which rules, and where to start. It is the first cell of the
conversation and scrolls away with it. Plain content markup, not markdown: it is
drawn in the first frame, which must not wait for a pygments style."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual.markup import escape
from textual.widgets import Static

from codex_tui.sessions.display import short_path
from codex_tui.ui.cells import Cell, Factory

KEYS = (
    ("/", "commands"),
    ("@", "attach a file"),
    ("ctrl+b", "past sessions"),
    ("ctrl+t", "plan and diff"),
)


def welcome_markup(
    *, version: str, model: str, provider: str, cwd: Path, approval: str, sandbox: str
) -> str:
    """Three lines; every value is escaped (a directory's name is the repository's
    to choose, a model's the server's)."""
    dot = " [dim]·[/] "
    keys = dot.join(f"[b $accent]{escape(key)}[/] {what}" for key, what in KEYS)
    return "\n".join(
        [
            f"[b]codex-tui[/] {escape(version)}{dot}[b $text-accent]{escape(model)}[/]"
            f" via {escape(provider)}",
            f"{escape(short_path(str(cwd)))}{dot}approval [b]{escape(approval)}[/]"
            f"{dot}sandbox [b]{escape(sandbox)}[/]",
            keys,
        ]
    )


class WelcomeCell(Cell):
    DEFAULT_CSS = """
    WelcomeCell {
        width: auto;
        max-width: 100%;
        border: round $primary 60%;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    WelcomeCell > Static {
        width: auto;
    }
    """

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.markup = markup

    def compose(self):
        yield Static(self.markup)

    def rebuild(self) -> Factory:
        return partial(WelcomeCell, self.markup)
