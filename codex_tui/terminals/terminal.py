"""One background terminal: a command started in the sandbox that outlives the
tool call that started it, with its stdin (a pipe, or a pseudo-terminal when
`tty`) open for later writes and its output kept for later reads.

Output is held twice, both bounded whatever the command prints: what the model
has not read yet (head and tail, the middle marked as dropped, like a command's
output) and the last 64 KB for the person's live view in `/ps`.

The process runs in a session and process group of its own (the sandbox's
launcher, or the command itself outside it). `stop()` sends SIGTERM to the
group, then SIGKILL to the group and anything left in its session.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codex_tui.sandbox.output import OutputCapture, OutputLimits
from codex_tui.sandbox.process import exit_status, kill_tree, proc_stats

__all__ = ["Terminal", "TerminalState", "descendants"]

TerminalState = Literal["running", "exited", "killed"]
RECENT_BYTES = 64 * 1024
GRACE_S = 1.0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (by parent links in /proc), nearest first."""
    children: dict[int, list[int]] = {}
    for child, fields in proc_stats():
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(child)
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(0), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass(eq=False)
class Terminal:
    session_id: int
    command: tuple[str, ...]
    cwd: Path
    tty: bool
    limits: OutputLimits
    on_change: Callable[[Terminal], None] | None = None
    pid: int = 0
    state: TerminalState = "running"
    exit_code: int | None = None
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    recent: bytearray = field(default_factory=bytearray)
    last_line: str = ""
    _unread: OutputCapture | None = None
    _new_output: asyncio.Event = field(default_factory=asyncio.Event)
    _exited: asyncio.Event = field(default_factory=asyncio.Event)
    _transport: Any = None
    _master: int | None = None
    _context: contextvars.Context | None = None

    async def start(self, argv: Sequence[str], env: dict[str, str]) -> None:
        """Start `argv` (already wrapped by the sandbox); OSError when it cannot be."""
        self._unread = OutputCapture(self.limits)
        self._context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        slave = None
        if self.tty:
            self._master, slave = os.openpty()
            stdin: Any = slave
            stdout: Any = slave
        else:
            stdin, stdout = subprocess.PIPE, subprocess.PIPE
        try:
            transport, _ = await loop.subprocess_exec(
                lambda: _Protocol(self),
                *argv,
                cwd=self.cwd,
                env=env,
                stdin=stdin,
                stdout=stdout,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError:
            if self._master is not None:
                os.close(self._master)
                self._master = None
            raise
        finally:
            if slave is not None:
                os.close(slave)
        self._transport = transport
        self.pid = transport.get_pid()
        if self._master is not None:
            os.set_blocking(self._master, False)
            loop.add_reader(self._master, self._read_master)

    # --- output ----------------------------------------------------------------

    def _read_master(self) -> None:
        assert self._master is not None
        try:
            data = os.read(self._master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: every holder of the terminal's other side is gone
            data = b""
        if data:
            self.feed(data)
        else:
            self._close_master()

    def _close_master(self) -> None:
        if self._master is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._master)
            os.close(self._master)
            self._master = None

    def feed(self, data: bytes) -> None:
        assert self._unread is not None
        self._unread.feed(data)
        self.recent += data
        if len(self.recent) > RECENT_BYTES:
            del self.recent[: len(self.recent) - RECENT_BYTES]
        lines = [s for s in data.decode("utf-8", "replace").replace("\r", "\n").split("\n") if s]
        if lines:
            self.last_line = lines[-1][-200:]
        self._new_output.set()

    def exited(self, returncode: int | None) -> None:
        if self.state == "running":
            self.state = "exited"
        self.exit_code = exit_status(returncode) if returncode is not None else None
        self.ended = time.monotonic()
        self._exited.set()
        self._new_output.set()
        if self.on_change is not None and self._context is not None:
            # Told from the event loop's own callback: in the context of the task
            # that started the command (a front end may need it), and never fatal
            # (the front end may be gone by the time a command ends).
            with contextlib.suppress(Exception):
                self._context.run(self.on_change, self)

    def take_output(self) -> tuple[str, bool]:
        """What the model has not read yet, and whether some of it was dropped."""
        assert self._unread is not None
        unread = self._unread
        self._unread = OutputCapture(self.limits)
        self._new_output.clear()
        return unread.text(), unread.truncated

    async def wait(self, seconds: float) -> None:
        """Up to `seconds`, or less once the command has exited."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._exited.wait(), max(0.0, seconds))

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def runtime_s(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    # --- input and stopping ----------------------------------------------------

    def write(self, chars: str) -> None:
        """Send `chars` to the command's stdin (its terminal when `tty`). Ctrl-C
        (\\x03) also interrupts the command itself: a sandbox's command has no
        controlling terminal for the character to do it."""
        if not self.running:
            raise OSError("the command has exited")
        data = chars.encode()
        if self.tty and b"\x03" in data:
            self.interrupt()
        if self._master is not None:
            self._write_all(self._master, data)
        elif self._transport is not None:
            pipe = self._transport.get_pipe_transport(0)
            if pipe is None or pipe.is_closing():
                raise OSError("the command's stdin is closed")
            pipe.write(data)

    @staticmethod
    def _write_all(fd: int, data: bytes) -> None:
        """All of `data` into the terminal: a short write waits for room (up to 5 s)."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                if not select.select([], [fd], [], 5.0)[1]:
                    raise OSError("the command is not reading its input") from None

    def interrupt(self) -> None:
        for pid in descendants(self.pid) or [self.pid]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGINT)

    async def stop(self) -> None:
        """SIGTERM to the group, then SIGKILL to whatever is left (idempotent)."""
        if self.pid and self.running:
            self.state = "killed"
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGTERM)
            await self.wait(GRACE_S)
        if self.pid:
            for pid in descendants(self.pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            kill_tree(self.pid)
        await self.wait(2.0)
        self._close_master()
        if self._transport is not None:
            self._transport.close()

    def stop_now(self) -> None:
        """Synchronous SIGKILL of everything (at exit, from a signal handler)."""
        if self.pid:
            for pid in descendants(self.pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            kill_tree(self.pid)


class _Protocol(asyncio.SubprocessProtocol):
    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.terminal.feed(data)

    def process_exited(self) -> None:
        self.terminal.exited(self.transport.get_returncode() if self.transport else None)
