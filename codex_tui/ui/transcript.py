"""A recorded session shown read-only: its transcript replayed into a
conversation view on a screen of its own; r resumes it, esc goes back."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from codex_tui.agent import events as ev
from codex_tui.ui.conversation import ConversationView


def replay(view: ConversationView, events: Iterable[ev.Event]) -> None:
    """Render recorded events as the live session rendered them."""
    for event in events:
        if isinstance(event, ev.UserMessage):
            view.add_user(event.text)
        else:
            view.handle(event)
    view.flush()


class TranscriptScreen(Screen[bool]):
    """Dismisses with True when the person asks to resume the session."""

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
        Binding("r", "resume", "Resume"),
    ]

    def __init__(self, title: str, path: Path, events: list[ev.Event], code_theme: str) -> None:
        super().__init__(classes="transcript")
        self.title_text = title
        self.path = path
        self.events = events
        self.view = ConversationView(code_theme=code_theme, id="transcript")

    def compose(self):
        header = Text()
        header.append(" Read-only transcript ", "bold reverse")
        header.append(f"  {self.title_text}", "bold")
        yield Static(header, id="transcript-title")
        yield self.view
        keys = Text()
        for key, label in (("r", "resume this session"), ("esc", "back")):
            keys.append(f" {key} ", "bold reverse")
            keys.append(f" {label}   ")
        yield Static(keys, id="transcript-keys")

    def on_mount(self) -> None:
        replay(self.view, self.events)
        self.view.focus()

    def action_close(self) -> None:
        self.dismiss(False)

    def action_resume(self) -> None:
        self.dismiss(True)
