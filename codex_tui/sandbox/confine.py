"""The Landlock launcher: set up namespaces, confine a child, run the command in it.

Run as `python -I -S -c BOOT ROOT SPEC -- ARGV…` (see `launch.py`; SPEC is a
`spec.LauncherSpec` in JSON). In order:
1. namespaces (`namespaces.py`). With the network off, the session's network
   namespace (`netns.py`) when the spec names one. Then, as root or in a user
   namespace: a mount namespace with the planned layout (private /tmp, empty
   /run, the roots bound back), every protected `.git` bound read-only, a
   fresh /dev/shm; and a PID namespace. When no namespace can be made: rules
   alone — `.git` is carved out of the Landlock rules (the directories
   holding one get no new entries), TMPDIR is the private directory, and UNIX
   sockets are refused because the host's socket files stay reachable;
2. fork (`reaper.py`); the child drops every capability, applies Landlock
   (read and execute everywhere, write only beneath the writable roots and a
   few devices; with the network off TCP bind/connect denied, ABI 4+, unless
   in the session's namespace, where `lo` is all there is; signals and
   abstract UNIX sockets scoped, ABI 6+) and the seccomp socket filter, then
   runs the command. If any step fails the command does not run (exit 126).

This runs on every command, so it imports little: no pathlib, no typing.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys

from codex_tui.sandbox import landlock, namespaces, reaper, seccomp

TYPE_CHECKING = False  # see the package's __init__: no typing at run time
if TYPE_CHECKING:
    from codex_tui.sandbox.spec import LauncherSpec

__all__ = ["main"]

_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522

_DEVICES_RW = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
               "/dev/tty", "/dev/ptmx", "/dev/pts")  # fmt: skip

_libc = ctypes.CDLL(None, use_errno=True)


class ConfineError(Exception):
    pass


def _carve(rules: landlock.Ruleset, directory: str, protected: set[str]) -> None:
    """Grant full rights beneath `directory`, except on protected entries.

    Landlock rights granted on a directory hold for everything beneath it, so a
    directory on the way to a protected entry gets no rule at all (it stays
    read-only: no entries created, removed or renamed there); its other
    entries get full rights one by one.
    """
    prefix = directory.rstrip("/") + "/"
    if not any(p.startswith(prefix) for p in protected):
        rules.allow(directory, rules.handled_fs)
        return
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.path in protected or entry.is_symlink():
                continue  # a symlink's rule would land on its target, maybe outside
            if entry.is_dir(follow_symlinks=False):
                _carve(rules, entry.path, protected)
            else:
                rules.allow(entry.path, rules.handled_fs, follow=False)


def _drop_capabilities() -> None:
    if os.geteuid() != 0:
        return
    for cap in range(64):
        if _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    _libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)


def _clear_capability_sets() -> None:
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _libc.capset(header, data)


def confine(
    writable: list[str], *, carve: list[str], network: bool, unix: bool, loopback: bool = False
) -> None:
    """Confine this process (and all it starts): capabilities, Landlock, seccomp.

    `carve`: protected paths to leave out of the writable roots' rules (no
    mount namespace); `unix`: whether AF_UNIX sockets may be created;
    `loopback`: in the session's private network namespace, whose only
    interface is `lo`, TCP and the Internet sockets are allowed.
    """
    _drop_capabilities()
    try:
        rules = landlock.Ruleset(deny_tcp=not (network or loopback))
        rules.allow("/", landlock.FS_READ)
        for device in _DEVICES_RW:
            if os.path.exists(device):
                rules.allow(device, landlock.FS_FILE)
        for root in writable:
            _carve(rules, root, set(carve))
        rules.restrict_self()
        if not (network and unix):
            seccomp.install_socket_filter(network=network, unix=unix, loopback=loopback)
    except OSError as exc:
        raise ConfineError(str(exc)) from None
    _clear_capability_sets()


def _namespaces(spec: LauncherSpec) -> tuple[bool, bool, bool]:
    """Enter and lay out the namespaces the spec asks for: whether there is a mount
    namespace, a PID namespace, and a private /dev/shm."""
    strategy = spec.get("namespaces", "auto")
    if strategy == "none":
        return False, False, False
    try:
        pid = namespaces.enter(pid=True)
    except namespaces.NamespaceError as exc:
        if strategy == "required":
            raise ConfineError(f"cannot create a mount namespace: {exc}") from None
        return False, False, False
    try:
        namespaces.apply_mounts(spec.get("mounts", []))
        namespaces.protect(spec.get("protected", []))
        shm = namespaces.private_shm()
        # The working directory was entered before the mounts: enter it again by
        # name, or relative paths would still reach the host's layout beneath.
        os.chdir(os.getcwd())
    except (namespaces.NamespaceError, OSError) as exc:
        raise ConfineError(str(exc)) from None
    return True, pid, shm


def _prepare(
    spec: LauncherSpec, mounted: bool, pid: bool, shm: bool
) -> tuple[list[str], dict[str, str]]:
    """The Landlock writable roots (TMPDIR set to match), and the report for a probe."""
    writable = list(spec.get("writable", []))
    tmp = spec.get("tmp")
    if tmp is not None:
        inside = tmp["inside"] if mounted else tmp["host"]
        os.environ["TMPDIR"] = inside
        if tmp["writable"]:
            writable.append(inside)
    if shm:
        writable.append("/dev/shm")
    protected = spec.get("protected", [])
    report = {
        "git": ("mount" if mounted else "rules") if protected else "none",
        "namespaces": "mount" if mounted else "none",
        "pid": "namespace" if pid else "subreaper",
    }
    return writable, report


def main(args: list[str]) -> int:
    """`SPEC -- ARGV…`: confine, then run ARGV; never runs ARGV unconfined."""
    try:
        sep = args.index("--")
        spec: LauncherSpec = json.loads(args[0])  # from launch.py, which builds it typed
        argv = args[sep + 1 :]
        if not isinstance(spec, dict) or not (argv or spec.get("probe")):
            raise ValueError("no command")
    except (ValueError, IndexError):
        print("codex-tui sandbox: usage: confine SPEC -- COMMAND…", file=sys.stderr)
        return 2
    network = bool(spec.get("network", False))
    netns = None if network else spec.get("netns")
    try:
        if netns is not None:
            # First: joining the user namespace that owns it must precede our own.
            namespaces.join_network(netns["net"], netns.get("user"))
        mounted, pid, shm = _namespaces(spec)
        writable, report = _prepare(spec, mounted, pid, shm)
    except (ConfineError, namespaces.NamespaceError, OSError) as exc:
        print(f"codex-tui sandbox: cannot confine the command: {exc}", file=sys.stderr)
        return 126
    report["network"] = "on" if network else "session" if netns is not None else "off"
    carve = [] if mounted else spec.get("protected", [])

    def prepare() -> None:
        if pid:
            namespaces.mount_proc()  # best effort: without it /proc shows the host's PIDs
        confine(writable, carve=carve, network=network, unix=mounted, loopback=bool(netns))

    probe = bool(spec.get("probe"))
    code = reaper.run(
        None if probe else argv, prepare=prepare, pid_namespace=pid, parent=spec.get("parent")
    )
    if probe and code == 0:
        print(json.dumps({**report, "landlock_abi": landlock.abi_version()}))
    return code
