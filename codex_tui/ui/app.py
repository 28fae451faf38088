"""The full-screen app: conversation in the centre, plan and diff on the right,
the session sidebar on the left, composer and status bar at the bottom.

The agent runs on Textual's event loop; its events arrive through `on_agent_event`
and its approvals through `UiApprover`. Nothing here blocks the loop: the agent
is built after the first frame (so `openai` is never imported before it), and
file and process work happens in threads."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from codex_tui.collection import tune_collection
from codex_tui.ui.app_keys import KeyAndModeActions
from codex_tui.ui.app_themes import ThemeHandling
from codex_tui.ui.cells import FlagCell
from codex_tui.ui.composer import NEWLINE_KEYS, Composer
from codex_tui.ui.conversation import ConversationView
from codex_tui.ui.first_start import FirstStart
from codex_tui.ui.palette import CommandProvider, command_entries
from codex_tui.ui.panes import PlanPane, StatusBar
from codex_tui.ui.session import SessionController
from codex_tui.ui.slash import SlashContext, find, parse_slash, run_command
from codex_tui.ui.strip_cycles import patch_strip_cycles
from codex_tui.ui.template_prompt import TemplateQuestions
from codex_tui.ui.terminal_keys import patch_alt_keys
from codex_tui.ui.timers import run_after

if TYPE_CHECKING:
    from codex_tui.agent import events as ev
    from codex_tui.agent.controller import Agent
    from codex_tui.agent.model_client import ModelClient
    from codex_tui.config import Config
    from codex_tui.images.store import Attachment
    from codex_tui.prompts import PromptTemplate
    from codex_tui.sessions import SessionData
    from codex_tui.ui.diffview import DiffView
    from codex_tui.ui.sidebar import SessionSidebar

patch_alt_keys()  # Alt+Enter from ESC CR terminals: a new line, not a send
patch_strip_cycles()  # drawn lines freed as they go, not by the collector's pauses

# Below this many columns the plan/diff column folds away (shown on demand).
WIDE_COLUMNS = 120
NO_CHANGES = "No changes yet. /diff shows the working tree's diff."
QUIT_WINDOW_S = 1.0


@dataclass
class Launch:
    """What the app starts with; tests and --demo pass their own client."""

    config: Config
    cwd: Path
    prompt: str | None = None
    client: ModelClient | None = None
    resume: Path | None = None
    banner: str | None = None  # shown first (the demo explains itself)
    images: tuple[Attachment, ...] = ()  # `-i` files, sent with `prompt`
    record: bool = True  # write a session file (the demo does not)


def discover_templates(cwd: Path) -> dict[str, PromptTemplate]:
    """The prompt templates for `cwd`; run in a thread, its modules included, as it
    happens right after the first frame, when the person may already be typing."""
    from codex_tui.prompts import discover

    return discover(cwd)


class UiApprover:
    """Answers the agent's approval requests with the modal dialog."""

    def __init__(self, app: CodexApp) -> None:
        self.app = app

    async def request_approval(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        return await self.app.ask(request)


class CodexApp(ThemeHandling, KeyAndModeActions, App[int]):
    """codex-tui's main window."""

    TITLE = "codex-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = {CommandProvider}
    BINDINGS = [
        Binding("ctrl+c", "ctrl_c", "Interrupt / quit", show=False, priority=True),
        Binding("escape", "interrupt", "Interrupt", show=False),
        Binding("ctrl+b", "toggle_sidebar", "Sessions", show=False),
        Binding("ctrl+t", "toggle_side", "Plan & diff", show=False),
        Binding("ctrl+o", "correct", "Send the checker's correction", show=False, priority=True),
        Binding("pageup", "scroll_conversation(-1)", show=False, priority=True),
        Binding("pagedown", "scroll_conversation(1)", show=False, priority=True),
        Binding("ctrl+end", "to_bottom", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", show=False),
        Binding(
            "ctrl+g", "external_editor", "Edit the draft in $EDITOR", show=False, priority=True
        ),
        Binding("shift+tab", "cycle_mode", "Mode", show=False, priority=True),
        Binding("ctrl+r", "go", "Carry out the plan", show=False, priority=True),
        Binding("alt+right", "effort(1)", show=False, priority=True),
        Binding("alt+left", "effort(-1)", show=False, priority=True),
    ]

    def __init__(self, launch: Launch) -> None:
        super().__init__()
        self.launch = launch
        self.config = launch.config
        self.cwd = launch.cwd
        self.session = SessionController(self)
        self._resumed: SessionData | None = None  # drawn before the first frame (resume)
        self.reviewing = False  # a /review turn runs (in plan mode, but not a plan)
        self.conversation = ConversationView(id="conversation")
        self.composer = Composer(
            id="composer",
            history_persistence=self.config.history.persistence,
            root=self.cwd,
            vim_mode=self.config.tui.vim_mode,
        )
        self.plan_pane = PlanPane(id="plan")
        self.status_bar = StatusBar(id="status")
        self.diff_view: DiffView | None = None
        self.pygments_style = "monokai"
        self.theme_specs: dict[str, Any] = {}
        self.templates: dict[str, PromptTemplate] = {}
        self.template_questions = TemplateQuestions(self)
        self._ctrl_c_at = 0.0
        self._esc_at = 0.0
        self._pending_patch: str | None = None
        self._side_content = False  # a plan or a diff has been shown
        self.exit_session: tuple[str, Path] | None = None  # (id, file) when it quit
        self._side_wanted: bool | None = None  # the person's ctrl+t, else automatic
        self._patch_diffs: dict[str, str] = {}
        self._load_themes()  # sets theme_specs, _theme_set and _theme_warnings
        self.first_start = FirstStart(
            partial(run_after, self), lambda: self.call_later(self.start_session)
        )

    # -- layout -------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.first_start.key_pressed()
            self.conversation.input_arrived()
            if self._typed_elsewhere(event):
                # A click moved the focus to the conversation or a pane: what is
                # typed is still meant for the composer (nothing is lost).
                self.composer.focus_input()
                self.composer.input.post_message(events.Key(event.key, event.character))
                return
        await super().on_event(event)

    def _typed_elsewhere(self, event: events.Key) -> bool:
        """Text keys (and Enter, Backspace) while a widget that reads no text has
        the focus on the main screen; scrolling keys stay with that widget."""
        if self.screen is not self.screen_stack[0]:
            return False  # a dialog has the keys
        # A line feed too: typed before the terminal leaves its line mode, an Enter
        # arrives as one (ctrl+j), before the composer has the focus.
        text_keys = ("enter", "backspace", "delete", *NEWLINE_KEYS)
        if not (event.is_printable or event.key in text_keys):
            return False
        focused = self.focused
        if focused is None:
            return True
        passive = (self.conversation, self.plan_pane, self.diff_view, self.status_bar)
        return any(focused is w or w in focused.ancestors_with_self for w in passive if w)

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            # The sessions browser is mounted the first time it is shown (ctrl+b).
            yield Vertical(id="sidebar")
            with Vertical(id="center"):
                yield self.conversation
                yield Static("↓ new output — ctrl+end to follow", id="new-output")
            with Vertical(id="side"):
                yield self.plan_pane  # the diff pane below it: side_diff()
        yield self.composer
        yield self.status_bar

    def on_mount(self) -> None:
        for warning in self._theme_warnings:
            self.conversation.note("warning", warning)
        self.composer.set_commands(command_entries(self))
        self.status_bar.effort = self.config.model_reasoning_effort
        self.status_bar.configure(
            self.config.model,
            self.config.model_provider,
            self.config.approval_policy,
            self.config.sandbox_mode,
        )
        self.query_one("#new-output").display = False
        self._apply_width(self.size.width)
        self.composer.focus_input()
        if self.launch.resume is None:
            self._welcome()
        else:
            self._resumed = self.session.show_now(self.launch.resume)
        if self.launch.banner:
            self.conversation.markdown(self.launch.banner)
        # Build the agent after the first frame (the screen never waits for it),
        # once the keys typed at once are drawn.
        at_once = bool(self.launch.prompt or self.launch.images)  # a message to send
        self.call_after_refresh(self.first_start.after_first_frame, at_once=at_once)
        self.call_after_refresh(tune_collection)  # fewer full collections from here on

    def _welcome(self) -> None:
        from codex_tui import __version__
        from codex_tui.ui.welcome import WelcomeCell, welcome_markup

        config = self.config
        markup = welcome_markup(
            version=__version__,
            model=config.model,
            provider=config.model_provider,
            cwd=self.cwd,
            approval=config.approval_policy,
            sandbox=config.sandbox_mode,
        )
        self.conversation.add(WelcomeCell(markup))

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.screen.set_class(width < WIDE_COLUMNS, "-narrow")
        self._update_side()

    # The plan and diff column earns its space: shown (wide terminals) once a
    # plan or a diff is there to show; ctrl+t / `/plan` override that either way,
    # at any width (narrow terminals show it instead of the conversation).

    def _update_side(self) -> None:
        narrow = self.screen.has_class("-narrow")
        automatic = self._side_content and not narrow
        visible = self._side_wanted if self._side_wanted is not None else automatic
        self.screen.set_class(visible, "-side")
        if visible:
            self.side_diff()

    def side_diff(self) -> DiffView:
        """The diff pane, made the first time it is needed: the column is hidden
        until there is a plan or a diff, and the pane with its module was ~8 ms of
        the first frame."""
        if self.diff_view is None:
            from codex_tui.ui.diffview import DiffView

            self.diff_view = DiffView(id="diff")
            self.diff_view.show_message(NO_CHANGES)
            self.query_one("#side").mount(self.diff_view)
        return self.diff_view

    def side_has_content(self) -> None:
        """A plan or a diff appeared: the column has something to show."""
        self._side_content = True
        self._update_side()

    def action_toggle_side(self) -> None:
        self._side_wanted = not self.screen.has_class("-side")
        self._update_side()

    def action_toggle_sidebar(self) -> None:
        if self.screen.has_class("-show-sidebar"):
            self.screen.remove_class("-show-sidebar")
            self.composer.focus_input()
        else:
            self.show_sessions()

    def show_side(self) -> None:
        self._side_content = True
        self._side_wanted = True
        self._update_side()

    def action_scroll_conversation(self, direction: int) -> None:
        # Not animated: Textual glides at 50 lines/s, a second per page here.
        if direction < 0:
            self.conversation.scroll_page_up(animate=False)
        else:
            self.conversation.scroll_page_down(animate=False)

    def action_to_bottom(self) -> None:
        self.conversation.jump_to_bottom()

    def on_conversation_view_new_output(self) -> None:
        self.query_one("#new-output").display = True

    def on_conversation_view_reached_bottom(self) -> None:
        self.query_one("#new-output").display = False

    def on_click(self, event) -> None:
        if getattr(event.widget, "id", None) == "new-output":
            self.conversation.jump_to_bottom()

    # -- themes -------------------------------------------------------------------

    # -- the session --------------------------------------------------------------

    async def start_session(self) -> None:
        """Build the agent (after the first frame) and send any early input."""
        if not self.conversation.is_attached:
            return  # quit before it began
        self._report_missing_key()
        if self.launch.resume is not None:
            # Handed over, not kept: the app must not hold a whole session's transcript.
            resumed, self._resumed = self._resumed, None
            self.session.resume_worker(resumed or self.launch.resume)
        else:
            self.session.start(None)
        self.load_templates()
        self._check_theme_styles()

    @property
    def agent(self) -> Agent | None:
        return self.session.agent

    @property
    def busy(self) -> bool:
        """A turn is running or about to (what keys like esc and ctrl+c act on)."""
        return self.session.busy

    def send(self, text: str) -> None:
        self.session.send(text)

    def clear_session_view(self) -> None:
        """Empty conversation, plan and diff for a session starting afresh."""
        self.conversation.clear_cells()
        self.plan_pane.reset()
        if self.diff_view is not None:
            self.diff_view.show_message(NO_CHANGES)
        self.status_bar.tokens = 0
        self.status_bar.percent_left = None
        self.status_bar.queued = 0
        self.status_bar.set_working(False)
        self._side_content = False
        self._update_side()

    # -- recorded sessions ----------------------------------------------------------

    def show_sessions(self) -> None:
        from codex_tui.ui.sidebar import SessionSidebar

        self.screen.add_class("-show-sidebar")
        current = self.agent.session_path if self.agent is not None else None
        slot = self.query_one("#sidebar")
        found = slot.query(SessionSidebar)
        if found:
            found.first().opened(current)
            return
        sidebar = SessionSidebar(self.cwd)
        slot.mount(sidebar)
        self.call_after_refresh(sidebar.opened, current)

    def on_session_sidebar_close_requested(self, message: SessionSidebar.CloseRequested) -> None:
        if self.screen.has_class("-show-sidebar"):
            self.action_toggle_sidebar()

    def on_session_sidebar_resume_requested(self, message: SessionSidebar.ResumeRequested) -> None:
        self.session.resume(message.path)

    @work(group="transcript", exclusive=True)
    async def on_session_sidebar_open_requested(
        self, message: SessionSidebar.OpenRequested
    ) -> None:
        from codex_tui.sessions import SessionError, read_session
        from codex_tui.ui.transcript import TranscriptScreen

        try:
            data = await asyncio.to_thread(read_session, message.path)
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            return
        screen = TranscriptScreen(
            data.meta.title, message.path, data.transcript, self.pygments_style
        )
        if await self.push_screen_wait(screen):
            self.session.resume(message.path)

    @work(group="templates", exclusive=True)
    async def load_templates(self) -> None:
        """Prompt templates become slash commands (built-in names win)."""
        found = await asyncio.to_thread(discover_templates, self.cwd)
        self.templates = {n: t for n, t in found.items() if find(n) is None}
        for name in sorted(set(found) - set(self.templates)):
            self.conversation.note(
                "warning", f"prompt template /{name} is hidden by the built-in command"
            )
        self.composer.set_commands(command_entries(self))

    # -- agent events -----------------------------------------------------------------

    def on_agent_event(self, event: ev.Event) -> None:
        """Every agent event: the conversation gets it; panes and status take theirs.
        The status bar's "working" follows the events: on when a turn or a
        compaction starts, off when the agent reports it is idle."""
        from codex_tui.agent import events as ev

        self.conversation.handle(event)
        self.session.observe(event)
        bar = self.status_bar
        match event:
            case ev.SessionConfigured():
                bar.sandbox_enforced = event.sandbox_enforced
                bar.configure(
                    event.model, event.provider, event.approval_policy, event.sandbox_mode
                )
            case ev.ModeChanged(mode=mode):
                bar.mode = mode
                bar.refresh_text()
            case ev.TurnComplete() if bar.mode == "plan" and not self.reviewing:
                self.conversation.note(
                    "info",
                    "Plan ready: ctrl+r carries it out (leaves plan mode), or keep refining.",
                )
                self.notify_unfocused("turn finished")
            case ev.SettingsChanged():
                bar.effort = event.reasoning_effort
                bar.sandbox_enforced = event.sandbox_enforced
                bar.configure(event.model, bar.provider, event.approval_policy, event.sandbox_mode)
            case ev.TokenCount():
                bar.set_tokens(event)
            case ev.PlanUpdated(explanation=explanation, plan=plan):
                self.plan_pane.update_plan(explanation, plan)
                self.side_has_content()
            case ev.PatchBegin(call_id=call_id, diff=diff):
                self._patch_diffs[call_id] = diff
            case ev.PatchEnd(call_id=call_id, status=status):
                diff = self._patch_diffs.pop(call_id, "")
                if status == "completed" and diff:
                    self.side_diff().show_diff_text(diff, title="Last applied patch")
                    self.side_has_content()
                elif self._pending_patch == call_id:
                    self.side_diff().show_message(f"The patch was {status}.")
            case ev.TurnStarted() | ev.CompactionStarted():
                if bar.working_since is None:
                    bar.set_working(True)
            case ev.QueueChanged(queued=queued):
                bar.queued = len(queued)
                bar.refresh_text()
            case ev.TerminalChanged():
                terminals = self.agent.tools.env.terminals if self.agent is not None else None
                bar.terminals = len(terminals.running) if terminals is not None else 0
                bar.refresh_text()
            case ev.Idle():
                bar.set_working(False)
            case ev.TurnComplete() | ev.TurnAborted() | ev.TurnFailed():
                self.notify_unfocused("turn finished")

    # -- the composer -----------------------------------------------------------------

    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        text, images = message.text, message.images
        sending = not (
            self.template_questions.asking
            or text.lstrip().startswith(("/", "!"))
            or self.missing_key() is not None
        )
        if sending and self.reviewing:  # back in the composer until the review ends
            self.composer.text = text
            for image in images:
                self.composer.add_attachment(image)
            self.conversation.note("warning", "a review is running; send this when it ends")
            return
        if images and not sending:  # images wait for the next message, not lost
            for image in images:
                self.composer.add_attachment(image)
        if self.template_questions.asking:
            self.template_questions.answer(text)
            return
        if text.lstrip().startswith("/"):
            self.run_slash(text.strip())
            return
        if text.lstrip().startswith("!"):
            self.session.own_command(text.lstrip()[1:].strip())
            return
        if self.missing_key() is not None:  # ask once, instead of a failed turn each time
            self.ask_for_key(then_send=text)
            return
        self.session.send(text, images)

    def run_slash(self, text: str) -> None:
        name, args = parse_slash(text)
        command = find(name)
        if command is not None:
            run_command(SlashContext(self, self.session), command, args)
        elif name in self.templates:
            self.template_questions.run(self.templates[name], args)
        else:
            self.conversation.note("warning", f"unknown command /{name} — /help lists them")

    @work(group="diff", exclusive=True)
    async def show_git_diff(self) -> None:
        """`/diff`: the working tree against HEAD, untracked files included."""
        from codex_tui.tools.git import working_tree_diff
        from codex_tui.tools.registry import ToolArgumentError

        try:
            text = await working_tree_diff(self.cwd)
        except ToolArgumentError as exc:
            self.side_diff().show_message(f"/diff: {exc}")
            self.show_side()
            return
        if text.strip():
            self.side_diff().show_diff_text(text, title="git diff (working tree)")
        else:
            self.side_diff().show_message("No uncommitted changes.")
        self.show_side()

    def action_correct(self) -> None:
        flag = self.conversation.last_flag
        if flag is None or flag.sent:
            self.notify("No checker note to act on.", timeout=2)
            return
        flag.request_correction()

    def on_flag_cell_correct(self, message: FlagCell.Correct) -> None:
        self.session.send(message.correction)

    # -- approvals ----------------------------------------------------------------

    async def ask(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        from codex_tui.agent import events as ev
        from codex_tui.ui.approval import ApprovalScreen

        if isinstance(request, ev.PatchApprovalRequest) and request.patch is not None:
            self._pending_patch = request.call_id
            self.side_diff().show_patch(request.patch, title="Patch waiting for approval")
            self.side_has_content()
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[ev.ApprovalDecision] = loop.create_future()

        def done(decision: ev.ApprovalDecision | None) -> None:
            if not answer.done():
                answer.set_result(decision or ev.ApprovalDecision(decision=ev.ReviewDecision.ABORT))

        screen = ApprovalScreen(request)
        self.push_screen(screen, done)
        self.notify_unfocused("approval needed")
        self.status_bar.set_waiting(True)
        try:
            return await answer
        except asyncio.CancelledError:
            # The turn was interrupted while the dialog was open: close it.
            if screen.is_current:
                screen.dismiss(None)
            raise
        finally:
            self.status_bar.set_waiting(False)

    def notify_unfocused(self, what: str) -> None:
        """Bell and OSC 9 when the terminal is not focused (configurable)."""
        if self.app_focus or not self.config.tui.notifications:
            return
        self.bell()
        driver = self._driver
        if driver is not None:
            driver.write(f"\x1b]9;codex-tui: {what}\x07")

    # -- keys ---------------------------------------------------------------------

    def action_interrupt(self) -> None:
        if self.template_questions.asking:
            self.template_questions.cancel()
            self.conversation.note("info", "Template cancelled.")
            return
        if self.session.interrupt():
            self.conversation.interrupting()
            return
        if self.composer.text.strip() or self.composer.completion_open:
            return
        now = time.monotonic()
        if now - self._esc_at <= QUIT_WINDOW_S:
            self._esc_at = 0.0
            self.session.rewind()
            return
        self._esc_at = now
        self.status_bar.note = "esc again to rewind"
        self.status_bar.refresh_text()
        self.set_timer(QUIT_WINDOW_S, self._clear_quit_note)

    def action_ctrl_c(self) -> None:
        """Copy a selection; else interrupt a turn; else clear the draft; twice quits."""
        selected = self.screen.get_selected_text()
        if selected:
            self.copy_to_clipboard(selected)
            self.screen.clear_selection()
            self.notify("Copied the selection.", timeout=2)
            return
        if self.busy:
            self.action_interrupt()
            return
        now = time.monotonic()
        if now - self._ctrl_c_at <= QUIT_WINDOW_S:
            self.exit(0)
            return
        self._ctrl_c_at = now
        self.composer.clear_draft()
        self.status_bar.note = "ctrl+c again to quit"
        self.status_bar.refresh_text()
        self.set_timer(QUIT_WINDOW_S, self._clear_quit_note)

    def _clear_quit_note(self) -> None:
        self.status_bar.note = ""
        self.status_bar.refresh_text()

    async def on_unmount(self) -> None:
        agent = self.agent
        if agent is not None and agent.session_path is not None:
            self.exit_session = (agent.session_id, agent.session_path)
        await self.session.retire()

    def goodbye(self) -> str | None:
        """The line printed to the normal screen after quitting: how to come back
        to this session (none when nothing was recorded)."""
        if self.exit_session is None or not self.exit_session[1].exists():
            return None
        session_id = self.exit_session[0]
        return f"Session {session_id} is saved; resume it with: codex-tui resume {session_id}"
