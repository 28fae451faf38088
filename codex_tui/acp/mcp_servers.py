"""The MCP servers a client passes with `session/new` / `session/load`, as our
own `mcp_servers` config entries: stdio programs and streamable HTTP endpoints
(what our MCP client speaks); SSE and ACP-transport servers are skipped with a
warning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codex_tui.config.schema import McpServer

if TYPE_CHECKING:
    from acp.schema import AcpMcpServer, HttpMcpServer, McpServerStdio, SseMcpServer

    ClientServer = HttpMcpServer | SseMcpServer | AcpMcpServer | McpServerStdio


def client_servers(
    servers: Sequence[ClientServer] | None,
) -> tuple[dict[str, McpServer], list[str]]:
    """The servers by name (a later one of the same name wins), and one warning
    per server that cannot be used."""
    from acp.schema import McpServerHttp, McpServerStdio

    found: dict[str, McpServer] = {}
    warnings: list[str] = []
    for server in servers or ():
        name = server.name.strip() or "client"
        if isinstance(server, McpServerStdio):
            found[name] = McpServer(
                command=server.command,
                args=list(server.args),
                env={v.name: v.value for v in server.env},
            )
        elif isinstance(server, McpServerHttp):
            found[name] = McpServer(
                url=server.url, http_headers={h.name: h.value for h in server.headers}
            )
        else:
            warnings.append(
                f"MCP server {name!r} from the client is not used: codex-tui speaks MCP over"
                " stdio and streamable HTTP only"
            )
    return found, warnings
