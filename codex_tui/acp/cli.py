"""`codex-tui acp`: serve the Agent Client Protocol on stdin/stdout, for an
editor or a terminal client that starts codex-tui as its agent.

stdout carries the protocol and nothing else: the log goes to
`$CODEX_TUI_HOME/log/acp.log`, and the process's own fd 1 is pointed at stderr
(fd 0 at /dev/null) once the protocol has its copies, so a stray print or a
child process cannot corrupt the stream or steal a message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from codex_tui.cli_context import CliError, Context

if TYPE_CHECKING:
    from codex_tui.config import Config

# The longest message accepted (a prompt with images is a few MB of base64).
MESSAGE_LIMIT = 50 * 1024 * 1024
# After the end of input, how long requests already read may take to be answered.
SETTLE_S = 5.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Editors start it as an agent server, e.g. Zed's settings.json: "
        '"agent_servers": {"codex-tui": {"command": "codex-tui", "args": ["acp"]}}. '
        "The log is $CODEX_TUI_HOME/log/acp.log."
    )


def run(ctx: Context) -> int:
    config = ctx.config  # a bad config is one line on stderr, before any client talks
    if ctx.args.image or ctx.args.prompt:
        raise CliError("acp: prompts and images come from the client, not the command line", 2)
    log_path = start_log()
    logging.getLogger(__name__).info("codex-tui acp starting in %s", ctx.cwd)
    try:
        return asyncio.run(serve(config))
    except CliError:
        raise
    except Exception:
        logging.getLogger(__name__).exception("codex-tui acp failed")
        raise CliError(f"acp: stopped on an internal error (details in {log_path})") from None


def start_log() -> Path:
    """Every log record (ours and the SDK's) into acp.log, none to a terminal."""
    from codex_tui.config import paths

    path = paths.log_dir() / "acp.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"acp: cannot write the log {path}: {exc.strerror or exc}") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # One line per model request is noise in a log read for failures.
    for chatty in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return path


async def serve(config: Config) -> int:
    """Answer the client until it closes stdin; then end every session."""
    from acp.agent.connection import AgentSideConnection
    from acp.interfaces import Agent

    from codex_tui.acp.framing import InFlight, guard
    from codex_tui.acp.server import CodexAcpAgent

    reader, writer = await protocol_streams()
    agent = CodexAcpAgent(config)
    checked = asyncio.StreamReader(limit=MESSAGE_LIMIT)
    # The SDK calls the methods an object has (a missing one is "method not found"),
    # so ours need not spell out the whole Agent protocol.
    inflight = InFlight()
    conn = AgentSideConnection(
        cast(Agent, agent), writer, checked, listening=False, observers=[inflight.observe]
    )
    guarding = asyncio.create_task(guard(reader, checked, writer))
    try:
        await conn.listen()
        # The client closed stdin: what it asked before still gets its answer.
        await inflight.settle(timeout=SETTLE_S)
    finally:
        guarding.cancel()
        await agent.aclose()
        await conn.close()
    return 0


async def protocol_streams() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Streams on copies of fds 0 and 1; fd 0 becomes /dev/null, fd 1 stderr."""
    from acp import stdio_streams

    protocol_in = os.fdopen(os.dup(0), "r")
    protocol_out = os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    # The SDK opens its streams on sys.stdin / sys.stdout: hand it the copies.
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = protocol_in, protocol_out
    try:
        return await stdio_streams(limit=MESSAGE_LIMIT)
    except ValueError as exc:  # a regular file, not a pipe, socket or terminal
        raise CliError(f"acp: stdin and stdout must be pipes ({exc})", 2) from None
    finally:
        sys.stdin, sys.stdout = saved
