"""The session's private network: one network namespace with only a loopback,
shared by every sandboxed command of a session while the network is off.

Why one per session: a dev server one command starts (`exec_command`) must be
reachable from the next (`curl 127.0.0.1:8000`). In a namespace per command
(bubblewrap's `--unshare-net`), or with no TCP at all (the Landlock rules), it
is not. Nothing else is: the namespace has `lo` and no route out, and another
session (another `Sandbox` that does not take this one over) has its own.

Making it: a helper (`python -I -S`, `helper_main`) unshares a network namespace
(inside a new user namespace mapping only our ids when codex-tui is not root),
brings `lo` up and waits; codex-tui opens the helper's /proc/PID/ns/net (and
ns/user) and ends it. The open descriptors keep the namespace alive, so no
process of ours stays behind: when codex-tui exits, even by SIGKILL, the kernel
closes them, and the namespace goes with the last command in it.

Joining: commands name it /proc/<codex-tui>/fd/N, a path that cannot point to
another namespace while codex-tui lives (a helper's PID could be reused) and
that only a child of ours that is not yet sandboxed can open. bubblewrap is
started by `nsenter`; the Landlock launcher joins itself
(`namespaces.join_network`).

When the namespace cannot be made or joined (no user namespaces, no nsenter),
commands keep the isolation they had before it: a namespace of their own under
bubblewrap, no TCP under Landlock. A warning says so, once a session.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import codex_tui
from codex_tui.sandbox import namespaces
from codex_tui.sandbox.bwrap import bwrap_works
from codex_tui.sandbox.detect import Mechanism
from codex_tui.sandbox.spec import NetnsSpec

__all__ = ["SessionNetwork", "SharedNet", "helper_main"]

_log = logging.getLogger(__name__)
_HELPER = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from codex_tui.sandbox.netns import helper_main; sys.exit(helper_main(sys.argv[2:]))"
)
_PACKAGE_ROOT = str(Path(codex_tui.__file__).resolve().parent.parent)
_READY_S = 10.0  # the helper starts in ~20 ms; this only guards against a hang
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_IFREQ = "16sh22x"  # struct ifreq: the name, then ifr_flags in a 24-byte union
_FALLBACK = {
    Mechanism.BWRAP: "each command gets a network namespace of its own, so a server one "
    "command starts cannot be reached from another",
    Mechanism.LANDLOCK: "commands get no TCP and no sockets but UNIX ones, so a server one "
    "command starts cannot be reached from another",
}


class NetnsError(Exception):
    pass


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        got = fcntl.ioctl(s, _SIOCGIFFLAGS, struct.pack(_IFREQ, b"lo", 0))
        flags = struct.unpack(_IFREQ, got)[1]
        fcntl.ioctl(s, _SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | _IFF_UP))


def helper_main(args: list[str]) -> int:
    """The helper process. `make`: a new network namespace with `lo` up; says
    "ready", then waits until codex-tui ends it (or closes our stdin by dying).
    `join NET [USER]`: only check that joining works here."""
    try:
        if args[:1] == ["join"]:
            namespaces.join_network(args[1], args[2] if len(args) > 2 else None)
            return 0
        namespaces.new_network()
        _loopback_up()
    except (namespaces.NamespaceError, OSError, IndexError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print("ready", flush=True)
    sys.stdin.buffer.read()
    return 0


def _helper(*args: str) -> list[str]:
    return [sys.executable, "-I", "-S", "-c", _HELPER, _PACKAGE_ROOT, *args]


def _make() -> tuple[int, int | None]:
    """Descriptors of a new network namespace (and of its user namespace, not root)."""
    pipe = subprocess.PIPE
    helper = subprocess.Popen(_helper("make"), stdin=pipe, stdout=pipe, stderr=pipe)
    assert helper.stdout is not None and helper.stderr is not None
    try:
        line = b""
        if select.select([helper.stdout], [], [], _READY_S)[0]:
            line = helper.stdout.readline()
        if line != b"ready\n":
            helper.kill()
            lines = helper.stderr.read().decode(errors="replace").strip().splitlines()
            raise NetnsError(lines[-1] if lines else "the helper did not start")
        # Our child, not yet reaped: its PID cannot be anyone else's.
        net = os.open(f"/proc/{helper.pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        user = None
        try:
            if os.fstat(net).st_ino == os.stat("/proc/self/ns/net").st_ino:
                raise NetnsError("the helper stayed in our network namespace")
            if os.geteuid() != 0:
                user = os.open(f"/proc/{helper.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
        except BaseException:
            os.close(net)
            raise
        return net, user
    finally:
        helper.kill()
        helper.wait()
        for stream in (helper.stdin, helper.stdout, helper.stderr):
            if stream is not None:
                stream.close()


@dataclass(frozen=True)
class SharedNet:
    """How a command joins the session's namespace (paths valid while codex-tui lives)."""

    net: str
    user: str | None
    nsenter: str | None  # for bubblewrap

    def nsenter_argv(self) -> list[str]:
        """The prefix that starts bubblewrap inside the namespace."""
        if self.nsenter is None:
            raise NetnsError("nsenter (util-linux) is not installed")
        user = [f"--user={self.user}", "--preserve-credentials"] if self.user else []
        return [self.nsenter, *user, f"--net={self.net}", "--"]

    def spec(self) -> NetnsSpec:
        """What the Landlock launcher joins."""
        return {"net": self.net, "user": self.user}


