"""The Landlock launcher's namespaces: its private file-system layout and PID namespace.

As root, or in an unprivileged user namespace, the launcher enters new mount
and PID namespaces before it confines itself (Landlock forbids mounting once
confined). In the mount namespace it performs `layout.plan_mounts`'s steps (a
private /tmp, an empty /run, the roots bound back), binds every protected
`.git` read-only and gives /dev/shm a fresh tmpfs. The PID namespace's first
process mounts a /proc of its own (`mount_proc`). With the network off it first
joins the session's network namespace (`join_network`, made by `netns.py`).

Paths below /tmp and inside writable roots are the sandbox's to change between
commands, and this code runs as root before any confinement: it never follows
a symbolic link there. Each path is walked one component at a time with
O_NOFOLLOW, created (when it is a mount point to make) relative to its parent's
descriptor, and mounted through /proc/self/fd. No pathlib: this runs on every
command.
"""

from __future__ import annotations

import ctypes
import os
import stat

__all__ = [
    "NamespaceError",
    "apply_mounts",
    "enter",
    "join_network",
    "mount_proc",
    "new_network",
    "private_shm",
    "protect",
]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_REMOUNT = 32
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
# statvfs flag -> mount flag that must be kept when remounting a bind.
_KEEP_FLAGS = {2: 2, 4: 4, 8: 8, 1024: 1024, 2048: 2048, 4096: 1 << 21}
_PATH = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC

_libc = ctypes.CDLL(None, use_errno=True)


class NamespaceError(Exception):
    pass


def _mount(source: str | None, target: str, flags: int, fstype: str = "", data: str = "") -> None:
    result = _libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if result != 0:
        raise NamespaceError(f"mount {target}: {os.strerror(ctypes.get_errno())}")


def _map_own_ids() -> None:
    """In a new user namespace: map our own uid and gid, nothing else."""
    uid, gid = os.geteuid(), os.getegid()
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):  # fmt: skip
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def new_network() -> None:
    """Enter a new network namespace (inside a new user namespace unless root)."""
    user = os.geteuid() != 0
    if _libc.unshare(_CLONE_NEWNET | (_CLONE_NEWUSER if user else 0)) != 0:
        raise NamespaceError(f"unshare: {os.strerror(ctypes.get_errno())}")
    if user:
        _map_own_ids()


def join_network(net: str, user: str | None) -> None:
    """Enter the session's network namespace (`netns.py`) at `net`, first entering
    the user namespace that owns it (`user`) when codex-tui is not root.

    Both are opened before either is entered; setns checks each one's type, so a
    path that no longer names a namespace of that kind fails rather than joins.
    """
    opened: list[tuple[int, int]] = []
    try:
        for path, kind in ((user, _CLONE_NEWUSER), (net, _CLONE_NEWNET)):
            if path:
                try:
                    opened.append((os.open(path, os.O_RDONLY | os.O_CLOEXEC), kind))
                except OSError as exc:
                    raise NamespaceError(f"{path}: {exc.strerror}") from None
        for fd, kind in opened:
            if _libc.setns(fd, kind) != 0:
                what = "user" if kind == _CLONE_NEWUSER else "network"
                raise NamespaceError(f"setns ({what}): {os.strerror(ctypes.get_errno())}")
    finally:
        for fd, _kind in opened:
            os.close(fd)


def enter(*, pid: bool) -> bool:
    """Enter new mount (and, if `pid`, PID) namespaces; True when the PID one was made.

    Root unshares directly; anyone else inside a new user namespace mapping
    their own uid and gid. Raises NamespaceError when the kernel says no.
    """
    base = _CLONE_NEWNS | (0 if os.geteuid() == 0 else _CLONE_NEWUSER)
    for flags in (base | _CLONE_NEWPID, base) if pid else (base,):
        if _libc.unshare(flags) == 0:
            break
    else:
        raise NamespaceError(f"unshare: {os.strerror(ctypes.get_errno())}")
    if flags & _CLONE_NEWUSER:
        _map_own_ids()
    # Nothing mounted here may reach the parent namespace.
    _mount(None, "/", _MS_REC | _MS_PRIVATE)
    return bool(flags & _CLONE_NEWPID)


