"""A recorded session shown read-only: its transcript replayed into a
conversation view on a screen of its own; r resumes it, esc goes back."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from codex_tui.agent import events as ev
from codex_tui.ui.cell_window import MIN_TAIL_TURNS, TAIL_TURNS
from codex_tui.ui.conversation import ConversationView

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp


def replay(view: ConversationView, events: Iterable[ev.Event]) -> None:
    """Render recorded events as the live session rendered them: the last turns
    now, as many as fill two screens (at most TAIL_TURNS), older ones when
    scrolled to (ConversationView.hide_events). Drawing is what a resume waits
    for: eight long turns took 0.3 s more than the two that fill the screen."""
    events = list(events)
    starts = [n for n, event in enumerate(events) if isinstance(event, ev.UserMessage)]
    tail = _tail_start(events, starts, 2 * max(view.size.height, 24))
    if tail:
        view.hide_events(events[:tail])
    for event in events[tail:]:
        if isinstance(event, ev.UserMessage):
            view.add_user(event.text, images=event.images)
        else:
            view.handle(event)
    view.end_background()
    view.flush()


def _tail_start(events: list[ev.Event], starts: list[int], rows: int) -> int:
    """Where the drawn tail begins: whole turns from the end until about `rows`
    rows (a rough count: lines of text, long ones wrapped at 100), at least
    MIN_TAIL_TURNS and at most TAIL_TURNS of them."""
    if len(starts) <= MIN_TAIL_TURNS:
        return 0
    end, counted = len(events), 0
    for taken, start in enumerate(reversed(starts), 1):
        counted += sum(_rows(event) for event in events[start:end])
        end = start
        if taken >= TAIL_TURNS or (taken >= MIN_TAIL_TURNS and counted >= rows):
            return start
    return 0


def _rows(event: ev.Event) -> int:
    text = getattr(event, "text", None) or getattr(event, "output", None) or ""
    if not isinstance(text, str):
        return 1
    return 1 + text.count("\n") + len(text) // 100


def restore_panes(app: CodexApp, events: Iterable[ev.Event]) -> None:
    """Show what the panes and the status bar showed when the recorded session
    ended, as `CodexApp.on_agent_event` did live: every plan (the pane pages
    through them), the last applied patch's diff, the last token count."""
    diffs: dict[str, str] = {}
    last_diff = ""
    tokens: ev.TokenCount | None = None
    for event in events:
        match event:
            case ev.PlanUpdated(explanation=explanation, plan=plan):
                app.plan_pane.update_plan(explanation, plan)
                app.side_has_content()
            case ev.PatchBegin(call_id=call_id, diff=diff):
                diffs[call_id] = diff
            case ev.PatchEnd(call_id=call_id, status="completed"):
                last_diff = diffs.pop(call_id, "") or last_diff
            case ev.TokenCount() as count:
                tokens = count
    if last_diff:
        app.side_diff().show_diff_text(last_diff, title="Last applied patch")
        app.side_has_content()
    if tokens is not None:
        app.status_bar.set_tokens(tokens)


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
