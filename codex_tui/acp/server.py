"""The ACP agent side: what codex-tui answers to `initialize`, `session/new`,
`session/load`, `session/list`, `session/prompt`, `session/cancel`,
`session/set_mode` and `session/set_config_option`. The SDK routes the JSON-RPC
requests here (validated into its schema models) and turns a RequestError into
a JSON-RPC error; a method we do not implement gets "method not found"."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import PROTOCOL_VERSION, RequestError
from acp.schema import (
    AgentCapabilities,
    Implementation,
    InitializeResponse,
    ListSessionsResponse,
    LoadSessionResponse,
    McpCapabilities,
    NewSessionResponse,
    PromptCapabilities,
    PromptResponse,
    SessionCapabilities,
    SessionInfo,
    SessionListCapabilities,
    SetSessionConfigOptionResponse,
    SetSessionModeResponse,
)

from codex_tui import __version__
from codex_tui.acp.mcp_servers import client_servers
from codex_tui.acp.session import AcpSession

if TYPE_CHECKING:
    from acp.interfaces import Client
    from acp.schema import ClientCapabilities

    from codex_tui.acp.content import Block
    from codex_tui.acp.mcp_servers import ClientServer
    from codex_tui.config import Config
    from codex_tui.sessions import SessionData, SessionIndex, SessionSummary

log = logging.getLogger(__name__)

# session/list answers with at most this many sessions (most recent first).
LIST_LIMIT = 200


class CodexAcpAgent:
    """Sessions by id, each an agent of its own, over one client connection."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.sessions: dict[str, AcpSession] = {}
        self.client_capabilities: ClientCapabilities | None = None
        self._client: Client | None = None
        # Loads one at a time: two of one session would open two agents on one file.
        self._loading = asyncio.Lock()

    def on_connect(self, conn: Client) -> None:
        self._client = conn

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RequestError.internal_error({"details": "no client connection"})
        return self._client

    async def initialize(
        self,
        protocol_version: int,
        client_capabilities: ClientCapabilities | None = None,
        client_info: Implementation | None = None,
        **kwargs: Any,
    ) -> InitializeResponse:
        self.client_capabilities = client_capabilities
        who = f"{client_info.name} {client_info.version}" if client_info else "a client"
        log.info("initialize from %s (protocol %s)", who, protocol_version)
        capabilities = AgentCapabilities(
            load_session=True,
            prompt_capabilities=PromptCapabilities(image=True, embedded_context=True),
            mcp_capabilities=McpCapabilities(http=True),
            session_capabilities=SessionCapabilities(list=SessionListCapabilities()),
        )
        return InitializeResponse(
            protocol_version=min(protocol_version, PROTOCOL_VERSION),
            agent_capabilities=capabilities,
            agent_info=Implementation(name="codex-tui", title="codex-tui", version=__version__),
            auth_methods=[],
        )

    async def new_session(
        self,
        cwd: str,
        mcp_servers: list[ClientServer] | None = None,
        additional_directories: list[str] | None = None,
        **kwargs: Any,
    ) -> NewSessionResponse:
        session = await self._open(cwd, mcp_servers)
        self.sessions[session.id] = session
        # Its updates (warnings, the server's model list) follow this answer.
        session.outbox.start()
        return NewSessionResponse(
            session_id=session.id, modes=session.modes(), config_options=session.options()
        )

    async def load_session(
        self,
        cwd: str,
        session_id: str,
        mcp_servers: list[ClientServer] | None = None,
        additional_directories: list[str] | None = None,
        **kwargs: Any,
    ) -> LoadSessionResponse:
        async with self._loading:
            data = await find_session(session_id)
            old = self.sessions.pop(session_id, None)
            if old is not None:
                await old.close()
            session = await self._open(cwd, mcp_servers, acp_id=session_id, resume=data)
            self.sessions[session_id] = session
        await session.outbox.flush()  # the whole conversation comes before the answer
        return LoadSessionResponse(modes=session.modes(), config_options=session.options())

    async def list_sessions(
        self, cwd: str | None = None, cursor: str | None = None, **kwargs: Any
    ) -> ListSessionsResponse:
        found = await asyncio.to_thread(list_recorded, Path(cwd) if cwd else None)
        infos = [
            SessionInfo(
                session_id=s.id,
                cwd=s.cwd,
                title=s.title,
                updated_at=datetime.fromtimestamp(s.updated_at, UTC).isoformat(),
            )
            for s in found
        ]
        return ListSessionsResponse(sessions=infos)

    async def set_session_mode(
        self, session_id: str, mode_id: str, **kwargs: Any
    ) -> SetSessionModeResponse:
        await self._session(session_id).set_mode(mode_id)
        return SetSessionModeResponse()

    async def set_config_option(
        self, config_id: str, session_id: str, value: str | bool, **kwargs: Any
    ) -> SetSessionConfigOptionResponse:
        options = await self._session(session_id).set_option(config_id, value)
        return SetSessionConfigOptionResponse(config_options=options)

    async def prompt(self, session_id: str, prompt: list[Block], **kwargs: Any) -> PromptResponse:
        return await self._session(session_id).prompt(prompt)

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        session = self.sessions.get(session_id)
        if session is not None:
            session.cancel()

    async def aclose(self) -> None:
        """End every session (each agent stops its work and closes its file)."""
        sessions, self.sessions = list(self.sessions.values()), {}
        for session in sessions:
            try:
                await session.close()
            except Exception:
                log.exception("closing session %s", session.id)

    # --- pieces ----------------------------------------------------------------------

    def _session(self, session_id: str) -> AcpSession:
        session = self.sessions.get(session_id)
        if session is None:
            raise RequestError.invalid_params({"details": f"no session {session_id!r}"})
        return session

    async def _open(
        self,
        cwd: str,
        mcp_servers: list[ClientServer] | None,
        *,
        acp_id: str | None = None,
        resume: SessionData | None = None,
    ) -> AcpSession:
        from codex_tui.config import ConfigError

        root = Path(cwd)
        if not root.is_absolute() or not root.is_dir():
            raise RequestError.invalid_params(
                {"details": f"cwd {cwd!r}: not a directory's absolute path"}
            )
        servers, warnings = client_servers(mcp_servers)
        # The client's servers join the configured ones (its own win a name clash).
        config = dataclasses.replace(
            self.config, mcp_servers={**self.config.mcp_servers, **servers}
        )
        try:
            return await AcpSession.open(
                self.client,
                config,
                root.resolve(),
                acp_id=acp_id,
                resume=resume,
                warnings=warnings,
                capabilities=self.client_capabilities,
            )
        except ConfigError as exc:
            raise RequestError(-32603, f"codex-tui: {exc}") from None


async def find_session(session_id: str) -> SessionData:
    """A recorded session by id (or unique prefix), read; RequestError when none."""
    from codex_tui.sessions import SessionError, read_session

    def find() -> Path:
        index = open_index()
        try:
            return index.find(session_id).path
        finally:
            index.close()

    try:
        path = await asyncio.to_thread(find)
        return await asyncio.to_thread(read_session, path)
    except SessionError as exc:
        raise RequestError.invalid_params({"details": str(exc)}) from None


def list_recorded(cwd: Path | None) -> list[SessionSummary]:
    index = open_index()
    try:
        return index.list(cwd, limit=LIST_LIMIT)
    finally:
        index.close()


def open_index() -> SessionIndex:
    from codex_tui.sessions import SessionIndex

    index = SessionIndex.open()
    index.refresh()
    return index
