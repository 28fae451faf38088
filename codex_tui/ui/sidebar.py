"""The session sidebar: recorded sessions of this repository (or of all), grouped
by day, filtered as you type, with a preview of the highlighted one.

Self-contained: mount `SessionSidebar(cwd)` anywhere, call `opened(current)` each
time it is shown, and handle its messages — `OpenRequested(path)` (Enter or a
click: show the transcript), `ResumeRequested(path)` (`r`: continue the session)
and `CloseRequested` (Esc in the list). Every index access (refresh, query,
delete, rename) runs in a worker thread.

Keys: the list has the focus and single keys act on the highlighted session —
`r` resume, `n` rename, `d` delete (after a confirmation), `a` all repositories
or this one. `/` moves to the filter box, where letters filter; Enter or ↓ go
back to the list with the filter kept, Esc clears it and goes back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from codex_tui.sessions.display import GROUPS, clip, day_group, relative_time, short_path
from codex_tui.sessions.errors import SessionError
from codex_tui.sessions.files import Root
from codex_tui.sessions.index import SessionIndex, SessionSummary

FILTER_DELAY_S = 0.12
# Rows shown at once: building an option list costs ~0.15 ms a row on the event
# loop, so older sessions are reached by filtering instead.
MAX_ROWS = 200
# (action, hint) for the list and for the filter box; each hint is also a button.
LIST_HINTS = (
    ("open", "⏎ open"),
    ("resume", "r resume"),
    ("rename", "n rename"),
    ("delete", "d delete"),
    ("toggle_scope", "a all repos"),
    ("focus_filter", "/ filter"),
    ("close", "esc close"),
)
FILTER_HINTS = (("focus_list", "⏎/↓ list"), ("clear_filter", "esc clear"))


def now() -> datetime:
    """The sidebar's clock (snapshot tests pin it)."""
    return datetime.now().astimezone()


