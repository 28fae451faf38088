"""The app's side of the agent: start it after the first frame, retire it for a
new or resumed session, send it messages and setting changes.

The app's widgets learn what the agent does only from its events (routed by
`CodexApp.on_agent_event`); this controller is the one place that calls into
the agent, so slash commands and keys act on it through here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.worker import WorkerCancelled

from codex_tui.ui.markdown import warm_up_rendering

if TYPE_CHECKING:
    from textual.worker import Worker

    from codex_tui.agent import events as ev
    from codex_tui.agent.controller import Agent
    from codex_tui.agent.model_client import ModelClient
    from codex_tui.config.schema import ApprovalPolicy, SandboxMode
    from codex_tui.images.store import Attachment
    from codex_tui.sessions import SessionData
    from codex_tui.ui.app import CodexApp
    from codex_tui.undo.history import UndoHistory

# How long after the agent is ready the SDK is prepared (see SessionController._start).
WARM_UP_AFTER_S = 0.5
# A resumed session this small is drawn before the first frame (show_now).
SHOW_NOW_BYTES = 8 << 20
# Whether the first agent's warm-up imported the SDK (the process's first).
_sdk_imported = False


class SessionController:
    """Owns the app's agent (one at a time) and the messages typed before it exists."""

    def __init__(self, app: CodexApp) -> None:
        self.app = app
        self.agent: Agent | None = None
        # Typed before the agent was ready; on screen already, sent once it is.
        self._early: list[tuple[str, tuple[Attachment, ...]]] = []
        self._undo: UndoHistory | None = None

    @property
    def undo_history(self) -> UndoHistory:
        """What /undo, /redo and rewind step through (made on first use: the first
        frame does not import the agent's events)."""
        if self._undo is None:
            from codex_tui.undo.history import UndoHistory

            self._undo = UndoHistory()
        return self._undo

    @property
    def busy(self) -> bool:
        """A turn (or a compaction) is running or about to start."""
        return self.agent is not None and self.agent.busy

    # -- starting and retiring ----------------------------------------------------

    def start(
        self, resume: Path | SessionData | None = None, hook_source: str = "startup"
    ) -> Worker[None]:
        """Build a new agent (retiring the current one) in a worker; `hook_source`
        is what SessionStart hooks are told (startup, or clear for /new)."""
        return self.app.run_worker(self._start(resume, hook_source), group="start")

    async def _start(self, resume: Path | SessionData | None, hook_source: str) -> None:
        from codex_tui.config import ConfigError

        app = self.app
        # The agent's modules take ~0.1 s to import: in a thread, so keys typed
        # meanwhile are handled.
        await asyncio.to_thread(importlib.import_module, "codex_tui.agent.session")
        from codex_tui.agent.instructions import git_branch
        from codex_tui.agent.session import build_agent
        from codex_tui.ui.app import UiApprover

        await self.retire()
        try:
            self.agent = await build_agent(
                app.config,
                app.cwd,
                UiApprover(app),
                app.on_agent_event,
                client=app.launch.client,
                resume=resume,
                record=app.launch.record,
                hook_source=hook_source,
            )
        except ConfigError as exc:
            app.conversation.note("error", str(exc))
            return
        self._catch_up(self.agent)
        # The SDK's import and client (~0.5 s) while the person types, not on the
        # event loop at their first Enter; after the screen has settled.
        client = self.agent.client
        theme = app.conversation.code_theme
        app.set_timer(WARM_UP_AFTER_S, lambda: app.run_worker(warm_up(client, theme), group="warm"))
        from codex_tui.ui.hooks_view import ask_trust_once

        app.run_worker(ask_trust_once(app, self, app.cwd), group="trust")
        app.composer.prefetch_files()
        app.status_bar.branch = await asyncio.to_thread(git_branch, app.cwd)
        app.status_bar.refresh_text()
        if app.launch.prompt or app.launch.images:
            prompt, app.launch.prompt = app.launch.prompt or "", None
            images, app.launch.images = app.launch.images, ()
            self.send(prompt, images)
        early, self._early = self._early, []
        for text, pictures in early:  # already on screen as queued messages
            self.agent.enqueue(text, pictures)

    def _catch_up(self, agent: Agent) -> None:
        """Settings chosen while the agent was being built reach it now."""
        config, built = self.app.config, agent.config
        if built is None:
            return
        model = config.model if config.model != built.model else None
        policy = config.approval_policy if config.approval_policy != built.approval_policy else None
        mode = config.sandbox_mode if config.sandbox_mode != built.sandbox_mode else None
        if model or policy or mode:
            change = self._override(agent, model=model, approval_policy=policy, sandbox_mode=mode)
            self.app.run_worker(change, group="settings")
        working = self.app.status_bar.mode
        if working != "default":  # the mode the person chose holds for the new agent too
            from codex_tui.agent.modes import set_mode

            self.app.run_worker(set_mode(agent, working), group="settings")

    async def retire(self) -> None:
        """Stop the current agent (its turn ends as interrupted) and close its files."""
        old, self.agent = self.agent, None
        if old is not None:
            await old.aclose()

    def new_session(self) -> None:
        self.app.run_worker(self._new_session(), group="agent", exclusive=True)

    async def _new_session(self) -> None:
        app = self.app
        await self.retire()
        self._undo = None
        app.clear_session_view()
        app.conversation.note("info", "New session.")
        await self.start(None, "clear").wait()

    def resume(self, path: Path) -> None:
        """Continue a recorded session: its transcript on screen, its history for
        the model (a Codex CLI session continues as a new codex-tui session)."""
        self.resume_worker(path)

    async def redraw_from(self, path: Path) -> None:
        """Draw the conversation again from its session file (after a rewind cut
        it), keeping the running agent."""
        from codex_tui.sessions import SessionError, read_session
        from codex_tui.ui.transcript import replay, restore_panes
        from codex_tui.undo.history import UndoHistory

        app = self.app
        try:
            data = await asyncio.to_thread(read_session, path)
        except SessionError as exc:
            app.conversation.note("error", str(exc))
            return
        self._undo = UndoHistory.from_events(data.transcript)
        app.clear_session_view()
        replay(app.conversation, data.transcript)
        restore_panes(app, data.transcript)

    def resume_worker(self, path: Path | SessionData) -> Worker[None]:
        return self.app.run_worker(self._resume(path), group="agent", exclusive=True)

    def show_now(self, path: Path) -> SessionData | None:
        """Before the first frame: read a small recorded session and draw it, so
        the first frame already shows it (a resume was usable ~0.1 s later when
        this waited for that frame, a thread and a second frame). None when it
        is large or cannot be read: the worker then reads it and reports."""
        from codex_tui.sessions import SessionError, read_session

        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > SHOW_NOW_BYTES:
                return None  # not a plain file (a FIFO would block this frame), or large
            data = read_session(path)
        except (OSError, SessionError):
            return None
        self._show(data)
        return data

    async def _resume(self, target: Path | SessionData) -> None:
        from codex_tui.sessions import SessionError, read_session

        app = self.app
        if isinstance(target, Path):
            try:
                data = await asyncio.to_thread(read_session, target)
            except SessionError as exc:
                app.conversation.note("error", str(exc))
                return
            await self.retire()
            self._show(data)
        else:
            data = target  # drawn already (show_now), and no agent to retire yet
        for text, images in self._early:  # typed meanwhile: sent once the agent is built
            app.conversation.add_user(text, queued=True, images=images)
        # Quitting while the agent is built cancels that worker: nothing to report.
        with contextlib.suppress(WorkerCancelled):
            await self.start(data).wait()  # read once: the agent takes it as is

    def _show(self, data: SessionData) -> None:
        """A recorded session on screen: transcript, panes, a note; undo's history."""
        from codex_tui.ui.transcript import replay, restore_panes
        from codex_tui.undo.history import UndoHistory

        app = self.app
        self._undo = UndoHistory.from_events(data.transcript)
        app.clear_session_view()
        replay(app.conversation, data.transcript)
        restore_panes(app, data.transcript)
        how = "continues as a new session" if data.meta.read_only else "resumed"
        app.conversation.note("info", f"Session {data.meta.title!r} {how}.")
        app.screen.remove_class("-show-sidebar")
        app.composer.focus_input()

    # -- undo -------------------------------------------------------------------------

    def observe(self, event: ev.Event) -> None:
        """Every agent event, for the undo history (snapshots, turns, undos)."""
        self.undo_history.add(event)

    def undo(self, direction: ev.UndoDirection) -> None:
        from codex_tui.ui.undo_flow import undo_or_redo

        self.app.run_worker(undo_or_redo(self.app, self, direction), group="undo", exclusive=True)

    def own_command(self, command: str) -> None:
        """`!command`: run it (between turns); its output joins the conversation."""
        note = self.app.conversation.note
        if not command:
            note(
                "info",
                "!command runs a command yourself, in the sandbox without asking;"
                " the model sees it and its output with your next message.",
            )
            return
        agent = self.agent
        if agent is None or agent.busy:
            note("warning", "!: wait for the current turn to end")
            return

        async def run() -> None:
            await agent.run_own_command(command)

        self.app.run_worker(run(), group="own-command")

    def rewind(self) -> None:
        from codex_tui.ui.rewind import rewind

        self.app.run_worker(rewind(self.app, self), group="undo", exclusive=True)

    def record(self, event: ev.Event) -> None:
        """An event of the person's doing (an undo): into the session file through
        the agent's recorder when there is an agent, and to the screen either way."""
        if self.agent is not None:
            self.agent.emit(event)
        else:
            self.app.on_agent_event(event)

    # -- talking to the agent ---------------------------------------------------------

    async def list_models(self) -> list[str] | None:
        """What the provider's server offers (None when it cannot say)."""
        agent = self.agent
        return None if agent is None else await agent.client.list_models()

    def send(self, text: str, images: Sequence[Attachment] = ()) -> None:
        """Show a request and send it: now when idle, after the running turn otherwise."""
        app = self.app
        agent = self.agent
        if agent is None:
            self._early.append((text, tuple(images)))
            app.conversation.add_user(text, queued=True, images=images)
            app.first_start.now()  # if it was waiting for the keyboard to go quiet
            return
        app.conversation.add_user(text, queued=agent.busy, images=images)
        app.conversation.jump_to_bottom()
        agent.enqueue(text, images)

    def interrupt(self) -> bool:
        """Stop the running turn; False when there is none."""
        if self.agent is None or not self.agent.busy:
            return False
        self.agent.interrupt()
        return True

    def compact(self) -> None:
        if self.agent is None or not self.agent.compact():
            self.app.conversation.note("warning", "/compact: wait for the current turn to end")

    def override(
        self,
        *,
        model: str | None = None,
        approval_policy: ApprovalPolicy | None = None,
        sandbox_mode: SandboxMode | None = None,
    ) -> None:
        """New settings for this and later sessions: the config the next agent is
        built from, and the running agent from its next request on."""
        config = self.app.config
        if model is not None:
            config.model = model
        if approval_policy is not None:
            config.approval_policy = approval_policy
        if sandbox_mode is not None:
            config.sandbox_mode = sandbox_mode
        agent = self.agent
        if agent is None:
            self.app.status_bar.configure(
                config.model, config.model_provider, config.approval_policy, config.sandbox_mode
            )
            return
        change = self._override(
            agent, model=model, approval_policy=approval_policy, sandbox_mode=sandbox_mode
        )
        self.app.run_worker(change, group="settings")

    async def _override(
        self,
        agent: Agent,
        *,
        model: str | None,
        approval_policy: ApprovalPolicy | None,
        sandbox_mode: SandboxMode | None,
    ) -> None:
        try:
            await agent.override(
                model=model, approval_policy=approval_policy, sandbox_mode=sandbox_mode
            )
        except ValueError as exc:
            self.app.conversation.note("error", str(exc))


async def warm_up(client: ModelClient, code_theme: str) -> None:
    """Build `client`'s SDK client on a worker thread (ModelClient.warm_up), and
    render a markdown sample there (the first answer's imports). The
    process's first also imports the SDK: ~0.5 s of Python on that thread, so keys
    pressed meanwhile get the interpreter's lock back sooner than the default 5 ms
    switch interval allows, and afterwards the SDK's ~150,000 objects are frozen out
    of the collector's way (a full collection in a 500-turn session scanned them:
    0.27 s → 0.08 s). Once only: cyclic garbage frozen with them is never collected."""
    global _sdk_imported
    if _sdk_imported:
        await asyncio.to_thread(client.warm_up)
        return
    _sdk_imported = True
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        await asyncio.to_thread(client.warm_up)
        # Only a head start: should it fail, the first answer renders as ever.
        with contextlib.suppress(Exception):
            await asyncio.to_thread(warm_up_rendering, code_theme)
    finally:
        sys.setswitchinterval(interval)
    gc.freeze()
