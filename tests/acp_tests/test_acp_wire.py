"""The JSON-RPC edge of `codex-tui acp`, written and read as raw lines: a
malformed message or an unknown method is answered with a JSON-RPC error and
the agent keeps serving; stdout carries nothing but protocol messages."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from codex_tui.scripted import ScriptedModelServer

from .conftest import agent_argv, agent_env


async def exchange(lines: list[str], cwd: Path, home: Path) -> tuple[list[dict[str, Any]], int]:
    """Write `lines` to a fresh `codex-tui acp`, close its stdin, and return every
    line it wrote to stdout (each must be JSON) and its exit code."""
    with ScriptedModelServer() as server:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *agent_argv(server),
            cwd=cwd, env=agent_env(home),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with asyncio.timeout(60):
            out, err = await process.communicate("".join(lines).encode())
    assert not err.strip(), err.decode()
    return [json.loads(line) for line in out.decode().splitlines()], process.returncode or 0


def request(ident: object, method: str, params: object) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": ident, "method": method, "params": params}) + "\n"


async def test_malformed_messages_and_unknown_methods_get_errors(
    tmp_path: Path, isolated_home: Path
) -> None:
    replies, code = await exchange(
        [
            "this is not json\n",
            "[1, 2, 3]\n",
            '"a string"\n',
            '{"jsonrpc": "2.0", "id": [1], "method": "initialize"}\n',
            '{"jsonrpc": "2.0", "id": 5, "method": 42}\n',
            '{"jsonrpc": "2.0"}\n',
            request(1, "no/such_method", {}),
            request(2, "session/prompt", {"sessionId": "nope", "prompt": []}),
            request(3, "session/new", {"cwd": 7}),
            request(4, "initialize", {"protocolVersion": 1}),
        ],
        tmp_path,
        isolated_home,
    )
    assert code == 0
    errors = [(r.get("id"), r["error"]["code"]) for r in replies if "error" in r]
    assert sorted(errors, key=str) == sorted(
        [
            (None, -32700),  # not JSON
            (None, -32600),  # an array
            (None, -32600),  # not an object
            (None, -32600),  # an id that is not a string or number
            (5, -32600),  # a method that is not a string
            (None, -32600),  # neither request nor response
            (1, -32601),  # unknown method
            (2, -32602),  # no such session
            (3, -32602),  # invalid params
        ],
        key=str,
    )
    (init,) = [r for r in replies if r.get("id") == 4]
    assert init["result"]["protocolVersion"] == 1
    assert init["result"]["agentCapabilities"]["loadSession"] is True
    assert all(r["jsonrpc"] == "2.0" for r in replies)


async def test_initialize_says_what_the_agent_takes(tmp_path: Path, isolated_home: Path) -> None:
    replies, _ = await exchange(
        [request(0, "initialize", {"protocolVersion": 9, "clientCapabilities": {}})],
        tmp_path,
        isolated_home,
    )
    (reply,) = replies
    result = reply["result"]
    assert result["protocolVersion"] == 1  # ours, the latest we speak
    caps = result["agentCapabilities"]
    prompts = caps["promptCapabilities"]
    assert prompts["image"] is True and prompts["embeddedContext"] is True
    assert not prompts.get("audio")
    assert caps["mcpCapabilities"]["http"] is True
    assert caps["sessionCapabilities"]["list"] == {}
    assert result["agentInfo"]["name"] == "codex-tui"
    log = (isolated_home / "log" / "acp.log").read_text()
    assert "initialize" in log
