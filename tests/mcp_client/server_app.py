"""An MCP server for the tests, built with the `mcp` SDK's own server side.

    python tests/mcp_client/server_app.py stdio
    python tests/mcp_client/server_app.py http PORT      # http://127.0.0.1:PORT/mcp

Tools: `forecast` (read-only, structured content), `picture` (an image),
`explode` (an error), `nap` (sleeps; says on stderr when it is cancelled),
`grow` (adds the `bonus` tool and announces the new list), `erase` (may write:
no read-only annotation).
"""

from __future__ import annotations

import asyncio
import base64
import sys

import anyio
from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

server = MCPServer("codex-tui-tests", version="1.0")


class Forecast(BaseModel):
    city: str
    high_c: float
    sky: str


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def forecast(city: str) -> Forecast:
    """Tomorrow's weather for a city."""
    return Forecast(city=city, high_c=19.5, sky="overcast")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def picture() -> Image:
    """A tiny picture."""
    return Image(data=PNG, format="png")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def explode(why: str = "it went wrong") -> str:
    """Always fails."""
    raise ToolError(why)


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def nap(seconds: float) -> str:
    """Sleeps for a while."""
    try:
        await anyio.sleep(seconds)
    except anyio.get_cancelled_exc_class():
        print("nap cancelled", file=sys.stderr, flush=True)
        raise
    return f"slept {seconds}"


@server.tool()
def erase(path: str) -> str:
    """Pretends to delete a file (no read-only annotation: it may write)."""
    return f"erased {path}"


def bonus(x: int) -> int:
    """Doubles a number (added at run time)."""
    return x * 2


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def grow(ctx: Context) -> str:
    """Adds the `bonus` tool and tells the client the list changed — late, after
    the result, as a notice on another HTTP stream can be."""
    server.add_tool(bonus)

    async def tell_later() -> None:
        await asyncio.sleep(1.0)
        await ctx.session.send_tool_list_changed()

    _later.add(asyncio.create_task(tell_later()))
    return "bonus added"


_later: set[asyncio.Task[None]] = set()


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
