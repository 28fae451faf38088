"""Background terminals for real: commands started in the sandbox by exec_command,
read and typed into with write_stdin, and nothing left running afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codex_tui.sandbox.output import OutputLimits
from codex_tui.scripted import FunctionCall, Hang, Message, Reply, ScriptedModelServer
from codex_tui.terminals.terminal import Terminal
from tests.agent.conftest import workspace  # noqa: F401
from tests.agent.fakes import EventLog
from tests.agent.test_turn_control import make_agent, wait_for


def run_exec(server, cwd: Path, home: Path, *args: str, **popen):
    argv = [sys.executable, "-m", "codex_tui", "-c", "model_provider=scripted"]
    argv += ["-c", f"model_providers.scripted.base_url={server.base_url}"]
    argv += ["exec", *args]  # the network stays off (the default)
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    if popen:
        return subprocess.Popen(argv, cwd=cwd, env=env, **popen)
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=90)


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text()


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    root, home = tmp_path / "w", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    (root / "index.html").write_text("hello from the dev server\n")
    return root, home


def test_a_dev_server_in_the_background_is_reached_then_stopped(dirs) -> None:
    """With the network off: the two commands share the session's loopback."""
    root, home = dirs
    port = free_port()
    # The interpreter itself, not a pyenv shim (a shim may cd to a folder the
    # sandbox's private /tmp hides).
    serve = f"{sys.executable} -m http.server {port} --bind 127.0.0.1"
    fetch = (
        "import os, urllib.request;"
        "print('network disabled:', os.environ.get('CODEX_TUI_SANDBOX_NETWORK_DISABLED'));"
        f"print(urllib.request.urlopen('http://127.0.0.1:{port}/index.html').read().decode())"
    )
    script = [
        Reply([FunctionCall("exec_command", {"cmd": serve, "yield_time_ms": 1500, "tty": True})]),
        Reply([FunctionCall("shell", {"command": [sys.executable, "-c", fetch]}, call_id="get")]),
        Reply([FunctionCall("write_stdin", {"session_id": 1, "chars": "\u0003"}, call_id="stop")]),
        Reply([Message("served and stopped")]),
    ]
    with ScriptedModelServer(script) as server:
        result = run_exec(server, root, home, "--json", "serve the site")
        started = next(iter(outputs(server.bodies[1]).values()))
        fetched = outputs(server.bodies[2])["get"]
        stopped = outputs(server.bodies[3])["stop"]
    assert result.returncode == 0, result.stderr
    assert "Session 1 is still running" in started and f"port {port}" in started
    assert "network disabled: 1" in fetched
    assert "hello from the dev server" in fetched
    assert "Session 1 exited" in stopped
    pid = int(started.split("(pid ")[1].split(")")[0])
    assert not alive(pid)
    items = [json.loads(line).get("item", {}) for line in result.stdout.splitlines()]
    background = [i for i in items if i.get("session_id") == 1]
    assert background[0]["status"] == "in_progress"
    assert background[1]["status"] in ("completed", "failed")  # ctrl-c: http.server exits 0


def test_an_interactive_python_driven_through_its_terminal(dirs) -> None:
    root, home = dirs
    repl = {"cmd": [sys.executable, "-i", "-q"], "tty": True, "yield_time_ms": 1500}
    script = [
        Reply([FunctionCall("exec_command", repl, call_id="py")]),
        Reply([FunctionCall("write_stdin", {"session_id": 1, "chars": "6*7\n"}, call_id="calc")]),
        Reply([Message("42")]),
    ]
    with ScriptedModelServer(script) as server:
        result = run_exec(server, root, home, "compute")
        answer = outputs(server.bodies[2])["calc"]
    assert result.returncode == 0, result.stderr
    assert "42" in answer.split("6*7", 1)[1]


async def test_fifty_megabytes_of_output_stay_bounded(tmp_path: Path) -> None:
    limits = OutputLimits(head_lines=50, tail_lines=50, head_bytes=8_000, tail_bytes=8_000)
    terminal = Terminal(1, ("spew",), tmp_path, False, limits)
    code = "import sys; sys.stdout.write('x' * 50_000_000 + '\\nEND\\n')"
    await terminal.start([sys.executable, "-c", code], dict(os.environ))
    await terminal.wait(60)
    assert not terminal.running and terminal.exit_code == 0
    text, truncated = terminal.take_output()
    assert truncated and len(text) < 40_000 and text.rstrip().endswith("END")
    assert len(terminal.recent) <= 64 * 1024
    await terminal.stop()


async def test_running_terminals_are_named_at_the_next_turn_and_stop_with_the_agent(
    workspace: Path,  # noqa: F811 (the fixture)
) -> None:
    sleeper = {"cmd": "sleep 120", "yield_time_ms": 200}
    script = [
        Reply([FunctionCall("exec_command", sleeper, call_id="s")]),
        Reply([Message("started")]),
        Reply([Message("noted")]),
    ]
    with ScriptedModelServer(script) as server:
        log = EventLog()
        agent = await make_agent(server, workspace, log, approval_policy="never")
        agent.enqueue("start it")
        await wait_for(lambda: not agent.busy)
        agent.enqueue("anything running?")
        await wait_for(lambda: not agent.busy)
        told = json.dumps(server.bodies[2]["input"])
        terminals = agent.tools.env.terminals
        assert terminals is not None
        (terminal,) = terminals.running
        await agent.aclose()
    assert "Background terminals still running: session 1: bash -lc sleep 120" in told
    assert not terminal.running and not alive(terminal.pid)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM])
def test_nothing_outlives_codex_tui_killed_by_a_signal(dirs, sig) -> None:
    root, home = dirs
    marker = f"sleep 7{os.getpid() % 1000:03d}.{int(sig)}"
    cmd = f"setsid {marker} & {marker} & wait"
    script = [
        Reply([FunctionCall("exec_command", {"cmd": cmd, "yield_time_ms": 500})]),
        Hang(timeout_s=30),
    ]
    with ScriptedModelServer(script) as server:
        proc = run_exec(
            server, root, home, "go", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while len(server.bodies) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        running = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
        assert len(running.stdout.split()) >= 2, "the background commands never started"
        proc.send_signal(sig)
        proc.wait(15)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
        if not left:
            break
        time.sleep(0.1)
    assert left == ""
