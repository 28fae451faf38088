"""All of a session's MCP servers: started together in the background, waited for
only before the first request to the model, offered as tool specs, stopped
together.

The first frame and the first prompt never wait for a server: `start()` only
creates tasks. `wait_ready()` (called by the agent before a request) waits for
each server up to its own `startup_timeout_sec`, counted from its start, and
returns one warning per server that failed, once.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_tui.mcp.connection import McpCallError, McpConnection, ServerTool
from codex_tui.mcp.naming import MAX_NAME, tool_name
from codex_tui.mcp.schema import adapt_schema
from codex_tui.tools.registry import ToolSpec

if TYPE_CHECKING:
    from codex_tui.config.schema import McpApprovalMode, McpServer

__all__ = ["McpCallError", "McpManager", "McpTool"]


@dataclass(frozen=True, slots=True)
class McpTool:
    """A tool as the model sees it, and where it lives."""

    spec: ToolSpec
    server: str
    tool: ServerTool

    @property
    def name(self) -> str:
        return self.tool.name


class McpManager:
    def __init__(self, servers: Mapping[str, McpServer], cwd: Path, log_dir: Path) -> None:
        self.connections = {
            name: McpConnection(name, config, cwd, log_dir)
            for name, config in servers.items()
            if config.enabled
        }
        self._tools: dict[str, McpTool] = {}
        self._warned: set[str] = set()
        self._started = False

    def start(self) -> None:
        """Start every enabled server (tasks on the running loop; returns at once)."""
        if self._started:
            return
        self._started = True
        for connection in self.connections.values():
            connection.on_tools_changed = self._rebuild
            connection.start()

    async def wait_ready(self) -> list[str]:
        """Wait for the servers still starting; warnings for those that failed."""
        self.start()
        waiting = [c.wait_ready() for c in self.connections.values() if c.state == "starting"]
        waiting += [c.settled() for c in self.connections.values() if c.state == "ready"]
        if waiting:
            await asyncio.gather(*waiting)
        self._rebuild()
        warnings = []
        for name, connection in self.connections.items():
            if connection.state == "failed" and name not in self._warned:
                self._warned.add(name)
                warnings.append(f"MCP server `{name}` is not available: {connection.error}")
        return warnings

    # --- tools -------------------------------------------------------------------

    def _rebuild(self) -> None:
        tools: dict[str, McpTool] = {}
        for server, connection in self.connections.items():
            if connection.state != "ready":
                continue
            for tool in connection.tools:
                if not self._offered(connection.config, tool.name):
                    continue
                name = tool_name(server, tool.name)
                if name in tools:  # two names that read the same once made safe
                    digest = hashlib.sha256(f"{server}\0{tool.name}".encode()).hexdigest()[:8]
                    name = f"{name[: MAX_NAME - 9]}_{digest}"
                description = tool.description or f"Tool {tool.name} of MCP server {server}."
                spec = ToolSpec(name, description, adapt_schema(tool.input_schema), read_only=False)
                tools[name] = McpTool(spec, server, tool)
        self._tools = tools

    @staticmethod
    def _offered(config: McpServer, tool: str) -> bool:
        if config.enabled_tools is not None and tool not in config.enabled_tools:
            return False
        return tool not in config.disabled_tools

    @property
    def specs(self) -> dict[str, ToolSpec]:
        """The tool specs to offer the model now, by function name."""
        return {name: t.spec for name, t in self._tools.items()}

    def specs_by_server(self) -> dict[str, list[McpTool]]:
        grouped: dict[str, list[McpTool]] = {}
        for tool in self._tools.values():
            grouped.setdefault(tool.server, []).append(tool)
        return grouped

    def tool(self, name: str) -> McpTool | None:
        return self._tools.get(name)

    def approval_mode(self, tool: McpTool) -> McpApprovalMode:
        config = self.connections[tool.server].config
        own = config.tools.get(tool.name)
        if own is not None and own.approval_mode is not None:
            return own.approval_mode
        return config.default_tools_approval_mode

    async def call(self, tool: McpTool, arguments: dict[str, Any]) -> Any:
        return await self.connections[tool.server].call(tool.name, arguments)

    async def aclose(self) -> None:
        """Stop every server (stdio process groups terminated, HTTP sessions deleted)."""
        await asyncio.gather(*(c.stop() for c in self.connections.values()), return_exceptions=True)