def _check(mechanism: Mechanism, shared: SharedNet, bwrap: str) -> str:
    """Why commands under `mechanism` cannot join `shared` here; "" when they can."""
    if mechanism is Mechanism.BWRAP:
        if shared.nsenter is None:
            return "nsenter (util-linux) is not installed"
        ok, error = bwrap_works(bwrap, enter=tuple(shared.nsenter_argv()))
        return "" if ok else f"bubblewrap cannot start inside it: {error}"
    args = ["join", shared.net, *([shared.user] if shared.user else [])]
    try:
        done = subprocess.run(_helper(*args), capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    lines = done.stderr.strip().splitlines()
    return "" if done.returncode == 0 else lines[-1] if lines else "joining it failed"


class SessionNetwork:
    """One session's namespace: made on first use, checked once a mechanism, closed once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fds: tuple[int, int | None] | None = None
        self._problems: dict[Mechanism, str] = {}
        self._made_problem = ""
        self.closed = False

    @property
    def made(self) -> bool:
        """Whether the namespace exists (its descriptors are open)."""
        return self._fds is not None

    def problem(self, mechanism: Mechanism) -> str:
        """Why commands under `mechanism` do not share the namespace ("" when they do
        or nobody asked yet)."""
        return self._made_problem or self._problems.get(mechanism, "")

    def join(self, mechanism: Mechanism, *, bwrap: str = "bwrap") -> SharedNet | None:
        """The namespace for commands under `mechanism`, made and checked the first
        time (blocking: ~50 ms); None when they must fall back (see module doc).
        Raises RuntimeError once closed."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the sandbox was closed; its network namespace is gone")
            if self._fds is None and not self._made_problem:
                try:
                    self._fds = _make()
                except (NetnsError, OSError, subprocess.SubprocessError) as exc:
                    self._made_problem = f"no private network namespace ({exc})"
                    self._warn(mechanism, self._made_problem)
            if self._fds is None:
                return None
            net, user = self._fds
            pid = os.getpid()
            shared = SharedNet(
                f"/proc/{pid}/fd/{net}",
                None if user is None else f"/proc/{pid}/fd/{user}",
                shutil.which("nsenter"),
            )
            if mechanism not in self._problems:
                problem = _check(mechanism, shared, bwrap)
                self._problems[mechanism] = problem
                if problem:
                    self._warn(mechanism, f"cannot join the session's network namespace: {problem}")
            return None if self._problems[mechanism] else shared

    @staticmethod
    def _warn(mechanism: Mechanism, problem: str) -> None:
        fallback = _FALLBACK.get(mechanism, "")
        _log.warning("sandbox, network off: %s; %s", problem, fallback)

    def close(self) -> None:
        """Let the namespace go (idempotent): it ends with the last command in it."""
        with self._lock:
            self.closed = True
            fds, self._fds = self._fds, None
        for fd in fds or ():
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
