"""MCP servers for real: PyPI's mcp-server-time and mcp-server-git over stdio
through `codex-tui exec`, a server built with the SDK over streamable HTTP, and
servers that do not start. No part of the protocol is faked."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.config.schema import McpServer
from codex_tui.mcp.manager import McpCallError, McpManager
from codex_tui.mcp.results import result_text
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from codex_tui.sessions import read_session
from tests.mcp_client.server_app import PNG

APP = Path(__file__).with_name("server_app.py")


def run_exec(server, cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codex_tui", "-c", "model_provider=scripted"]
    argv += ["-c", f"model_providers.scripted.base_url={server.base_url}", "exec", *args]
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=90)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.txt").write_text("a\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first"]
    subprocess.run(commit, cwd=root, check=True)
    (root / "b.txt").write_text("new\n")
    return root


def test_exec_calls_tools_of_real_stdio_servers(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text(
        "mcp_servers:\n"
        "  time: {command: mcp-server-time}\n"
        f"  git: {{command: mcp-server-git, args: [--repository, '{repo}']}}\n"
    )
    calls = [
        FunctionCall("mcp__time__get_current_time", {"timezone": "UTC"}, call_id="t"),
        FunctionCall("mcp__git__git_status", {"repo_path": str(repo)}, call_id="g"),
    ]
    with ScriptedModelServer([Reply(calls), Reply([Message("done")])]) as server:
        result = run_exec(server, repo, home, "--json", "status please")
        offered = {t["name"] for t in server.bodies[0]["tools"]}
        outputs = {
            i["call_id"]: i["output"]
            for i in server.bodies[1]["input"]
            if i.get("type") == "function_call_output"
        }
    assert result.returncode == 0, result.stderr
    assert {"mcp__time__get_current_time", "mcp__git__git_log", "shell"} <= offered
    assert json.loads(outputs["t"])["timezone"] == "UTC"
    assert "b.txt" in outputs["g"] and "On branch main" in outputs["g"]
    items = [json.loads(line).get("item", {}) for line in result.stdout.splitlines()]
    done = [i for i in items if i.get("type") == "mcp_tool_call" and i["status"] == "completed"]
    assert [(i["server"], i["tool"]) for i in done] == [
        ("time", "get_current_time"),
        ("git", "git_status"),
    ]
    assert "b.txt" in done[1]["result"]["content"][0]["text"]
    # Recorded in the session file, and in the audit log like any other tool.
    (session,) = (home / "sessions").rglob("*.jsonl")
    ends = [e for e in read_session(session).transcript if isinstance(e, ev.McpToolCallEnd)]
    assert [e.tool for e in ends] == ["get_current_time", "git_status"]
    audit = (home / "log" / "audit.jsonl").read_text()
    assert "mcp__git__git_status" in audit


def test_servers_that_cannot_start_are_one_warning_each(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    garbage = "while true; do echo not-json; sleep 0.05; done"
    (home / "config.yaml").write_text(
        "mcp_servers:\n"
        "  missing: {command: no-such-mcp-server-here}\n"
        "  quits: {command: bash, args: [-c, 'exit 3']}\n"
        f"  noisy: {{command: bash, args: [-c, '{garbage}'], startup_timeout_sec: 1.5}}\n"
        "  time: {command: mcp-server-time}\n"
    )
    script = [
        Reply([FunctionCall("mcp__time__get_current_time", {"timezone": "UTC"})]),
        Reply([Message("still fine")]),
    ]
    with ScriptedModelServer(script) as server:
        result = run_exec(server, repo, home, "hello")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "still fine\n"
    warnings = [line for line in result.stderr.splitlines() if "MCP server" in line]
    assert len(warnings) == 3, result.stderr
    assert "`missing` is not available: command not found: no-such-mcp-server-here" in warnings[0]
    assert "`quits` is not available" in warnings[1]
    assert "`noisy` is not available: did not start within 1.5 s" in warnings[2]
    assert "Traceback" not in result.stderr


# --- streamable HTTP -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(APP), "http", str(port)], stdout=subprocess.DEVNULL, stderr=err
        )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError(
                    "the test MCP server did not start: " + log.read_text()
                ) from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp", log
    proc.terminate()
    proc.wait(10)


async def http_manager(url: str, tmp_path: Path, **settings) -> McpManager:
    manager = McpManager({"t": McpServer(url=url, **settings)}, tmp_path, tmp_path / "log")
    assert await manager.wait_ready() == []
    return manager


async def test_http_server_results_errors_timeouts_and_a_changing_tool_list(
    http_server, tmp_path: Path
) -> None:
    url, log = http_server
    manager = await http_manager(url, tmp_path, tool_timeout_sec=1.0)
    try:
        assert {"mcp__t__forecast", "mcp__t__picture", "mcp__t__nap"} <= set(manager.specs)
        assert "mcp__t__bonus" not in manager.specs
        forecast = manager.tool("mcp__t__forecast")
        assert forecast is not None and forecast.tool.read_only
        assert manager.tool("mcp__t__erase").tool.read_only is False

        got = await manager.call(forecast, {"city": "Oslo"})
        text = result_text(list(got.content), got.structured_content)
        assert json.loads(text) == {"city": "Oslo", "high_c": 19.5, "sky": "overcast"}

        picture = await manager.call(manager.tool("mcp__t__picture"), {})
        assert result_text(list(picture.content), None) == f"[image image/png, {len(PNG)} bytes]"

        failed = await manager.call(manager.tool("mcp__t__explode"), {"why": "no fuel"})
        assert failed.is_error and "no fuel" in result_text(list(failed.content), None)

        started = time.monotonic()
        with pytest.raises(McpCallError, match=r"timed out after 1 s \(tool_timeout_sec\)"):
            await manager.call(manager.tool("mcp__t__nap"), {"seconds": 30})
        assert time.monotonic() - started < 5
        deadline = time.monotonic() + 5
        while "nap cancelled" not in log.read_text() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "nap cancelled" in log.read_text()  # the server was told

        await manager.call(manager.tool("mcp__t__grow"), {})
        # What the next model request waits for: the new tool is offered at once
        # (the notice may come after the result over HTTP; the list is asked again).
        await manager.wait_ready()
        assert "mcp__t__bonus" in manager.specs
        bonus = manager.tool("mcp__t__bonus")
        assert bonus is not None
        doubled = await manager.call(bonus, {"x": 21})
        assert "42" in result_text(list(doubled.content), doubled.structured_content)
    finally:
        await manager.aclose()


async def test_a_missing_bearer_token_and_a_closed_port_are_one_line_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    servers = {
        "token": McpServer(url="http://127.0.0.1:9/mcp", bearer_token_env_var="NO_SUCH_TOKEN"),
        "closed": McpServer(url=f"http://127.0.0.1:{free_port()}/mcp", startup_timeout_sec=3),
    }
    manager = McpManager(servers, tmp_path, tmp_path / "log")
    try:
        warnings = await manager.wait_ready()
    finally:
        await manager.aclose()
    assert warnings[0] == (
        "MCP server `token` is not available:"
        " environment variable NO_SUCH_TOKEN (bearer_token_env_var) is not set"
    )
    assert warnings[1].startswith("MCP server `closed` is not available: ")
    assert all("\n" not in w for w in warnings)


def test_an_image_from_a_tool_reaches_the_model_as_image_input(
    http_server, repo: Path, tmp_path: Path
) -> None:
    """The HTTP server's `picture` tool returns a PNG: the model gets the text
    description in the call's output and the image itself right after it."""
    import base64

    url, _log = http_server
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text(
        f"mcp_servers:\n  t: {{url: '{url}', default_tools_approval_mode: approve}}\n"
    )
    script = [Reply([FunctionCall("mcp__t__picture", {}, call_id="p")]), Reply([Message("ok")])]
    with ScriptedModelServer(script) as server:
        result = run_exec(server, repo, home, "show me")
        follow = server.bodies[1]["input"]
    assert result.returncode == 0, result.stderr
    (output,) = [i["output"] for i in follow if i.get("type") == "function_call_output"]
    assert "[1 image(s) attached below]" in output
    last = follow[-1]
    assert last["role"] == "user" and "mcp__t__picture (p): picture-1" in last["content"][0]["text"]
    png_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert last["content"][1] == {"type": "input_image", "image_url": png_url}
    (session,) = (home / "sessions").rglob("*.jsonl")
    shown = [e for e in read_session(session).transcript if isinstance(e, ev.ToolImages)]
    assert [(e.tool, len(e.images)) for e in shown] == [("mcp__t__picture", 1)]


