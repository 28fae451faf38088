"""One MCP server: started, listed, called and stopped through the `mcp` SDK.

The SDK's transports and session are async context managers that must be
entered and left by one task, so each server gets a task of its own that opens
them, lists the tools, says it is ready, and waits to be stopped; calls are
made on its session from the agent's task. The legacy handshake
(`initialize`) is used: every server speaks it, and `tools/list_changed`
arrives through the session's message handler there.

A stdio server runs in its own process group with a minimal environment (the
SDK passes PATH, HOME, USER, SHELL, TERM, LOGNAME; the configured `env` and
LANG are added) and its stderr goes to `$CODEX_TUI_HOME/log/mcp-<name>.log`.
Leaving the transport closes its stdin, then terminates and kills its group.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codex_tui.mcp.naming import safe

if TYPE_CHECKING:
    from codex_tui.config.schema import McpServer

__all__ = ["McpConnection", "ServerTool", "State", "reason"]

State = Literal["starting", "ready", "failed", "stopped"]


@dataclass(frozen=True, slots=True)
class ServerTool:
    """A tool as the server described it (what the registry needs of it)."""

    name: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool


def import_sdk() -> None:
    """Import what a connection uses, and send the SDK's log lines to our log
    file (unconfigured, Python's last-resort handler would print them over the
    screen: a server printing garbage logs a traceback per line)."""
    import logging

    import httpx2  # noqa: F401
    import mcp
    import mcp.client.streamable_http
    import mcp.types  # noqa: F401

    from codex_tui.config import paths

    for name in ("mcp", "httpx2", "httpcore"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            try:
                paths.log_dir().mkdir(parents=True, exist_ok=True)
                handler: logging.Handler = logging.FileHandler(
                    paths.log_dir() / "mcp-sdk.log", delay=True, encoding="utf-8"
                )
            except OSError:
                handler = logging.NullHandler()
            handler.setLevel(logging.WARNING)
            logger.addHandler(handler)
            logger.propagate = False


@functools.cache
def _setpriv() -> str | None:
    """setpriv when it takes --pdeathsig (util-linux 2.33+; busybox's does not)."""
    found = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if found is None:
        return None
    try:
        probe = subprocess.run(
            [found, "--pdeathsig", "KILL", "--", "true"], capture_output=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found if probe.returncode == 0 else None


def dies_with_us(
    command: str, args: list[str], cwd: Path, path: str | None = None
) -> tuple[str, list[str]]:
    """The server's command line, wrapped so the kernel kills it when codex-tui
    dies, even by SIGKILL (`setpriv --pdeathsig`, util-linux): a server that
    ignores the end of its stdin would otherwise outlive us. Its own children
    still see that end of input. Where there is no setpriv, as it is.

    The server is started from the event loop's thread, which lives as long as
    codex-tui (the death signal follows the thread that forked, not the process).
    """
    setpriv = _setpriv()
    if setpriv is None or not command:
        return command, args
    # Found first (on the server's own PATH when its env sets one), so a missing
    # command still reads "command not found: NAME".
    search = path or os.environ.get("PATH")
    found = shutil.which(command, path=search) if "/" not in command else None
    if "/" in command:
        found = str(cwd / command) if not os.path.isabs(command) else command
        if not os.path.exists(found):
            raise FileNotFoundError(2, "No such file", command)
    if found is None:
        raise FileNotFoundError(2, "No such file", command)
    return setpriv, ["--pdeathsig", "KILL", "--", found, *args]


def reason(exc: BaseException) -> str:
    """One line for why a server failed, from the SDK's nested exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, FileNotFoundError):
        return f"command not found: {exc.filename or exc}"
    if isinstance(exc, PermissionError):
        return f"cannot run: {exc.filename or exc}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message and message != text:
        text = message
    return text[:300]


@dataclass(eq=False)
class McpConnection:
    name: str
    config: McpServer
    cwd: Path
    log_dir: Path
    state: State = "starting"
    error: str = ""
    tools: list[ServerTool] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)
    ready_at: float | None = None
    # Told when the server's tool list changed (the manager rebuilds its specs).
    on_tools_changed: Any = None
    _session: Any = None
    _task: asyncio.Task[None] | None = None
    _relist: asyncio.Task[None] | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def transport(self) -> str:
        return "http" if self.config.url else "stdio"

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"mcp-{self.name}")

    async def wait_ready(self) -> None:
        """Until the server is ready or failed; a start slower than its
        `startup_timeout_sec` (from when it was started) fails it."""
        left = self.config.startup_timeout_sec - (time.monotonic() - self.started_at)
        try:
            await asyncio.wait_for(self._ready.wait(), max(left, 0.0))
        except TimeoutError:
            if self.state == "starting":
                self._fail(f"did not start within {self.config.startup_timeout_sec:g} s")
                if self._task is not None:
                    self._task.cancel()

    def _fail(self, why: str) -> None:
        self.state, self.error = "failed", why
        self._ready.set()

    async def _run(self) -> None:
        try:
            # The SDK takes ~0.5 s to import: in a thread, so the app stays live.
            await asyncio.to_thread(import_sdk)
            async with contextlib.AsyncExitStack() as stack:
                read, write = await self._open(stack)
                session = await stack.enter_async_context(self._client_session(read, write))
                await session.initialize()
                self.tools = await self._list(session)
                self._session = session
                self.state, self.ready_at = "ready", time.monotonic()
                self._ready.set()
                await self._stop.wait()
        except asyncio.CancelledError:
            if self.state == "starting":
                self._fail("stopped before it was ready")
        except BaseException as exc:  # the SDK wraps everything in exception groups
            if self.state in ("starting", "ready"):
                self._fail(reason(exc))
        finally:
            self._session = None
            if self.state == "ready":
                self.state = "stopped"
            self._ready.set()

    async def _open(self, stack: contextlib.AsyncExitStack) -> tuple[Any, Any]:
        if self.config.url:
            return await self._open_http(stack)
        from mcp import StdioServerParameters, stdio_client

        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_file = self.log_dir / f"mcp-{safe(self.name)}.log"
        log = stack.enter_context(log_file.open("a", encoding="utf-8", errors="replace"))
        env = dict(self.config.env)
        for key in ("LANG", "LC_ALL", "LC_CTYPE"):
            if key in os.environ and key not in env:
                env[key] = os.environ[key]
        cwd = self.cwd / self.config.cwd if self.config.cwd else self.cwd
        command, args = await asyncio.to_thread(
            dies_with_us, self.config.command or "", list(self.config.args), cwd, env.get("PATH")
        )
        params = StdioServerParameters(
            command=command,
            args=args,
            env=env,
            cwd=cwd,
            encoding_error_handler="replace",
        )
        streams: tuple[Any, Any] = await stack.enter_async_context(stdio_client(params, errlog=log))
        return streams

    async def _open_http(self, stack: contextlib.AsyncExitStack) -> tuple[Any, Any]:
        import httpx2
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        headers = dict(self.config.http_headers)
        variable = self.config.bearer_token_env_var
        if variable:
            token = os.environ.get(variable)
            if not token:
                raise RuntimeError(
                    f"environment variable {variable} (bearer_token_env_var) is not set"
                )
            headers["Authorization"] = f"Bearer {token}"
        timeout = httpx2.Timeout(
            self.config.startup_timeout_sec, read=self.config.tool_timeout_sec + 5
        )
        client = await stack.enter_async_context(
            create_mcp_http_client(headers=headers, timeout=timeout)
        )
        streams = await stack.enter_async_context(
            streamable_http_client(self.config.url or "", http_client=client)
        )
        return streams[0], streams[1]

    def _client_session(self, read: Any, write: Any) -> Any:
        from mcp import ClientSession
        from mcp.types import Implementation

        from codex_tui import __version__

        return ClientSession(
            read,
            write,
            message_handler=self._on_message,
            client_info=Implementation(name="codex-tui", version=__version__),
        )

    async def _on_message(self, message: Any) -> None:
        """Runs on the session's receive loop: a request made here would wait for
        its own answer, so the new list is fetched by a task of its own."""
        from mcp.types import ToolListChangedNotification

        if isinstance(message, ToolListChangedNotification) and self._session is not None:
            self._relist = asyncio.create_task(self._relisted(self._session))

    async def _relisted(self, session: Any) -> None:
        with contextlib.suppress(Exception):
            self.tools = await self._list(session)
            if self.on_tools_changed is not None:
                self.on_tools_changed()

    async def settled(self) -> None:
        """Until a tool list asked for after `tools/list_changed` has arrived (up
        to the startup timeout), so the next request offers the new tools."""
        relist = self._relist
        if relist is not None and not relist.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(relist), self.config.startup_timeout_sec)

    async def _list(self, session: Any) -> list[ServerTool]:
        tools: list[ServerTool] = []
        cursor = None
        for _page in range(100):  # a server that pages forever is cut off
            from mcp.types import PaginatedRequestParams

            params = PaginatedRequestParams(cursor=cursor) if cursor else None
            listed = await session.list_tools(params=params)
            for tool in listed.tools:
                notes = tool.annotations
                read_only = bool(notes and notes.read_only_hint and not notes.destructive_hint)
                description = tool.description or tool.title or ""
                schema = tool.input_schema if isinstance(tool.input_schema, dict) else {}
                tools.append(ServerTool(tool.name, description, schema, read_only))
            cursor = listed.next_cursor
            if not cursor:
                break
        return tools

    async def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        """The server's CallToolResult; raises McpCallError (one line) when the
        call could not be made or timed out. Cancelling the awaiting task cancels
        the call on the server too (the SDK sends notifications/cancelled)."""
        session = self._session
        if session is None or self.state != "ready":
            raise McpCallError(
                f"MCP server `{self.name}` is {self.state}: {self.error or 'not ready'}"
            )
        from mcp import MCPError

        try:
            result = await session.call_tool(
                tool, arguments, read_timeout_seconds=self.config.tool_timeout_sec
            )
            if self.config.url and (self._relist is None or self._relist.done()):
                # Over HTTP a list_changed notice travels on another stream and may
                # come after this result (over stdio it comes first, on the one
                # pipe). Servers do not reliably advertise that their list changes
                # (the SDK's own high-level server says it never does, then sends
                # the notice), so the list is asked for again after every call; the
                # next model request waits for it (`settled`): one round trip.
                self._relist = asyncio.create_task(self._relisted(session))
            return result
        except MCPError as exc:
            if exc.code == -32001:
                raise McpCallError(
                    f"timed out after {self.config.tool_timeout_sec:g} s (tool_timeout_sec)"
                ) from None
            raise McpCallError(reason(exc)) from None
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # the connection broke mid-call, or a schema mismatch
            raise McpCallError(reason(exc)) from None

    async def stop(self) -> None:
        """Stop the server (its process group, or its HTTP session)."""
        self._stop.set()
        task = self._task
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), 6.0)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except BaseException:
            pass
        if self.state in ("starting", "ready"):
            self.state = "stopped"


class McpCallError(Exception):
    """A call that could not be made; the message is one line for the model."""
