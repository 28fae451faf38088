"""A small modal list to choose one value (model, policy, sandbox, theme)."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class ChoiceScreen(ModalScreen[str | None]):
    """Enter picks the highlighted value; esc cancels (dismisses with None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        choices: list[tuple[str, str]],
        current: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        super().__init__(classes="picker")
        self.title_text = title
        self.choices = choices
        self.current = current
        self.labels = labels or {}  # what a value is shown as, when not itself

    def compose(self):
        options = []
        for value, description in self.choices:
            label = Text(self.labels.get(value, value), "bold")
            if value == self.current:
                label.append("  (current)", "dim")
            if description:
                label.append("\n" + description, "dim")
            options.append(Option(label, id=value))
        with Vertical(id="picker"):
            yield Static(Text(self.title_text, "bold"), id="picker-title")
            yield OptionList(*options, id="picker-options")
            yield Static(Text("↑/↓ move · enter choose · esc cancel", "dim"))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for value, _ in self.choices]
        if self.current in values:
            options.highlighted = values.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
