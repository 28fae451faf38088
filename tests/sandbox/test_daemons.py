"""Nothing a sandboxed command starts outlives it: not a double-forked `setsid`
daemon, not when the command times out, not when codex-tui itself is killed.
Exit statuses come through the launcher unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism
from tests.sandbox.conftest import VARIANTS, Dirs, MakeSandbox, gone, processes_with, require


@pytest.fixture
def daemon(dirs: Dirs) -> Iterator[tuple[str, bytes, Path]]:
    """(script, tag, pid file): the script double-forks a `setsid` sleeper, writes its PID
    and returns once the file is there. Leftovers are killed after the test."""
    secs = f"1{uuid.uuid4().int % 10**6:06d}"
    tag = f"sleep\0{secs}\0".encode()
    pidfile = dirs.workspace / "src" / "daemon.pid"
    script = (
        f"setsid sh -c 'sleep {secs} & echo $! > {pidfile}' & "
        f"while [ ! -s {pidfile} ]; do sleep 0.01; done"
    )
    yield script, tag, pidfile
    for pid in processes_with(tag):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_daemon_does_not_outlive_its_command(make_sandbox, daemon, variant) -> None:
    script, tag, pidfile = daemon
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run(["sh", "-c", script])
    assert result.exit_code == 0, result.output
    assert pidfile.read_text().strip().isdigit()  # it did start
    assert await gone(tag), f"still alive: {processes_with(tag)}"


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_daemon_dies_with_a_timed_out_command(make_sandbox, daemon, variant) -> None:
    script, tag, pidfile = daemon
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run(["sh", "-c", f"{script}; sleep 600"], timeout_ms=1500)
    assert result.timed_out and pidfile.exists()
    assert await gone(tag), f"still alive: {processes_with(tag)}"


OWNER = """
import asyncio, json, sys
from pathlib import Path
from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy
args = json.loads(sys.argv[1])
sandbox = Sandbox(SandboxPolicy(), workspace=Path(args["ws"]),
                  mechanism=Mechanism(args["mech"]), namespaces=args["ns"])
asyncio.run(sandbox.run(["sh", "-c", args["script"] + "; sleep 600"], timeout_ms=600_000))
"""


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_daemon_dies_when_codex_tui_is_killed(dirs: Dirs, daemon, variant) -> None:
    script, tag, pidfile = daemon
    mech, namespaces = variant
    require(mech)
    args = {"ws": str(dirs.workspace), "mech": mech.value, "ns": namespaces, "script": script}
    owner = subprocess.Popen([sys.executable, "-c", OWNER, json.dumps(args)])
    try:
        deadline = time.monotonic() + 15
        while not (pidfile.exists() and processes_with(tag)) and time.monotonic() < deadline:
            assert owner.poll() is None, "the owner ended early"
            await asyncio.sleep(0.05)
        assert processes_with(tag), "the daemon never started"
    finally:
        owner.kill()  # SIGKILL: no cleanup of its own runs
        owner.wait()
    assert await gone(tag, within=5), f"still alive: {processes_with(tag)}"


STATUSES = {
    "exit 7": 7,
    "kill -TERM $$": 128 + signal.SIGTERM,
    "kill -KILL $$": 128 + signal.SIGKILL,
    "kill -INT $$": 128 + signal.SIGINT,
}


@pytest.mark.parametrize("variant", VARIANTS)
async def test_exit_statuses_come_through(make_sandbox: MakeSandbox, variant) -> None:
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    for script, expected in STATUSES.items():
        result = await sandbox.run(["sh", "-c", script])
        assert result.exit_code == expected, (script, result.output)
    missing = await sandbox.run(["no-such-program-xyz"])
    assert missing.exit_code == 127


@pytest.mark.parametrize("variant", VARIANTS)
async def test_sigpipe_is_not_ignored(make_sandbox: MakeSandbox, variant) -> None:
    """Python ignores SIGPIPE; a launcher written in Python must not pass that on."""
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run(["sh", "-c", "yes | head -n 1"])
    assert (result.exit_code, result.output) == (0, "y\n")


async def test_landlock_runs_in_a_pid_namespace(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox("workspace-write", Mechanism.LANDLOCK)
    result = await sandbox.run(["sh", "-c", "readlink /proc/self/ns/pid; echo $$"])
    inside_ns, inside_pid = result.output.split()
    assert inside_ns != os.readlink("/proc/self/ns/pid")
    assert int(inside_pid) < 10  # the launcher's init is 1, the command is 2