def test_a_stdio_server_dies_with_codex_tui_killed_outright(repo: Path, tmp_path: Path) -> None:
    """kill -9 leaves codex-tui no time to stop its servers: the kernel does it
    (a death signal set before the server starts). This server outlives the end
    of its input on purpose: after mcp-server-time ends it becomes a sleep."""
    import signal

    from codex_tui.scripted import Hang

    home = tmp_path / "home"
    home.mkdir()
    marker = f"sleep 6{os.getpid() % 1000:03d}"
    script = f"trap '' HUP TERM; mcp-server-time; exec {marker}"
    (home / "config.yaml").write_text(
        f'mcp_servers:\n  stubborn: {{command: bash, args: [-c, "{script}"]}}\n'
    )
    with ScriptedModelServer([Hang(timeout_s=30)]) as server:
        argv = [sys.executable, "-m", "codex_tui", "-c", "model_provider=scripted"]
        argv += ["-c", f"model_providers.scripted.base_url={server.base_url}", "exec", "hi"]
        env = {**os.environ, "CODEX_TUI_HOME": str(home)}
        proc = subprocess.Popen(
            argv, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while not server.bodies and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.bodies, "the request never came"
        assert "mcp__stubborn__get_current_time" in {t["name"] for t in server.bodies[0]["tools"]}
        proc.send_signal(signal.SIGKILL)
        proc.wait(15)
    deadline = time.monotonic() + 10
    left = "?"
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
        if not left:
            break
        time.sleep(0.1)
    assert left == ""
