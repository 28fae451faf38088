"""Hostile files for tests (a FIFO, a link to /dev/zero, a sparse giant) and a
child process with a deadline, so that a hang fails the test instead of hanging
the suite, and a memory blow-up fails it instead of taking the machine."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GiB = 1 << 30


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def link(path: Path, target: str | Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of `size` bytes that takes no disk: `head`, then a hole (NUL bytes)."""
    with path.open("wb") as f:
        f.write(head)
        f.truncate(size)
    return path


def run_python(
    code: str, *, timeout: float = 30, memory_bytes: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter; fail the test if it is still running after
    `timeout` s. `memory_bytes` caps its address space, so code that reads a
    giant file whole fails with MemoryError instead of swapping the machine."""
    prelude = ""
    if memory_bytes is not None:
        prelude = (
            "import resource\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({memory_bytes}, {memory_bytes}))\n"
        )
    try:
        return subprocess.run(
            [sys.executable, "-c", prelude + textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {timeout} s (a hang):\n{textwrap.dedent(code)}")


def release_fifo(path: Path) -> None:
    """Let a process blocked opening `path` for reading go on (it then reads EOF)."""
    with contextlib.suppress(OSError):  # nobody is waiting on it
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
