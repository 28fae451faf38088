"""`codex-tui acp` as a real process, driven by the ACP SDK's client side over
its stdio pipes, against the scripted model server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from acp import RequestError, spawn_agent_process
from acp.core import ClientSideConnection
from acp.schema import (
    AllowedOutcome,
    ClientCapabilities,
    CreateTerminalResponse,
    DeniedOutcome,
    EnvVariable,
    FileSystemCapabilities,
    KillTerminalResponse,
    PermissionOption,
    ReadTextFileResponse,
    ReleaseTerminalResponse,
    RequestPermissionResponse,
    TerminalExitStatus,
    TerminalOutputResponse,
    ToolCallUpdate,
    WaitForTerminalExitResponse,
    WriteTextFileResponse,
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

    def capabilities(self) -> ClientCapabilities | None:
        """What `initialize` advertises (nothing beyond the defaults here)."""
        return None

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


class FakeBufferEditor(FakeEditor):
    """An editor that offers its buffers and terminals (`advertise=False`: it
    serves them but does not say so). Reads answer from `buffers` (else the
    disk); writes are recorded in `written`, not saved, unless `refuse` names
    the path; terminals really run the argv they are given, in a process group
    of their own."""

    def __init__(self, buffers: dict[Path, str] | None = None, *, advertise: bool = True,
                 refuse: set[Path] | None = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.advertise = advertise
        self.buffers = buffers or {}
        self.refuse = refuse or set()
        self.reads: list[str] = []
        self.written: dict[str, str] = {}
        self.created: list[tuple[str, list[str], str | None]] = []
        self.killed: list[str] = []
        self.released: list[str] = []
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.outputs: dict[str, bytearray] = {}
        self._readers: dict[str, asyncio.Task[None]] = {}
        self.started = asyncio.Event()

    def capabilities(self) -> ClientCapabilities | None:
        if not self.advertise:
            return None
        fs = FileSystemCapabilities(read_text_file=True, write_text_file=True)
        return ClientCapabilities(fs=fs, terminal=True)

    async def read_text_file(
        self, session_id: str, path: str, **kwargs: Any
    ) -> ReadTextFileResponse:
        self.reads.append(path)
        text = self.buffers.get(Path(path))
        return ReadTextFileResponse(content=Path(path).read_text() if text is None else text)

    async def write_text_file(
        self, session_id: str, path: str, content: str, **kwargs: Any
    ) -> WriteTextFileResponse:
        if Path(path) in self.refuse:
            raise RequestError.internal_error({"details": "the buffer is read-only"})
        self.written[path] = content
        self.buffers[Path(path)] = content
        return WriteTextFileResponse()

    async def create_terminal(self, session_id: str, command: str, args: list[str] | None = None,
                              env: list[EnvVariable] | None = None, cwd: str | None = None,
                              output_byte_limit: int | None = None, **kwargs: Any) -> CreateTerminalResponse:  # fmt: skip
        terminal = f"term-{len(self.created) + 1}"
        self.created.append((command, list(args or []), cwd))
        extra = {e.name: e.value for e in env or []}
        process = await asyncio.create_subprocess_exec(
            command, *(args or []), cwd=cwd, env={**os.environ, **extra},
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes[terminal] = process
        self.outputs[terminal] = bytearray()
        self._readers[terminal] = asyncio.create_task(self._read(terminal, process))
        self.started.set()
        return CreateTerminalResponse(terminal_id=terminal)

    async def _read(self, terminal: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while chunk := await process.stdout.read(65536):
            self.outputs[terminal] += chunk

    async def wait_for_terminal_exit(
        self, session_id: str, terminal_id: str, **kwargs: Any
    ) -> WaitForTerminalExitResponse:
        code = await self.processes[terminal_id].wait()
        await self._readers[terminal_id]
        if code < 0:
            return WaitForTerminalExitResponse(signal=signal.Signals(-code).name)
        return WaitForTerminalExitResponse(exit_code=code)

    async def terminal_output(
        self, session_id: str, terminal_id: str, **kwargs: Any
    ) -> TerminalOutputResponse:
        process = self.processes[terminal_id]
        status = None
        if process.returncode is not None:
            status = TerminalExitStatus(exit_code=max(process.returncode, 0))
        text = self.outputs[terminal_id].decode("utf-8", "replace")
        return TerminalOutputResponse(output=text, truncated=False, exit_status=status)

    async def kill_terminal(
        self, session_id: str, terminal_id: str, **kwargs: Any
    ) -> KillTerminalResponse:
        self.killed.append(terminal_id)
        process = self.processes[terminal_id]
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        return KillTerminalResponse()

    async def release_terminal(
        self, session_id: str, terminal_id: str, **kwargs: Any
    ) -> ReleaseTerminalResponse:
        self.released.append(terminal_id)
        process = self.processes[terminal_id]
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        return ReleaseTerminalResponse()


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
            await conn.initialize(protocol_version=1, client_capabilities=editor.capabilities())
            yield conn, editor
        assert process.returncode == 0, (home / "acp-stderr.txt").read_text()
