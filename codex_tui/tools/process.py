"""The programs tools run for the model (rg, git): a deadline, output read as it
comes into a bounded window of lines, and the whole process group killed when
the call is cancelled (Ctrl-C), times out or has said enough. A hostile
repository can make git wait forever (a `.gitignore` that is a FIFO); that
must cost the model one error message, not the session."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codex_tui.tools.lines import LineWindow
from codex_tui.tools.registry import ToolArgumentError

# Long enough for `git status` in a large repository on a cold cache.
TIMEOUT_S = 60.0
# Output read before the program is stopped: what follows is neither shown nor counted.
MAX_OUTPUT_BYTES = 64 << 20
_STDERR_KEPT = 4096
_READ = 64 << 10


@dataclass
class Output:
    returncode: int | None  # None: stopped after MAX_OUTPUT_BYTES
    stderr: str  # the start of it

    @property
    def first_error_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        return lines[0] if lines else ""


async def run_lines(
    argv: Sequence[str],
    *,
    cwd: Path,
    label: str,
    window: LineWindow,
    timeout_s: float | None = None,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> Output:
    """Run `argv`, feeding its output (UTF-8, bad bytes replaced) to `window`,
    which is finished on return. Past `max_bytes` the program is stopped."""
    proc = await _start(argv, cwd, None, stdin=False)
    assert proc.stdout is not None and proc.stderr is not None
    stderr = asyncio.ensure_future(_head(proc.stderr))
    try:
        async with asyncio.timeout(timeout_s or TIMEOUT_S):
            cut = await _feed(proc.stdout, window, max_bytes)
            if cut:
                _kill(proc)
            returncode = await proc.wait()
            err = await stderr
    except TimeoutError:
        raise ToolArgumentError(_late(label, timeout_s or TIMEOUT_S)) from None
    finally:
        stderr.cancel()
        await _reap(proc)
    window.finish()
    return Output(None if cut else returncode, err.decode("utf-8", errors="replace"))


async def run_whole(
    argv: Sequence[str],
    *,
    cwd: Path,
    label: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout_s: float | None = None,
) -> tuple[int, bytes, bytes]:
    """Run `argv` to the end: (exit code, output, error output), within the deadline."""
    proc = await _start(argv, cwd, env, stdin=stdin is not None)
    try:
        async with asyncio.timeout(timeout_s or TIMEOUT_S):
            out, err = await proc.communicate(stdin)
    except TimeoutError:
        raise ToolArgumentError(_late(label, timeout_s or TIMEOUT_S)) from None
    finally:
        await _reap(proc)
    return proc.returncode or 0, out, err


async def _start(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None, *, stdin: bool
) -> asyncio.subprocess.Process:
    # A session of its own: killing the group also ends what the program started.
    return await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=None if env is None else dict(env),
        stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )


async def _feed(stream: asyncio.StreamReader, window: LineWindow, max_bytes: int) -> bool:
    """Output into `window` until its end (False) or `max_bytes` (True)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    seen = 0
    while chunk := await stream.read(_READ):
        window.feed(decoder.decode(chunk))
        seen += len(chunk)
        if seen >= max_bytes:
            return True
    window.feed(decoder.decode(b"", final=True))
    return False


async def _head(stream: asyncio.StreamReader) -> bytes:
    """The first few KiB of a stream, read to its end so the writer never blocks."""
    kept = bytearray()
    while chunk := await stream.read(_READ):
        kept += chunk[: max(0, _STDERR_KEPT - len(kept))]
    return bytes(kept)


def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


async def _reap(proc: asyncio.subprocess.Process) -> None:
    """Kill the program's group if it still runs, and wait for it (also when the
    call is being cancelled: the kill is what ends a hung git at Ctrl-C)."""
    _kill(proc)
    if proc.returncode is None:
        await asyncio.shield(proc.wait())


def _late(label: str, timeout_s: float) -> str:
    return f"{label} did not finish within {timeout_s:g} s and was stopped"
