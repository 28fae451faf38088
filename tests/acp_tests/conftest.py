"""`codex-tui acp` as a real process, driven by the ACP SDK's client side over
its stdio pipes, against the scripted model server."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from acp import spawn_agent_process
from acp.core import ClientSideConnection
from acp.schema import (
    AllowedOutcome,
    DeniedOutcome,
    PermissionOption,
    RequestPermissionResponse,
    ToolCallUpdate,
)

from codex_tui.scripted import ScriptedModelServer
from tests.agent.conftest import workspace  # noqa: F401 (a git repository with one file)

ROOT = Path(__file__).resolve().parents[2]


class FakeEditor:
    """The client side: records every update and permission request, and answers
    permissions by tool call id (`allow-once` unless told otherwise; `cancel`
    answers "cancelled"; `hold` waits for `release` first, then cancels, as an
    editor does after it sent session/cancel)."""

    def __init__(self, answers: dict[str, str] | None = None) -> None:
        self.answers = answers or {}
        self.updates: list[tuple[str, Any]] = []
        self.permissions: list[tuple[str, ToolCallUpdate, list[PermissionOption]]] = []
        self.asked = asyncio.Event()
        self.release = asyncio.Event()
        self.got_update = asyncio.Event()

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        self.updates.append((session_id, update))
        self.got_update.set()

    async def request_permission(
        self,
        session_id: str,
        tool_call: ToolCallUpdate,
        options: list[PermissionOption],
        **kwargs: Any,
    ) -> RequestPermissionResponse:
        self.permissions.append((session_id, tool_call, options))
        self.asked.set()
        choice = self.answers.get(tool_call.tool_call_id, "allow-once")
        if choice == "hold":
            await self.release.wait()
            choice = "cancel"
        if choice == "cancel":
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=choice)
        )

    def of_kind(self, kind: str) -> list[Any]:
        return [u for _, u in self.updates if u.session_update == kind]

    def text(self, kind: str) -> str:
        return "".join(u.content.text for u in self.of_kind(kind))

    async def wait_for(self, kind: str, timeout: float = 20) -> Any:
        async with asyncio.timeout(timeout):
            while not self.of_kind(kind):
                self.got_update.clear()
                await self.got_update.wait()
        return self.of_kind(kind)[0]


def agent_env(home: Path) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "CODEX_TUI_HOME": str(home), "PYTHONPATH": path}


def agent_argv(server: ScriptedModelServer, *flags: str) -> list[str]:
    return [
        "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
        "-c", "model_providers.scripted.request_max_retries=1",
        *flags, "acp",
    ]  # fmt: skip


@asynccontextmanager
async def acp_agent(
    server: ScriptedModelServer,
    cwd: Path,
    home: Path,
    *flags: str,
    editor: FakeEditor | None = None,
) -> AsyncIterator[tuple[ClientSideConnection, FakeEditor]]:
    """`codex-tui [flags] acp` started for `editor`, initialized; its stderr
    goes to `home/acp-stderr.txt`."""
    editor = editor or FakeEditor()
    with (home / "acp-stderr.txt").open("ab") as err:
        async with spawn_agent_process(
            editor,
            sys.executable,
            *agent_argv(server, *flags),
            env=agent_env(home),
            cwd=cwd,
            transport_kwargs={"stderr": err.fileno(), "shutdown_timeout": 10},
        ) as (conn, process):
            await conn.initialize(protocol_version=1)
            yield conn, editor
        assert process.returncode == 0, (home / "acp-stderr.txt").read_text()
