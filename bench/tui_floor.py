"""The floor for start-up: the smallest Textual app with a text area, showing the
same placeholder as codex-tui's composer. `tui_launch.floor_times` starts it the way
`codex-tui` is started, so the difference is what codex-tui itself costs."""

from textual.app import App, ComposeResult
from textual.widgets import TextArea
from tui_launch import PLACEHOLDER


class Floor(App):
    CSS = "TextArea { dock: bottom; height: 5; }"  # where the benchmark looks for input

    def compose(self) -> ComposeResult:
        yield TextArea(placeholder=PLACEHOLDER)


if __name__ == "__main__":
    Floor().run()