class SessionSidebar(Vertical):
    """Browse recorded sessions; posts OpenRequested / ResumeRequested."""

    DEFAULT_CSS = """
    SessionSidebar {
        height: 1fr;
        width: 1fr;
    }
    SessionSidebar #sessions-scope {
        padding: 0 1;
        color: $text-muted;
        text-style: bold;
    }
    SessionSidebar #sessions-filter {
        margin: 0 0 1 0;
        padding: 0 1;
        background: $background;
    }
    SessionSidebar #sessions-filter:focus {
        background: $background;
        color: $text;
    }
    SessionSidebar #sessions-list {
        height: 1fr;
        border: none;
        padding: 0;
        background: transparent;
    }
    SessionSidebar #sessions-list > .option-list--option {
        padding: 0 1;
    }
    SessionSidebar #sessions-list > .option-list--option-disabled {
        color: $text-muted;
        text-style: bold;
    }
    SessionSidebar #sessions-preview {
        height: auto;
        max-height: 9;
        padding: 0 1;
        border-top: solid $panel;
        color: $text;
    }
    SessionSidebar #sessions-hints {
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("r", "resume", "Resume"),
        Binding("d", "delete", "Delete"),
        Binding("n", "rename", "Rename"),
        Binding("a", "toggle_scope", "All repos"),
        Binding("slash", "focus_filter", "Filter", show=False),
        Binding("down", "focus_list", "Sessions", show=False),
        Binding("escape", "escape", "Back / close", show=False),
    ]

    class OpenRequested(Message):
        """Show this session's transcript (read-only)."""

        def __init__(self, path: Path, summary: SessionSummary) -> None:
            super().__init__()
            self.path = path
            self.summary = summary

    class ResumeRequested(Message):
        """Continue this session: the model gets its history back."""

        def __init__(self, path: Path, summary: SessionSummary) -> None:
            super().__init__()
            self.path = path
            self.summary = summary

    class CloseRequested(Message):
        """Esc in the list: the person is done with the sidebar."""

    # All repositories (True) or the one holding `cwd` (False).
    show_all: reactive[bool] = reactive(False, init=False)
    # The session being recorded now (marked in the list; never deleted from here).
    current: reactive[Path | None] = reactive(None, init=False)

    def __init__(
        self,
        cwd: Path,
        *,
        index_path: Path | None = None,
        roots: list[Root] | None = None,
        clock: Callable[[], datetime] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cwd = cwd
        self._index_path = index_path
        self._roots = roots
        self._clock = clock or (lambda: now())  # `now` looked up at each call: tests pin it
        self._index: SessionIndex | None = None
        self._index_lock = threading.Lock()
        self._rows: dict[str, SessionSummary] = {}
        self._query = ""
        self._filter_timer: Timer | None = None
        # Sessions shown, whether older ones were left out, and how many
        # unreadable files the index skipped.
        self.sessions: list[SessionSummary] = []
        self.truncated = False
        self.skipped = 0
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(self._scope_text(), id="sessions-scope")
        yield Input(placeholder="/ filter sessions…", id="sessions-filter", compact=True)
        # Until the index answers (a first build reads every file: seconds at 50,000).
        yield OptionList(Option("[dim]Reading sessions…[/dim]", disabled=True), id="sessions-list")
        yield Static("", id="sessions-preview")
        yield _HintBar(id="sessions-hints")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#sessions-list", OptionList)

    @property
    def selected(self) -> SessionSummary | None:
        """The highlighted session, if any."""
        option = self.option_list.highlighted_option
        return self._rows.get(option.id or "") if option is not None else None

    def opened(self, current: Path | None = None) -> None:
        """The sidebar is shown: mark `current` (the session being recorded) and put
        the focus on the list. (Showing it again lists the sessions afresh.)"""
        self.current = current
        self.action_focus_list()

    # --- loading (worker threads) ---------------------------------------------------------

    def on_mount(self) -> None:
        self.reload()

    def on_show(self) -> None:
        # The running session's file appears after its first request: look again.
        if self.loaded:
            self.reload()

    def reload(self) -> None:
        """Refresh the index from disk and show the result (in a worker thread)."""
        self._start_query(refresh=True)

    def _start_query(self, refresh: bool) -> None:
        scope = None if self.show_all else self.cwd
        work = partial(self._fetch, refresh, scope, self._query)
        self.run_worker(
            work, thread=True, group="sessions-list", exclusive=True, exit_on_error=False
        )

    def _open_index(self) -> SessionIndex:
        with self._index_lock:
            if self._index is None:
                self._index = SessionIndex.open(self._index_path, self._roots)
            return self._index

    def _fetch(
        self, refresh: bool, scope: Path | None, query: str
    ) -> tuple[list[SessionSummary], int]:
        index = self._open_index()
        if refresh:
            self.skipped = index.refresh().corrupt
        return index.list(scope, query or None, limit=MAX_ROWS + 1), self.skipped

    def _change(self, work: Callable[[SessionIndex], Any]) -> None:
        def run() -> Any:
            return work(self._open_index())

        self.run_worker(run, thread=True, group="sessions-change", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "sessions-list" and event.state is WorkerState.SUCCESS:
            sessions, _ = cast(tuple[list[SessionSummary], int], worker.result)
            self._show(sessions)
        elif worker.group == "sessions-change" and event.state is WorkerState.SUCCESS:
            self._start_query(refresh=True)
        elif event.state is WorkerState.ERROR and worker.group.startswith("sessions-"):
            error = worker.error
            message = str(error) if isinstance(error, SessionError | ValueError) else repr(error)
            self.notify(message, title="Sessions", severity="error")
            if worker.group == "sessions-change":
                self._start_query(refresh=True)

    def on_unmount(self) -> None:
        if self._index is not None:
            self._index.close()

    # --- showing ------------------------------------------------------------------------

    def _scope_text(self) -> str:
        if self.show_all:
            return "Sessions · all repositories"
        return f"Sessions · {escape(Path(self.cwd).name or str(self.cwd))}"

    def _show(self, sessions: list[SessionSummary]) -> None:
        option_list = self.option_list
        keep = self.selected.file if self.selected is not None else None
        self.truncated = len(sessions) > MAX_ROWS
        sessions = sessions[:MAX_ROWS]
        self.sessions = sessions
        self._rows = {}
        # The options' padding and the scrollbar take three columns.
        width = max(12, (option_list.size.width or 37) - 3)
        now = self._clock()
        groups: dict[str, list[Option]] = {name: [] for name in GROUPS}
        for n, session in enumerate(sessions):
            option_id = f"s{n}"
            self._rows[option_id] = session
            groups[day_group(session.updated, now)].append(
                Option(self._row_text(session, width, now), id=option_id)
            )
        options: list[Option] = []
        for name in GROUPS:
            if groups[name]:
                options.append(Option(name, disabled=True))
                options += groups[name]
        if not options:
            options.append(Option(escape(self._empty_text()), disabled=True))
        elif self.truncated:
            options.append(Option("[dim]Older sessions: type to filter[/dim]", disabled=True))
        option_list.set_options(options)
        highlight = next((k for k, s in self._rows.items() if s.file == keep), None)
        if highlight is not None:
            option_list.highlighted = option_list.get_option_index(highlight)
        elif self._rows:
            option_list.action_first()
        self._show_preview()
        self.loaded = True

    def _empty_text(self) -> str:
        if self._query:
            return f"No session matches “{self._query}”."
        if self.show_all:
            return "No recorded sessions yet."
        return "No sessions for this repository yet (a: all repositories)."

    def _row_text(self, session: SessionSummary, width: int, now: datetime) -> str:
        parts = [relative_time(session.updated, now)]
        if session.branch:
            parts.append(session.branch)
        if session.source == "codex":
            parts.append("codex")
        if self.show_all:
            parts.append(Path(session.cwd).name)
        mark = "● this session"
        if self.is_current(session):
            meta = clip(" · ".join(parts), width - len(mark) - 3)
            meta_text = f"[dim]{escape(meta)} · [/dim][b $text-accent]{mark}[/]"
        else:
            meta_text = f"[dim]{escape(clip(' · '.join(parts), width))}[/dim]"
        return f"{escape(clip(session.title, width))}\n{meta_text}"

    def is_current(self, session: SessionSummary) -> bool:
        """Whether `session` is the one being recorded now."""
        return self.current is not None and session.path == self.current

    def watch_current(self) -> None:
        if self.loaded:
            self._show(self.sessions)

    def _show_preview(self) -> None:
        preview = self.query_one("#sessions-preview", Static)
        session = self.selected
        if session is None:
            preview.update("")
            return
        details = [short_path(session.cwd)]
        if session.branch:
            details.append(session.branch)
        if session.model:
            details.append(session.model)
        counts = f"{session.turns} turn{'s' if session.turns != 1 else ''}"
        if session.tokens:
            counts += f" · {session.tokens:,} tokens"
        if session.read_only:
            counts += " · Codex CLI (read-only)"
        text = f"[b]{escape(session.title)}[/b]\n[dim]{escape(' · '.join(details))}\n{counts}[/dim]"
        if session.preview:
            text += "\n" + escape(clip(" ".join(session.preview.split()), 300))
        preview.update(text)

    @on(OptionList.OptionHighlighted, "#sessions-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_preview()

    @on(OptionList.OptionSelected, "#sessions-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def on_resize(self) -> None:
        if self.loaded:
            self._show(self.sessions)

    # --- filter -------------------------------------------------------------------------

    @on(Input.Changed, "#sessions-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(
            FILTER_DELAY_S, partial(self._apply_filter, event.value)
        )

    def _apply_filter(self, value: str) -> None:
        self._query = value.strip()
        self._start_query(refresh=False)

    @on(Input.Submitted, "#sessions-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_focus_list()

    @property
    def filtering(self) -> bool:
        """Whether the filter box has the focus (its keys are typed, not acted on)."""
        return self.query_one("#sessions-filter", Input).has_focus

    def on_descendant_focus(self) -> None:
        self.query_one(_HintBar).filtering = self.filtering

    def on_descendant_blur(self) -> None:
        self.query_one(_HintBar).filtering = self.filtering

    # --- actions ------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#sessions-filter", Input).focus()

    def action_focus_list(self) -> None:
        option_list = self.option_list
        option_list.focus()
        if option_list.highlighted is None and self._rows:
            option_list.action_first()

    def action_clear_filter(self) -> None:
        self.query_one("#sessions-filter", Input).value = ""
        self.action_focus_list()

    def action_escape(self) -> None:
        """Esc: out of the filter box (clearing it), or out of the sidebar."""
        if self.filtering:
            self.action_clear_filter()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.post_message(self.CloseRequested())

    def action_open(self) -> None:
        session = self.selected
        if session is not None:
            self.post_message(self.OpenRequested(session.path, session))

    def action_resume(self) -> None:
        session = self.selected
        if session is not None:
            self.post_message(self.ResumeRequested(session.path, session))

    def action_toggle_scope(self) -> None:
        self.show_all = not self.show_all

    def watch_show_all(self) -> None:
        self.query_one("#sessions-scope", Static).update(self._scope_text())
        self.query_one(_HintBar).refresh(layout=True)
        self._start_query(refresh=False)

    def action_delete(self) -> None:
        session = self.selected
        if session is None:
            return
        if session.read_only:
            self.notify("Codex CLI's sessions are read-only here.", title="Sessions")
            return
        if self.is_current(session):
            self.notify("This session is still running; it is kept.", title="Sessions")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(lambda index: index.delete(session.file))

        question = f"Delete the session “{clip(session.title, 60)}”? Its file is removed."
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_rename(self) -> None:
        session = self.selected
        if session is None:
            return
        if session.read_only:
            self.notify("Codex CLI's sessions are read-only here.", title="Sessions")
            return

        def named(title: str | None) -> None:
            if title and title.strip() and title.strip() != session.title:
                self._change(lambda index: index.rename(session.file, title))

        self.app.push_screen(RenameScreen(session.title), named)


class _HintBar(Widget):
    """The key hints under the list (or the filter box's while it has the focus),
    laid out whole on as many lines as the width needs; each one is a button."""

    DEFAULT_CSS = "_HintBar { height: auto; }"

    filtering: reactive[bool] = reactive(False, layout=True)

    def _lines(self, width: int) -> list[list[tuple[str, str]]]:
        lines: list[list[tuple[str, str]]] = [[]]
        used = 0
        sidebar = self.query_ancestor(SessionSidebar)
        for action, hint in FILTER_HINTS if self.filtering else LIST_HINTS:
            if action == "toggle_scope" and sidebar.show_all:
                hint = "a this repo"
            if lines[-1] and used + 2 + len(hint) > width:
                lines.append([])
                used = 0
            used += len(hint) + (2 if lines[-1] else 0)
            lines[-1].append((action, hint))
        return lines

    def render(self) -> Content:
        lines = self._lines(self.content_size.width)
        markup = "\n".join(
            "  ".join(f"[@click=sidebar('{action}')]{escape(hint)}[/]" for action, hint in line)
            for line in lines
        )
        return Content.from_markup(markup)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    async def action_sidebar(self, action: str) -> None:
        sidebar = self.query_ancestor(SessionSidebar)
        await sidebar.run_action(action)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y or Enter confirms, n or Escape declines."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > Vertical {
        width: 60;
        height: auto;
        padding: 1 2;
        border: thick $error;
        background: $surface;
    }
    ConfirmScreen Horizontal {
        height: auto;
        margin-top: 1;
    }
    ConfirmScreen Button {
        margin-right: 2;
    }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(escape(self.question))
            with Horizontal():
                yield Button("Delete (y)", variant="error", id="yes")
                yield Button("Keep (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


class RenameScreen(ModalScreen[str | None]):
    """A new title for a session; Enter saves, Escape cancels."""

    DEFAULT_CSS = """
    RenameScreen {
        align: center middle;
    }
    RenameScreen > Vertical {
        width: 70;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Rename the session (Enter saves, Escape cancels)")
            yield Input(self.current, id="rename-title")

    def on_mount(self) -> None:
        self.query_one("#rename-title", Input).focus()

    @on(Input.Submitted, "#rename-title")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
