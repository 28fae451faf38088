"""Asking for the API key when there is none: pasted once, kept in this process's
memory only (never written anywhere; the sandbox keeps `*KEY*` variables from the
commands the model runs)."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class KeyScreen(ModalScreen[str | None]):
    """Enter gives the pasted key; esc gives None."""

    DEFAULT_CSS = """
    KeyScreen {
        align: center middle;
        background: $background 60%;
    }
    KeyScreen #key-dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    KeyScreen #key-input {
        margin: 1 0;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, variable: str, config_path: str) -> None:
        super().__init__()
        self.variable = variable
        self.config_path = config_path

    def compose(self):
        with Vertical(id="key-dialog"):
            yield Static(Text(f"Paste your {self.variable}", "bold"))
            yield Static(
                Text(
                    "Kept in memory for this session only. To keep it, export it in your"
                    f" shell, or point model_provider at a local server in {self.config_path}.",
                    "dim",
                )
            )
            yield Input(password=True, placeholder="the key", id="key-input")
            yield Static(Text("enter use it · esc cancel", "dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        key = event.value.strip()
        self.dismiss(key or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
