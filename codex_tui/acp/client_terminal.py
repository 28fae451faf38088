"""Approved commands in the editor's terminals (`terminal/*`), so the person
watches them there. The editor is given the command line our sandbox would
start itself (bubblewrap, the Landlock launcher, sandbox-exec, behind `env -i`
with the environment policy's variables), never the bare command: the editor
only spawns it. Offered only when the client's `initialize` said `terminal`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from acp import RequestError

from codex_tui.sandbox import ExecResult
from codex_tui.sandbox.detect import Mechanism
from codex_tui.sandbox.output import OutputCapture
from codex_tui.sandbox.process import TIMEOUT_EXIT_CODE

if TYPE_CHECKING:
    from pathlib import Path

    from acp.interfaces import Client

    from codex_tui.sandbox import Launch, Sandbox

log = logging.getLogger(__name__)

# The editor keeps at most this much of a command's output (its end); we keep
# the head and tail of that, as for our own processes.
OUTPUT_BYTE_LIMIT = 1 << 20
# How long kill and release may take before we stop waiting for the editor.
END_TIMEOUT_S = 5.0
# How long the editor may take to start a terminal or hand over its output: an
# editor that never answers must not hold the turn forever.
ANSWER_TIMEOUT_S = 30.0
CLIENT_ERRORS = (RequestError, OSError, ConnectionError, ValueError)


def _why(exc: BaseException) -> str:
    """What went wrong with an editor's call, in words (a timeout has none)."""
    return str(exc) or f"no answer in {ANSWER_TIMEOUT_S:.0f} s"


def editor_argv(launch: Launch) -> list[str] | None:
    """`launch` as one argv for a process we do not start: `env -i` sets exactly
    the environment our own spawn would have, whatever the editor's is. None
    when it cannot be said so (no `env`, a program name `env` would misread)."""
    env = shutil.which("env")
    if env is None or "=" in launch.argv[0]:
        return None
    return [env, "-i", *(f"{k}={v}" for k, v in launch.env.items()), *launch.argv]


class ClientTerminals:
    """`CommandRunner` over one ACP session's client. `show(call_id, terminal_id)`
    embeds the terminal in the tool call; `stop_all` ends those still running."""

    def __init__(self, client: Client, session_id: str, show: Callable[[str, str], None]) -> None:
        self.client = client
        self.session_id = session_id
        self.show = show
        self._live: set[str] = set()  # terminal ids not yet released
        self._ending: set[asyncio.Task[None]] = set()

    async def run(
        self,
        sandbox: Sandbox,
        argv: tuple[str, ...],
        *,
        call_id: str,
        cwd: Path,
        timeout_ms: int | None,
        sandboxed: bool,
        on_output: Callable[[bytes], None] | None,
    ) -> ExecResult:
        launch = await sandbox.prepare_launch(argv, cwd=cwd, sandboxed=sandboxed, own_child=False)
        if isinstance(launch, ExecResult):
            return launch
        command = editor_argv(launch)
        if command is None:
            log.warning("running %s ourselves: it cannot be given to the editor", argv[0])
            return await sandbox.run(
                argv, cwd=cwd, timeout_ms=timeout_ms, sandboxed=sandboxed, on_output=on_output
            )
        inside = launch.mechanism is not Mechanism.NONE
        started = time.monotonic()
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT_S):
                created = await self.client.create_terminal(
                    session_id=self.session_id,
                    command=command[0],
                    args=command[1:],
                    cwd=str(launch.cwd),
                    env=[],
                    output_byte_limit=OUTPUT_BYTE_LIMIT,
                )
        except (*CLIENT_ERRORS, TimeoutError) as exc:
            why = f"the editor could not start the command: {_why(exc)}\n"
            return ExecResult(126, why, 0, False, launch.mechanism, inside, 1)
        terminal = created.terminal_id
        self._live.add(terminal)
        self.show(call_id, terminal)
        timeout = sandbox.default_timeout_ms if timeout_ms is None else timeout_ms
        exited = False
        try:
            code, timed_out = await self._wait(terminal, timeout / 1000)
            exited = True
            if timed_out:
                await self._kill(terminal)
            async with asyncio.timeout(ANSWER_TIMEOUT_S):
                output = await self.client.terminal_output(
                    session_id=self.session_id, terminal_id=terminal
                )
        except (*CLIENT_ERRORS, TimeoutError) as exc:
            elapsed = int((time.monotonic() - started) * 1000)
            return ExecResult(1, f"the editor's terminal failed: {_why(exc)}\n", elapsed, False,
                              launch.mechanism, inside, 1)  # fmt: skip
        finally:
            await self._end(terminal, kill=not exited)
        capture = OutputCapture(sandbox.limits)
        text = output.output
        if output.truncated:
            text = "[the editor kept only the end of the output]\n" + text
        capture.feed(text.encode("utf-8", errors="replace"))
        return ExecResult(
            exit_code=TIMEOUT_EXIT_CODE if timed_out else code,
            output=capture.text(),
            duration_ms=int((time.monotonic() - started) * 1000),
            timed_out=timed_out,
            mechanism=launch.mechanism,
            sandboxed=inside,
            total_lines=capture.total_lines,
            truncated=capture.truncated or output.truncated,
        )

    async def _wait(self, terminal: str, timeout_s: float) -> tuple[int, bool]:
        """The exit status (a signal as 128 + N), and whether the time ran out."""
        try:
            async with asyncio.timeout(timeout_s):
                done = await self.client.wait_for_terminal_exit(
                    session_id=self.session_id, terminal_id=terminal
                )
        except TimeoutError:
            return TIMEOUT_EXIT_CODE, True
        if done.exit_code is not None:
            return done.exit_code, False
        name = (done.signal or "").upper()
        number = signal.Signals.__members__.get(name) or signal.Signals.__members__.get(
            f"SIG{name}"
        )
        return (128 + number.value if number is not None else 1), False

    async def _kill(self, terminal: str) -> None:
        with contextlib.suppress(*CLIENT_ERRORS, TimeoutError):
            async with asyncio.timeout(END_TIMEOUT_S):
                await self.client.kill_terminal(session_id=self.session_id, terminal_id=terminal)

    async def _end(self, terminal: str, *, kill: bool) -> None:
        """Kill (when it may still run) and release `terminal`; a cancelled turn
        does not stop this halfway."""

        async def end() -> None:
            if kill:
                await self._kill(terminal)
            with contextlib.suppress(*CLIENT_ERRORS, TimeoutError):
                async with asyncio.timeout(END_TIMEOUT_S):
                    await self.client.release_terminal(
                        session_id=self.session_id, terminal_id=terminal
                    )
            self._live.discard(terminal)

        task = asyncio.create_task(end())
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)
        await asyncio.shield(task)

    async def stop_all(self) -> None:
        """End every terminal still running (the session closes)."""
        for terminal in list(self._live):
            await self._end(terminal, kill=True)
