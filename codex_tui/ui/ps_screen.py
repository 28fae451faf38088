"""`/ps`: the session's background terminals. A row each (session, state,
command, pid, runtime, last output line); `k` kills the highlighted one, enter
shows its live output (the last 64 KB, refreshed twice a second), esc closes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from codex_tui.ui.cells import format_duration

if TYPE_CHECKING:
    from codex_tui.terminals.registry import Terminals
    from codex_tui.terminals.terminal import Terminal

MARKS = {"running": ("⧗", "bold cyan"), "exited": ("✓", "green"), "killed": ("⊘", "yellow")}


def row(terminal: Terminal) -> Text:
    mark, style = MARKS.get(terminal.state, ("?", ""))
    text = Text.assemble((f"{mark} {terminal.session_id}  ", style))
    text.append(" ".join(terminal.command)[:70], "bold")
    state = (
        f"pid {terminal.pid} · {format_duration(terminal.runtime_s)}"
        if terminal.running
        else f"{terminal.state} ({terminal.exit_code}) after {format_duration(terminal.runtime_s)}"
    )
    text.append(f"  {state}", "dim")
    if terminal.last_line:
        text.append(f"\n   {terminal.last_line[:90]}", "dim")
    return text


class PsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    PsScreen #ps { width: 1fr; max-width: 120; height: auto; max-height: 90%; margin: 1 2;
                   border: thick $accent; background: $surface; padding: 0 1; }
    PsScreen #ps-output { height: 1fr; border: round $panel; display: none; }
    PsScreen.-output #ps { height: 1fr; }
    PsScreen.-output #ps-output { display: block; }
    PsScreen #ps-list { height: auto; max-height: 12; }
    PsScreen #ps-keys { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("k", "kill", "Kill"),
    ]

    def __init__(self, terminals: Terminals) -> None:
        super().__init__()
        self.terminals = terminals
        self.shown: int | None = None

    def compose(self):
        with Vertical(id="ps"):
            yield Static(Text("Background terminals", "bold"))
            yield OptionList(id="ps-list")
            with VerticalScroll(id="ps-output"):
                yield Static(id="ps-text")
            yield Static("↑/↓ move · enter live output · k kill · esc close", id="ps-keys")

    def on_mount(self) -> None:
        self.refresh_rows()
        self.set_interval(0.5, self.tick)
        self.query_one(OptionList).focus()

    def refresh_rows(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        terminals = sorted(
            self.terminals.terminals.values(), key=lambda t: (not t.running, -t.session_id)
        )
        for terminal in terminals:
            options.add_option(Option(row(terminal), id=str(terminal.session_id)))
        if not terminals:
            options.add_option(Option(Text("No background terminals.", "dim"), disabled=True))
        else:
            options.highlighted = min(highlighted or 0, len(terminals) - 1)

    def tick(self) -> None:
        self.refresh_rows()
        if self.shown is not None:
            terminal = self.terminals.get(self.shown)
            if terminal is not None:
                text = terminal.recent.decode("utf-8", "replace").replace("\r\n", "\n")
                self.query_one("#ps-text", Static).update(Text(text[-8000:]))
                # Live output follows its end, as a terminal does.
                self.query_one("#ps-output", VerticalScroll).scroll_end(animate=False)

    def _selected(self) -> Terminal | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self.terminals.get(int(option.id)) if option.id else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.shown = int(event.option.id)
            self.add_class("-output")
            self.tick()

    async def action_kill(self) -> None:
        terminal = self._selected()
        if terminal is not None and terminal.running:
            await terminal.stop()
            self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss(None)