def _open(path: str, create: str = "") -> int:
    """An O_PATH descriptor for `path`, reached without following any symbolic link.

    `create` ("dir" or "file"): make what is missing (parents as directories).
    """
    names = [n for n in path.split("/") if n]
    fd = os.open("/", _PATH | os.O_DIRECTORY)
    try:
        for i, name in enumerate(names):
            try:
                step = os.open(name, _PATH, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise NamespaceError(f"{path}: no such file or directory") from None
                if create == "file" and i == len(names) - 1:
                    new = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
                    os.close(os.open(name, new, 0o644, dir_fd=fd))
                else:
                    os.mkdir(name, 0o755, dir_fd=fd)
                step = os.open(name, _PATH, dir_fd=fd)
            os.close(fd)
            fd = step
            if stat.S_ISLNK(os.fstat(fd).st_mode):
                raise NamespaceError(f"{path}: a symbolic link is in the way")
        return fd
    except BaseException:
        os.close(fd)
        raise


def _fd_path(fd: int) -> str:
    return f"/proc/self/fd/{fd}"


def _remount_read_only(path: str) -> None:
    fd = _open(path)  # opened afresh: it must reach the mount now on top
    try:
        keep = 0
        flags = os.statvfs(_fd_path(fd)).f_flag
        for stat_flag, mount_flag in _KEEP_FLAGS.items():
            if flags & stat_flag:
                keep |= mount_flag
        _mount(None, _fd_path(fd), _MS_BIND | _MS_REMOUNT | _MS_RDONLY | keep)
    finally:
        os.close(fd)


def _bind(source_fd: int, dest: str, read_only: bool) -> None:
    kind = "dir" if stat.S_ISDIR(os.fstat(source_fd).st_mode) else "file"
    target = _open(dest, create=kind)
    try:
        _mount(_fd_path(source_fd), _fd_path(target), _MS_BIND | _MS_REC)
    finally:
        os.close(target)
    if read_only:
        _remount_read_only(dest)


def apply_mounts(ops: list[list[str]]) -> None:
    """Perform the planned steps ([kind, dest, source], see `layout.MountOp`) in order.

    Every source is opened before the first step: a later step may cover the
    path it was reached by (the workspace under /tmp, say).
    """
    sources: dict[str, int] = {}
    try:
        for _kind, _dest, source in ops:
            if source and source not in sources:
                try:
                    sources[source] = os.open(source, os.O_PATH | os.O_CLOEXEC)
                except OSError as exc:
                    raise NamespaceError(f"{source}: {exc.strerror}") from None
        for kind, dest, source in ops:
            if kind == "tmpfs":
                _mount("tmpfs", dest, _MS_NOSUID | _MS_NODEV, "tmpfs", "mode=0755")
            elif kind in ("bind", "ro-bind"):
                _bind(sources[source], dest, read_only=kind == "ro-bind")
            elif kind == "remount-ro":
                _remount_read_only(dest)
            else:
                raise NamespaceError(f"unknown mount step {kind!r}")
    finally:
        for fd in sources.values():
            os.close(fd)


def protect(paths: list[str]) -> None:
    """Bind each path read-only onto itself (the `.git` entries)."""
    for path in paths:
        fd = _open(path)
        try:
            _mount(_fd_path(fd), _fd_path(fd), _MS_BIND | _MS_REC)
        finally:
            os.close(fd)
        _remount_read_only(path)


def private_shm() -> bool:
    """A fresh tmpfs on /dev/shm (POSIX semaphores and shared memory work, privately)."""
    if not os.path.isdir("/dev/shm"):
        return False
    _mount("tmpfs", "/dev/shm", _MS_NOSUID | _MS_NODEV, "tmpfs", "mode=1777")
    return True


def mount_proc() -> bool:
    """In a new PID namespace's first process: a /proc showing only that namespace.

    The mount goes into a mount namespace of this process's own, so the
    launcher (in the parent PID namespace) keeps the /proc it can read. False
    when the kernel refuses (a user namespace under a partly hidden /proc).
    """
    if _libc.unshare(_CLONE_NEWNS) != 0:
        return False
    try:
        _mount("proc", "/proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "proc")
    except NamespaceError:
        return False
    return True
