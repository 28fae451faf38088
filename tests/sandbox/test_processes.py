"""Running processes: timeouts kill grandchildren, cancelling kills too, output is capped."""

from __future__ import annotations

import asyncio
import shlex
import sys
import time
import uuid

import pytest

from codex_tui.sandbox import Mechanism, OutputLimits
from codex_tui.sandbox.process import TIMEOUT_EXIT_CODE
from tests.sandbox.conftest import MakeSandbox, gone, processes_with

ALL = (None, Mechanism.BWRAP, Mechanism.LANDLOCK)  # None: danger-full-access, a plain process


def mode_for(mech: Mechanism | None) -> str:
    return "danger-full-access" if mech is None else "workspace-write"


def sleeper() -> tuple[str, str]:
    """A unique `sleep` duration to find the process by, and its tag."""
    n = f"1{uuid.uuid4().int % 10**6:06d}"
    return n, f"sleep\0{n}"


@pytest.mark.parametrize("mech", ALL)
async def test_timeout_kills_background_grandchild(make_sandbox: MakeSandbox, mech) -> None:
    secs, tag = sleeper()
    sandbox = make_sandbox(mode_for(mech), mech)
    script = f"sleep {secs} & echo started; wait"
    started = time.monotonic()
    result = await sandbox.run(["sh", "-c", script], timeout_ms=500)
    assert time.monotonic() - started < 3
    assert result.timed_out and result.exit_code == TIMEOUT_EXIT_CODE
    assert "started" in result.output
    assert await gone(tag), f"grandchild still alive: {processes_with(tag)}"


async def test_timeout_kills_a_grandchild_that_left_the_group(make_sandbox) -> None:
    secs, tag = sleeper()
    sandbox = make_sandbox("danger-full-access")
    # The grandchild moves to a process group of its own (staying in the session).
    code = f"import os; os.setpgid(0, 0); os.execvp('sleep', ['sleep', '{secs}'])"
    script = f"{shlex.quote(sys.executable)} -c {shlex.quote(code)} & sleep {secs}"
    result = await sandbox.run(["sh", "-c", script], timeout_ms=400)
    assert result.timed_out
    assert await gone(tag)


async def test_bubblewrap_kills_even_a_new_session(make_sandbox) -> None:
    secs, tag = sleeper()
    sandbox = make_sandbox("workspace-write", Mechanism.BWRAP)
    result = await sandbox.run(["sh", "-c", f"setsid sleep {secs} & sleep {secs}"], timeout_ms=400)
    assert result.timed_out
    assert await gone(tag)  # the PID namespace dies with bwrap


@pytest.mark.parametrize("mech", ALL)
async def test_cancelling_kills_the_tree(make_sandbox: MakeSandbox, mech) -> None:
    secs, tag = sleeper()
    sandbox = make_sandbox(mode_for(mech), mech)
    task = asyncio.create_task(sandbox.run(["sh", "-c", f"sleep {secs} & sleep {secs}"]))
    deadline = time.monotonic() + 5
    while not processes_with(tag) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert processes_with(tag), "the command never started"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await gone(tag)


async def test_background_child_does_not_hold_the_result(make_sandbox) -> None:
    secs, tag = sleeper()
    sandbox = make_sandbox("danger-full-access")
    started = time.monotonic()
    result = await sandbox.run(["sh", "-c", f"sleep {secs} & echo done"], timeout_ms=20_000)
    assert time.monotonic() - started < 3
    assert (result.exit_code, result.output, result.timed_out) == (0, "done\n", False)
    assert await gone(tag)


async def test_output_is_merged_capped_and_counted(make_sandbox) -> None:
    sandbox = make_sandbox(
        "danger-full-access",
        limits=OutputLimits(head_lines=5, tail_lines=5, head_bytes=4000, tail_bytes=4000),
    )
    script = "echo to-stderr >&2; seq 1 10000"
    result = await sandbox.run(["sh", "-c", script])
    lines = result.output.splitlines()
    assert lines[:5] == ["to-stderr", "1", "2", "3", "4"]
    assert lines[-5:] == ["9996", "9997", "9998", "9999", "10000"]
    assert "lines in total" in lines[5] and "10001 lines in total" in lines[5]
    assert result.truncated and result.total_lines == 10001


async def test_huge_output_keeps_memory_bounded(make_sandbox) -> None:
    sandbox = make_sandbox("danger-full-access")
    result = await sandbox.run(["sh", "-c", "head -c 50000000 /dev/zero | tr '\\0' x"])
    assert result.exit_code == 0
    assert len(result.output) < 30_000 and "omitted" in result.output


@pytest.mark.parametrize("mech", ALL)
async def test_exit_codes(make_sandbox: MakeSandbox, mech) -> None:
    sandbox = make_sandbox(mode_for(mech), mech)
    assert (await sandbox.run(["sh", "-c", "exit 7"])).exit_code == 7
    assert (await sandbox.run(["true"])).exit_code == 0
    missing = await sandbox.run(["no-such-program-xyz"])
    assert missing.exit_code == 127 and "command not found" in missing.output


async def test_missing_working_directory(make_sandbox, dirs) -> None:
    result = await make_sandbox("workspace-write", Mechanism.BWRAP).run(
        ["ls"], cwd=dirs.workspace / "nope"
    )
    assert result.exit_code == 1 and "does not exist" in result.output


async def test_killed_by_signal_is_128_plus_n(make_sandbox) -> None:
    result = await make_sandbox("danger-full-access").run(["sh", "-c", "kill -9 $$"])
    assert result.exit_code == 137


async def test_cwd_and_duration(make_sandbox, dirs) -> None:
    sandbox = make_sandbox("workspace-write", Mechanism.BWRAP)
    result = await sandbox.run(["sh", "-c", "sleep 0.2; pwd"], cwd=dirs.workspace / "src")
    assert result.output == f"{dirs.workspace / 'src'}\n"
    assert 150 <= result.duration_ms < 5000


async def test_streaming_callback_sees_every_byte(make_sandbox) -> None:
    chunks: list[bytes] = []
    result = await make_sandbox("danger-full-access").run(
        ["sh", "-c", "echo a; sleep 0.05; echo b"], on_output=chunks.append
    )
    assert b"".join(chunks) == b"a\nb\n" == result.output.encode()
