"""One ACP session: an agent (built as the app and `exec` build theirs, recorded
like any session), its updates, its approvals, and the prompt/cancel/mode/option
requests that act on it."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from acp import RequestError
from acp.schema import ConfigOptionUpdate, PromptResponse

from codex_tui.acp.approver import AcpApprover
from codex_tui.acp.client_fs import ClientFiles
from codex_tui.acp.client_terminal import ClientTerminals
from codex_tui.acp.content import read_prompt
from codex_tui.acp.outbox import Outbox
from codex_tui.acp.settings import (
    EFFORT,
    MODEL,
    MODES_BY_ID,
    ConfigOption,
    config_options,
    effort_value,
    known_models,
    mode_state,
)
from codex_tui.acp.updates import Translator
from codex_tui.agent import events as ev

if TYPE_CHECKING:
    from acp.interfaces import Client
    from acp.schema import ClientCapabilities, SessionModeState

    from codex_tui.acp.content import Block
    from codex_tui.agent.controller import Agent
    from codex_tui.config import Config
    from codex_tui.policy import Mode
    from codex_tui.sessions import SessionData


class AcpSession:
    """The agent behind one ACP session id."""

    def __init__(self, acp_id: str, client: Client, root: Path, config: Config) -> None:
        self.id = acp_id
        self.client = client
        self.root = root
        # The settings the session started with: the "default" mode goes back to them.
        self.config = config
        self.translator = Translator(root)
        self.outbox = Outbox(client, acp_id)
        self._agent: Agent | None = None
        self.mode = "default"
        self.models = known_models(config.model, None)
        self._cancelled = False
        self._turn_started = False
        self._prompting = False  # a prompt request is being served
        self._listing: asyncio.Task[None] | None = None
        self.terminals: ClientTerminals | None = None  # the editor's, when it offers them

    @classmethod
    async def open(
        cls,
        client: Client,
        config: Config,
        root: Path,
        *,
        acp_id: str | None = None,
        resume: SessionData | None = None,
        warnings: Sequence[str] = (),
        capabilities: ClientCapabilities | None = None,
    ) -> AcpSession:
        """A started session; with `resume`, its transcript is queued as updates
        first (the caller flushes them before it answers `session/load`). The
        tools read and write through the editor's buffers, and run commands in
        its terminals, as far as its `capabilities` offer them."""
        from codex_tui.agent.session import build_agent

        session = cls(acp_id or str(uuid.uuid4()), client, root, config)
        if resume is not None:
            for event in resume.transcript:
                session.outbox.put(session.translator.translate(event, replay=True))
        for warning in warnings:
            session.outbox.put(session.translator.translate(ev.WarningEvent(message=warning)))
        approver = AcpApprover(client, session.id, session.translator, session.outbox.send)
        # Our own session goes on in its file under its id; a new one takes the ACP
        # id; Codex CLI's (read-only) continues as a new session of ours.
        own_id = None if resume is not None else session.id
        fs = capabilities.fs if capabilities is not None else None
        reads, writes = bool(fs and fs.read_text_file), bool(fs and fs.write_text_file)
        files = ClientFiles(client, session.id, reads=reads, writes=writes)
        if capabilities is not None and capabilities.terminal:
            session.terminals = ClientTerminals(client, session.id, session.show_terminal)
        session._agent = await build_agent(
            config,
            root,
            approver,
            session.on_event,
            session_id=own_id,
            resume=resume,
            source="acp",
            editor_files=files if reads or writes else None,
            editor_writes=writes,
            commands=session.terminals,
        )
        session._listing = asyncio.create_task(session._list_models())
        return session

    @property
    def agent(self) -> Agent:
        assert self._agent is not None, "the session is not open"
        return self._agent

    def show_terminal(self, call_id: str, terminal_id: str) -> None:
        self.outbox.put(self.translator.editor_terminal(call_id, terminal_id))

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.TurnStarted):
            self._turn_started = True
        self.outbox.put(self.translator.translate(event))

    # --- requests --------------------------------------------------------------------

    async def prompt(self, blocks: Sequence[Block]) -> PromptResponse:
        agent = self.agent
        # The SDK serves requests concurrently: the check and the claim happen with
        # no await between them, so a second prompt is refused, never queued.
        if agent.busy or self._prompting:
            raise RequestError.invalid_request(
                {"details": "this session is still working on a prompt (cancel it first)"}
            )
        self._prompting = True
        try:
            return await self._prompt(agent, blocks)
        finally:
            self._prompting = False

    async def _prompt(self, agent: Agent, blocks: Sequence[Block]) -> PromptResponse:
        text, images = await read_prompt(blocks, self.root)
        self._cancelled = self._turn_started = False
        outcome = await agent.submit(text, images)
        await self.outbox.flush()
        if outcome is None:  # pragma: no cover - submit only queues while busy
            raise RequestError.invalid_request({"details": "the prompt was queued"})
        if outcome.status == "completed":
            return PromptResponse(stop_reason="end_turn")
        if outcome.status == "aborted":
            # Never started: a hook of the person's refused the prompt.
            started = self._turn_started or self._cancelled
            return PromptResponse(stop_reason="cancelled" if started else "refusal")
        raise RequestError(-32603, outcome.error or "the turn failed")

    def cancel(self) -> None:
        self._cancelled = True
        self.agent.interrupt()

    def modes(self) -> SessionModeState:
        return mode_state(self.mode, self.config.approval_policy, self.config.sandbox_mode)

    async def set_mode(self, mode_id: str) -> None:
        from codex_tui.agent.modes import set_mode

        if mode_id not in MODES_BY_ID:
            raise RequestError.invalid_params({"details": f"no mode {mode_id!r}"})
        try:
            await set_mode(self.agent, cast("Mode", mode_id))
        except ValueError as exc:
            raise RequestError.invalid_params({"details": str(exc)}) from None
        self.mode = mode_id

    def options(self) -> list[ConfigOption]:
        config = self.agent.config or self.config
        return config_options(config.model, self.models, config.model_reasoning_effort)

    async def set_option(self, config_id: str, value: str | bool) -> list[ConfigOption]:
        if not isinstance(value, str) or not value:
            raise RequestError.invalid_params({"details": f"{config_id} takes a name"})
        if config_id == MODEL:
            await self.agent.override(model=value)
            self.models = sorted({value, *self.models})
        elif config_id == EFFORT:
            try:
                effort = effort_value(value)
            except ValueError:
                raise RequestError.invalid_params(
                    {"details": f"no reasoning effort {value!r}"}
                ) from None
            await self.agent.override(reasoning_effort=effort)
        else:
            raise RequestError.invalid_params({"details": f"no config option {config_id!r}"})
        return self.options()

    async def close(self) -> None:
        if self._listing is not None:
            self._listing.cancel()
        if self._agent is not None:
            await self._agent.aclose()
        if self.terminals is not None:
            await self.terminals.stop_all()
        await self.outbox.close()

    async def _list_models(self) -> None:
        """The server's own models for the model option, once it has said (a
        server that cannot say leaves the known ones). The SDK is imported and its
        client built on a worker thread first, not on the loop serving the editor."""
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.agent.client.warm_up)
            listed = await self.agent.client.list_models()
            if listed:
                current = (self.agent.config or self.config).model
                self.models = known_models(current, listed)
                self.outbox.put(
                    [
                        ConfigOptionUpdate(
                            session_update="config_option_update", config_options=self.options()
                        )
                    ]
                )
