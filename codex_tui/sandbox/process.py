"""Run one prepared command: async, in its own process group, with a timeout.

stdout and stderr are read together into a capped capture. When the command
ends, times out or is cancelled, its whole process group (and any process
still in its session) is killed, so background grandchildren do not outlive it.
A leader that cleans up after itself (the Landlock launcher, which kills what
left the session) is sent SIGTERM first and given a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codex_tui.sandbox.output import OutputCapture, OutputLimits

__all__ = ["TIMEOUT_EXIT_CODE", "ProcessResult", "kill_tree", "run_process"]

TIMEOUT_EXIT_CODE = 124  # what `timeout(1)` reports
_DRAIN_AFTER_EXIT_S = 2.0  # reading stops this long after the command ended
_LEADER_GRACE_S = 2.0  # a graceful leader gets this long to clean up before SIGKILL


@dataclass(frozen=True)
class ProcessResult:
    exit_code: int
    output: str
    duration_ms: int
    timed_out: bool
    total_lines: int
    truncated: bool


def exit_status(returncode: int) -> int:
    """Shell convention: a death by signal N is 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def proc_stats() -> Iterator[tuple[int, list[bytes]]]:
    """(pid, the fields of /proc/PID/stat after the command name) of every process."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        yield int(name), stat[stat.rfind(b")") + 2 :].split()


def _session_members(sid: int) -> list[int]:
    """PIDs whose session is `sid` (processes that left the group but not the session)."""
    return [pid for pid, fields in proc_stats() if len(fields) > 3 and int(fields[3]) == sid]


def kill_tree(pid: int) -> None:
    """SIGKILL the process group led by `pid` and anything left in its session."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for member in _session_members(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(member, signal.SIGKILL)


class _Collector(asyncio.SubprocessProtocol):
    """Feeds output to the capture; signals exit and end-of-output separately.

    (asyncio's `Process.wait()` also waits for the pipe to close, which a
    background grandchild can hold open for ever.)
    """

    def __init__(self, capture: OutputCapture, on_output: Callable[[bytes], None] | None) -> None:
        loop = asyncio.get_running_loop()
        self.capture = capture
        self.on_output = on_output
        self.exited: asyncio.Future[None] = loop.create_future()
        self.eof: asyncio.Future[None] = loop.create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.capture.feed(data)
        if self.on_output is not None:
            self.on_output(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if not self.eof.done():
            self.eof.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)


async def _stop(pid: int, collector: _Collector, graceful: bool) -> None:
    """End the command's tree: SIGTERM to a graceful leader first, then SIGKILL to all."""
    if graceful and not collector.exited.done():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(collector.exited), _LEADER_GRACE_S)
    kill_tree(pid)


async def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout_ms: int | None,
    limits: OutputLimits | None = None,
    on_output: Callable[[bytes], None] | None = None,
    graceful_leader: bool = False,
) -> ProcessResult:
    """Run `argv` (already wrapped by a sandbox) and collect its result.

    stdin is /dev/null. Cancelling the awaiting task kills the process tree.
    `graceful_leader`: `argv[0]` cleans up its own tree on SIGTERM (see module doc).
    Raises FileNotFoundError/PermissionError when `argv[0]` cannot be started.
    """
    capture = OutputCapture(limits)
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    transport, collector = await loop.subprocess_exec(
        lambda: _Collector(capture, on_output),
        *argv,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    pid = transport.get_pid()
    timed_out = False
    try:
        timeout = None if timeout_ms is None else timeout_ms / 1000
        try:
            await asyncio.wait_for(asyncio.shield(collector.exited), timeout)
        except TimeoutError:
            timed_out = True
            await _stop(pid, collector, graceful_leader)
            await collector.exited
    except BaseException:
        with contextlib.suppress(BaseException):
            await _stop(pid, collector, graceful_leader)
        kill_tree(pid)
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(asyncio.shield(collector.exited), _DRAIN_AFTER_EXIT_S)
        # Killed mid-fork, the leader may leave a child the first sweep could not
        # see yet (bwrap's, waiting for a go-ahead that never comes): sweep again.
        kill_tree(pid)
        transport.close()
        raise
    duration_ms = int((time.monotonic() - started) * 1000)
    # Background children still holding the pipe would keep it open for ever.
    kill_tree(pid)
    with contextlib.suppress(TimeoutError):  # something that left the session holds the pipe
        await asyncio.wait_for(asyncio.shield(collector.eof), _DRAIN_AFTER_EXIT_S)
    returncode = transport.get_returncode()
    transport.close()
    return ProcessResult(
        exit_code=TIMEOUT_EXIT_CODE if timed_out else exit_status(returncode or 0),
        output=capture.text(),
        duration_ms=duration_ms,
        timed_out=timed_out,
        total_lines=capture.total_lines,
        truncated=capture.truncated,
    )
