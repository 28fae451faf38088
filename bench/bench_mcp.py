"""MCP servers: time from start to "all servers ready" for three stdio servers
(mcp-server-time, mcp-server-git and the tests' own SDK-built server, started
together as the agent starts them), and the cost our layer adds to one call
over a direct call through the SDK's ClientSession on the same server.

The import of the SDK (~0.5 s, in a thread, off the app's first frame) is
measured apart: the start-up figure is from an interpreter that has imported it.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codex_tui.config.schema import McpServer
from codex_tui.mcp.manager import McpManager

HERE = Path(__file__).resolve().parent
APP = HERE.parent / "tests" / "mcp_client" / "server_app.py"
CALLS = 200
RUNS = 5


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


def import_time() -> float:
    code = "import time; t = time.perf_counter(); from codex_tui.mcp.connection import import_sdk;"
    code += " import_sdk(); print((time.perf_counter() - t) * 1000)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(runs)


async def startup(repo: Path, log: Path) -> float:
    servers = {
        "time": McpServer(command="mcp-server-time"),
        "git": McpServer(command="mcp-server-git", args=["--repository", str(repo)]),
        "app": McpServer(command=sys.executable, args=[str(APP), "stdio"]),
    }
    manager = McpManager(servers, repo, log)
    started = time.perf_counter()
    warnings = await manager.wait_ready()
    took = (time.perf_counter() - started) * 1000
    await manager.aclose()
    assert not warnings, warnings
    return took


async def per_call(repo: Path, log: Path) -> tuple[float, float]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=[str(APP), "stdio"])
    with open("/dev/null", "w") as err:
        async with (
            stdio_client(params, errlog=err) as streams,
            ClientSession(*streams) as session,
        ):
            await session.initialize()
            started = time.perf_counter()
            for _ in range(CALLS):
                await session.call_tool("forecast", {"city": "Oslo"})
            direct = (time.perf_counter() - started) * 1000 / CALLS
    manager = McpManager(
        {"app": McpServer(command=sys.executable, args=[str(APP), "stdio"])}, repo, log
    )
    await manager.wait_ready()
    tool = manager.tool("mcp__app__forecast")
    assert tool is not None
    started = time.perf_counter()
    for _ in range(CALLS):
        await manager.call(tool, {"city": "Oslo"})
    ours = (time.perf_counter() - started) * 1000 / CALLS
    await manager.aclose()
    return direct, ours


def run() -> list[dict]:
    from codex_tui.mcp.connection import import_sdk

    import_sdk()
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as tmp:
        repo = Path(tmp)
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        log = repo / "log"
        starts = [asyncio.run(startup(repo, log)) for _ in range(RUNS)]
        direct, ours = asyncio.run(per_call(repo, log))
    return [
        fig(
            "3 stdio servers: start to all ready",
            statistics.median(starts),
            "ms",
            "",
            f"median of {RUNS}; mcp-server-time, mcp-server-git and an SDK-built server started"
            " together (each a Python process: most of this is their own start-up)",
        ),
        fig("import of the SDK (in a thread, off the first frame)", import_time(), "ms"),
        fig("one tool call through the SDK directly", direct, "ms", "", f"mean of {CALLS}"),
        fig(
            "one tool call through codex-tui's MCP layer",
            ours,
            "ms",
            "",
            f"mean of {CALLS}; overhead {ours - direct:+.2f} ms over the direct call",
        ),
    ]


if __name__ == "__main__":
    for f in run():
        print(f)
