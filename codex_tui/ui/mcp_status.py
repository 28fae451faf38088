"""`/mcp`: the session's MCP servers (starting, ready or failed, and why), their
tools as the model sees them, and each tool's approval mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.mcp.manager import McpManager


def mcp_markdown(manager: McpManager | None, configured: int) -> str:
    if manager is None:
        if configured:
            return "**MCP servers**\n\nNone enabled (`enabled: false` on every one)."
        return (
            "**MCP servers**\n\nNone configured. Add one with `codex-tui mcp add NAME -- COMMAND`"
            " or under `mcp_servers:` in config.yaml."
        )
    lines = ["**MCP servers**", ""]
    for name, connection in manager.connections.items():
        where = connection.config.url or " ".join(
            [connection.config.command or "", *connection.config.args]
        )
        shown: str = connection.state
        if shown == "failed":
            shown = f"failed: {connection.error}"
        lines.append(f"- **{name}** ({connection.transport}, `{where.strip()}`) — {shown}")
        offered = manager.specs_by_server().get(name, [])
        for tool in offered:
            mode = manager.approval_mode(tool)
            hint = "read-only" if tool.tool.read_only else "may write"
            lines.append(f"  - `{tool.spec.name}` — {hint}, approval `{mode}`")
        if connection.state == "ready" and not offered:
            lines.append("  - no tools offered")
    return "\n".join(lines)
