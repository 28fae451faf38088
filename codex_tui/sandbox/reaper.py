"""The Landlock launcher's processes: nothing a command starts outlives it.

The launcher does not exec the command itself; it forks and waits.

- With a PID namespace, its child is the namespace's first process (PID 1): it
  confines itself, forks the command (PID 2: PID 1 ignores every signal it has
  no handler for, so `kill $$` would not work on a command running as PID 1),
  reaps orphans, and exits with the command's status when the command ends;
  the kernel then kills whatever is left in the namespace.
- Without one, the launcher is a child subreaper: a double-forked daemon is
  reparented to it, and when the command ends it kills its children,
  generation by generation, until none is left.

The launcher dies with codex-tui (PR_SET_PDEATHSIG: SIGTERM), cleans up on
SIGTERM and SIGHUP before it exits, and its child dies with it (SIGKILL).
Statuses are the shell's: N, or 128 + N for a death by signal N.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time

TYPE_CHECKING = False  # the launcher imports this module: no typing, contextlib, collections
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["exit_code", "run"]

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_CLEANUP_S = 5.0  # killing leftovers gives up after this long
# Python ignores SIGPIPE and SIGXFSZ, and ignored signals stay ignored across
# exec; the command must start with the defaults.
_DEFAULTS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_libc = ctypes.CDLL(None, use_errno=True)


def exit_code(status: int) -> int:
    """A wait status as the shell reports it."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _say(message: str) -> None:
    os.write(2, f"codex-tui sandbox: {message}\n".encode(errors="replace"))


def _children() -> list[int]:
    """This process's children (zombies included)."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        pass  # a kernel without CONFIG_PROC_CHILDREN: read every process's parent
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                if int(stat[stat.rfind(b")") + 2 :].split()[1]) == me:
                    out.append(int(name))
            except (OSError, ValueError, IndexError):
                continue  # it ended meanwhile
    return out


def _kill_children() -> None:
    """Kill and reap every child until none is left (orphans keep arriving: we reap them).

    Only direct children are signalled: their PIDs cannot be reused before we
    reap them, so nothing outside the command's tree is ever hit.
    """
    deadline = time.monotonic() + _CLEANUP_S
    while time.monotonic() < deadline:
        children = _children()
        if not children:
            return
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                continue


def _wait_for(pid: int) -> int:
    """Reap children (orphans come to us) until `pid` ends; its wait status."""
    while True:
        got, status = os.waitpid(-1, 0)
        if got == pid:
            return status


def _exec(argv: list[str]) -> None:
    for signum in _DEFAULTS:
        signal.signal(signum, signal.SIG_DFL)
    try:
        os.execvp(argv[0], argv)
    except FileNotFoundError:
        _say(f"{argv[0]}: command not found")
        os._exit(127)
    except OSError as exc:
        _say(f"{argv[0]}: {exc.strerror}")
        os._exit(126)


def _init(argv: list[str]) -> int:
    """PID 1 of the namespace: run the command as PID 2 and wait for it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # from outside, these end the namespace
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        _exec(argv)
    return exit_code(_wait_for(pid))


def _child(
    argv: list[str] | None, prepare: Callable[[], None], pid_namespace: bool, alive: int
) -> None:
    """The launcher's child: confine (via `prepare`), then run the command. Never returns."""
    try:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        os.set_blocking(alive, False)
        try:
            if os.read(alive, 1) == b"":
                os._exit(1)  # the launcher died before PDEATHSIG was set
        except BlockingIOError:
            pass
        os.close(alive)
        prepare()
    except Exception as exc:
        _say(f"cannot confine the command: {exc}")
        os._exit(126)
    if argv is None:
        os._exit(0)  # a probe: confining worked
    if pid_namespace:
        os._exit(_init(argv))
    _exec(argv)


def run(
    argv: list[str] | None,
    *,
    prepare: Callable[[], None],
    pid_namespace: bool,
    parent: int | None = None,
) -> int:
    """Run `argv` in a child that calls `prepare()` (confinement) first; its status.

    `argv` None: only check that `prepare()` works (0 when it does). `parent`:
    codex-tui's PID; when it is gone already, nothing runs.
    """
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if parent is not None and os.getppid() != parent:
        return 126  # codex-tui died before we could follow it
    _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1)
    ending = False

    def end(signum: int, _frame: object) -> None:
        nonlocal ending
        if ending:
            return
        ending = True
        _kill_children()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, end)
    signal.signal(signal.SIGHUP, end)
    # Ctrl-C reaches the command straight from the terminal; here it does nothing.
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    alive_r, alive_w = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.close(alive_w)
        _child(argv, prepare, pid_namespace, alive_r)
    os.close(alive_r)
    status = _wait_for(pid)
    _kill_children()
    return exit_code(status)
