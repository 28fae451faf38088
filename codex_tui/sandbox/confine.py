"""The Landlock launcher: confine this process, then exec the command.

Run as `python -I -c BOOT SPEC -- ARGV…` (see `launch.py`). In order:
1. keep `.git` read-only: a private mount namespace with a read-only bind of
   each protected path (as root, or in a user namespace); when neither is
   possible, Landlock rules that grant write beside `.git` but not on it
   (then the directory holding `.git` itself gets no new entries);
2. drop every capability (a root caller keeps none across exec);
3. Landlock: read and execute everywhere, write only beneath writable roots
   (and a few devices); TCP bind/connect denied when the network is off;
4. seccomp: no network sockets when the network is off;
5. exec. If any step fails the command does not run (exit 126).
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path
from typing import Any

from codex_tui.sandbox import landlock, seccomp

__all__ = ["main"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY = 1
_MS_REMOUNT = 32
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
# statvfs flag -> mount flag that must be kept when remounting a bind.
_KEEP_FLAGS = {2: 2, 4: 4, 8: 8, 1024: 1024, 2048: 2048, 4096: 1 << 21}
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522

_DEVICES_RW = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
               "/dev/tty", "/dev/ptmx", "/dev/pts")  # fmt: skip

_libc = ctypes.CDLL(None, use_errno=True)


class ConfineError(Exception):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise ConfineError(f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, flags: int) -> None:
    src = source.encode() if source else None
    _check(_libc.mount(src, target.encode(), None, ctypes.c_ulong(flags), None), f"mount {target}")


def _enter_mount_namespace() -> None:
    if os.geteuid() == 0:
        _check(_libc.unshare(_CLONE_NEWNS), "unshare(mount namespace)")
    else:
        uid, gid = os.geteuid(), os.getegid()
        _check(_libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS), "unshare(user namespace)")
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    # Nothing mounted here may reach the parent namespace.
    _mount(None, "/", _MS_REC | _MS_PRIVATE)


def _bind_read_only(path: str) -> None:
    _mount(path, path, _MS_BIND | _MS_REC)
    keep = 0
    flags = os.statvfs(path).f_flag
    for stat_flag, mount_flag in _KEEP_FLAGS.items():
        if flags & stat_flag:
            keep |= mount_flag
    _mount(None, path, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | keep)


def _protect_by_mount(protected: list[str]) -> bool:
    try:
        _enter_mount_namespace()
        for path in protected:
            _bind_read_only(path)
    except (ConfineError, OSError):
        return False
    return True


def _carve(rules: landlock.Ruleset, directory: Path, protected: set[Path]) -> None:
    """Grant full rights beneath `directory`, except on protected entries.

    Landlock rights granted on a directory hold for everything beneath it, so a
    directory on the way to a protected entry gets no rule at all (it stays
    read-only: no entries created, removed or renamed there); its other
    entries get full rights one by one.
    """
    if not any(p.is_relative_to(directory) for p in protected):
        rules.allow(directory, rules.handled_fs)
        return
    for entry in directory.iterdir():
        if entry in protected or entry.is_symlink():
            continue  # a symlink's rule would land on its target, maybe outside
        if entry.is_dir():
            _carve(rules, entry, protected)
        else:
            rules.allow(entry, rules.handled_fs)


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


def confine(spec: dict[str, Any]) -> str:
    """Apply the spec to this process; returns how `.git` was protected."""
    writable = [Path(p) for p in spec.get("writable", [])]
    protected = [Path(p) for p in spec.get("protected", [])]
    strategy = spec.get("git", "auto")
    network = bool(spec.get("network", False))
    used = "none"
    if protected and strategy in ("auto", "mount"):
        if _protect_by_mount([str(p) for p in protected]):
            used = "mount"
        elif strategy == "mount":
            raise ConfineError("cannot create a mount namespace to keep .git read-only")
    if protected and used == "none":
        used = "rules"
    _drop_capabilities()
    try:
        rules = landlock.Ruleset(deny_tcp=not network)
        rules.allow("/", landlock.FS_READ)
        for device in _DEVICES_RW:
            if os.path.exists(device):
                rules.allow(device, landlock.FS_FILE)
        carve_out = set(protected) if used == "rules" else set()
        for root in writable:
            _carve(rules, root, carve_out)
        rules.restrict_self()
        if not network:
            seccomp.deny_network()
    except OSError as exc:
        raise ConfineError(str(exc)) from None
    _clear_capability_sets()
    return used


def main(args: list[str]) -> int:
    """`SPEC -- ARGV…`: confine, then exec ARGV; never runs ARGV unconfined."""
    try:
        sep = args.index("--")
        spec, argv = json.loads(args[0]), args[sep + 1 :]
        if not isinstance(spec, dict) or not (argv or spec.get("probe")):
            raise ValueError("no command")
    except (ValueError, IndexError):
        print("codex-tui sandbox: usage: confine SPEC -- COMMAND…", file=sys.stderr)
        return 2
    try:
        used = confine(spec)
    except ConfineError as exc:
        print(f"codex-tui sandbox: cannot confine the command: {exc}", file=sys.stderr)
        return 126
    if spec.get("probe"):
        print(json.dumps({"git": used, "landlock_abi": landlock.abi_version()}))
        return 0
    try:
        os.execvp(argv[0], argv)
    except FileNotFoundError:
        print(f"codex-tui sandbox: {argv[0]}: command not found", file=sys.stderr)
        return 127
    except OSError as exc:
        print(f"codex-tui sandbox: {argv[0]}: {exc.strerror}", file=sys.stderr)
        return 126
    return 126  # not reached
