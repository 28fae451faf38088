"""Landlock over ctypes: confine the calling process's file-system writes.

Landlock (Linux 5.13+) lets an unprivileged process give up access rights for
itself and its future children. Rules only grant: whatever no rule grants is
denied for every handled right. Syscall numbers are the same on x86_64 and
aarch64 (the generic table). The launcher imports this module: no pathlib.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys

__all__ = [
    "FS_FILE",
    "FS_READ",
    "LandlockError",
    "Ruleset",
    "abi_version",
    "fs_rights",
]

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# File-system access rights (ABI the bit appeared in, in the comments).
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
# IOCTL_DEV (1 << 15, ABI 5) is left unhandled: terminals need their ioctls.

# Network rights (ABI 4) and scopes (ABI 6).
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

FS_READ = EXECUTE | READ_FILE | READ_DIR
FS_FILE = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE  # rights a rule on a file may hold


class LandlockError(OSError):
    """Landlock is missing or refused a rule."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed: 12 bytes
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


# Symbols are looked up on use: this module is imported (not used) on macOS too.
_libc = ctypes.CDLL(None, use_errno=True)


def _syscall(number: int, *args: object) -> int:
    syscall = _libc.syscall
    syscall.restype = ctypes.c_long
    result = syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise LandlockError(err, os.strerror(err))
    return int(result)


def _supported_machine() -> bool:
    return sys.platform == "linux" and os.uname().machine in ("x86_64", "aarch64")


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is unavailable."""
    if not _supported_machine():
        return 0
    try:
        return _syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    except LandlockError:
        return 0


def fs_rights(abi: int) -> int:
    """Every file-system right this ABI knows (and we handle)."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


class Ruleset:
    """A ruleset under construction; `restrict_self()` applies it for good."""

    def __init__(self, *, deny_tcp: bool = False, scoped: bool = True) -> None:
        self.abi = abi_version()
        if self.abi < 1:
            raise LandlockError(0, "Landlock is not available in this kernel")
        self.handled_fs = fs_rights(self.abi)
        attr = _RulesetAttr(self.handled_fs, 0, 0)
        if deny_tcp and self.abi >= 4:
            attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        if scoped and self.abi >= 6:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        self.fd = _syscall(
            _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), 0
        )

    def allow(self, path: str | os.PathLike[str], rights: int, *, follow: bool = True) -> None:
        """Grant `rights` beneath `path` (on a file, only file rights apply).

        `follow=False`: a symbolic link put there meanwhile gets the rule, not its target.
        """
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW))
        try:
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                rights &= FS_FILE
            rule = _PathBeneathAttr(rights & self.handled_fs, fd)
            _syscall(_SYS_ADD_RULE, self.fd, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
        finally:
            os.close(fd)

    def restrict_self(self) -> None:
        """Confine this process (and all it starts) to the rules; irreversible."""
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            raise LandlockError(err, f"no_new_privs: {os.strerror(err)}")
        try:
            _syscall(_SYS_RESTRICT_SELF, self.fd, 0)
        finally:
            os.close(self.fd)
