"""Hostile tool arguments end to end: `codex-tui exec` against the scripted
server, the model naming FIFOs, link loops, `~nosuchuser`, names too long and
a 200 KB pattern. Every call gets an error the model can act on, the turn
completes, and Ctrl-C ends a git stuck on a FIFO."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from tests.tools.hostile import fifo, link, release_fifo

CALLS = {
    "fifo-read": ("read_file", {"path": "pipe"}, "error: pipe: is a named pipe (FIFO), not a regular file"),
    "fifo-search": ("search_files", {"pattern": "x", "path": "pipe"}, "error: pipe: is a named pipe (FIFO), not a regular file or directory"),
    "fifo-diff": ("git_diff", {"path": "pipe"}, "error: pipe: is a named pipe (FIFO), not a regular file or directory"),
    "nosuchuser": ("read_file", {"path": "~nosuchuser/x"}, "error: ~nosuchuser/x: no such user for `~`"),
    "loop": ("read_file", {"path": "loop"}, "error: loop: symbolic link loop"),
    "long-name": ("search_files", {"pattern": "x", "path": "a" * 300}, f"error: {'a' * 300}: a file name in it is longer than 255 bytes"),
    "huge-pattern": ("search_files", {"pattern": "x" * 200_000}, "error: `pattern` is 200000 characters long; the limit is 4096"),
    "nested-pattern": ("search_files", {"pattern": "(" * 1500 + ")" * 1500}, "error: invalid pattern: "),
}  # fmt: skip


def exec_argv(server: ScriptedModelServer, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
        "-c", "model_providers.scripted.request_max_retries=1",
        "exec", "--json", *args,
    ]  # fmt: skip


def test_hostile_arguments_become_errors_for_the_model(
    workspace: Path, isolated_home: Path
) -> None:
    pipe = fifo(workspace / "pipe")
    link(workspace / "loop", "loop2")
    link(workspace / "loop2", "loop")
    calls = [FunctionCall(name, args, call_id=key) for key, (name, args, _) in CALLS.items()]
    script = [Reply(calls), Reply([Message("handled")])]
    env = {**os.environ, "CODEX_TUI_HOME": str(isolated_home)}
    try:
        with ScriptedModelServer(script) as server:
            result = subprocess.run(
                exec_argv(server, "look around"),
                cwd=workspace, env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            bodies = server.bodies
    except subprocess.TimeoutExpired:
        pytest.fail("exec hung on a hostile tool argument")
    finally:
        release_fifo(pipe)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[-1]["type"] == "turn.completed"
    outputs = {
        item["call_id"]: item["output"]
        for item in bodies[1]["input"]
        if item.get("type") == "function_call_output"
    }
    for key, (_, _, message) in CALLS.items():
        assert outputs[key].startswith(message), (key, outputs[key][:200])
        assert "\n" not in outputs[key]


def test_ctrl_c_ends_exec_while_git_waits_on_a_fifo(workspace: Path, isolated_home: Path) -> None:
    """git blocks opening a FIFO `.gitignore` deep in the tree (too deep to check
    first); Ctrl-C must end the turn, kill git and let exec exit."""
    pipe = fifo(workspace / "src" / "deep" / ".gitignore")
    script = [Reply([FunctionCall("git_status", {}, call_id="s")]), Reply([Message("never")])]
    env = {**os.environ, "CODEX_TUI_HOME": str(isolated_home)}
    try:
        with ScriptedModelServer(script) as server:
            proc = subprocess.Popen(
                exec_argv(server, "status?"), cwd=workspace, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            deadline = time.monotonic() + 30
            while not server.bodies and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.5)  # the call is running: git is blocked on the FIFO
            proc.send_signal(signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                pytest.fail("exec did not end after Ctrl-C")
        # Nobody reads the FIFO any more: git was killed, not left behind.
        with pytest.raises(OSError, match="No such device or address"):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    finally:
        release_fifo(pipe)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    last = json.loads(out.splitlines()[-1])
    assert last == {"type": "turn.failed", "error": {"message": "turn aborted: interrupted"}}
