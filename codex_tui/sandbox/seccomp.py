"""A seccomp filter over ctypes: which sockets the calling process may create.

`socket()` is refused (EPERM) for the families the sandbox does not allow:
every family but AF_UNIX with the network off; AF_UNIX too when no mount
namespace hides the host's socket files (`unix=False`). In the session's
private network namespace (`loopback=True`, see netns.py) AF_INET, AF_INET6 and
AF_NETLINK work there (only `lo` to reach, and `getifaddrs()` to list it); the
others, AF_VSOCK among them (no namespace holds it), stay refused. `socketpair()` is a
different call and always works. io_uring is refused (its requests bypass
seccomp), and so are syscalls of a foreign ABI (32-bit or x32 entry points),
which could reach `socketcall`. The launcher imports this module: no pathlib.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import sys

__all__ = ["SeccompError", "available", "install_socket_filter", "socket_filter"]

_PR_SET_NO_NEW_PRIVS = 38
_PR_GET_SECCOMP = 21
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000

# BPF opcodes used here.
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6].
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0 = 16  # low 32 bits on little-endian machines

_AF_UNIX = 1
_LOOPBACK_FAMILIES = (2, 10, 16)  # AF_INET, AF_INET6, AF_NETLINK
_X32_SYSCALL_BIT = 0x40000000

# machine -> (audit arch, socket, io_uring_setup/enter/register)
_ARCH = {
    "x86_64": (0xC000003E, 41, (425, 426, 427)),
    "aarch64": (0xC00000B7, 198, (425, 426, 427)),
}

Instruction = tuple[int, int, int, int]
_Step = tuple[int, int | str, int | str, int]  # jumps may name a label


class SeccompError(OSError):
    """seccomp is missing or refused the filter."""


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


# Symbols are looked up on use: this module is imported (not used) on macOS too.
_libc = ctypes.CDLL(None, use_errno=True)


def available() -> bool:
    """True when this kernel and machine can run the filter."""
    if sys.platform != "linux" or os.uname().machine not in _ARCH:
        return False
    return bool(_libc.prctl(_PR_GET_SECCOMP, 0, 0, 0, 0) >= 0)


def socket_filter(
    machine: str | None = None, *, network: bool, unix: bool, loopback: bool = False
) -> list[Instruction]:
    """The filter as (code, jt, jf, k) instructions; jumps are relative.

    `network`: families other than AF_UNIX are allowed; `unix`: AF_UNIX is;
    `loopback`: the Internet and netlink families are (a private namespace).
    """
    machine = machine or os.uname().machine
    try:
        audit_arch, nr_socket, io_uring = _ARCH[machine]
    except KeyError:
        raise SeccompError(0, f"no seccomp filter for {machine}") from None
    on_unix = "allow" if unix else "deny"
    on_other = "allow" if network else "deny"
    steps: list[_Step | str] = [
        (_LD_W_ABS, 0, 0, _OFF_ARCH),
        (_JEQ_K, 1, 0, audit_arch),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),  # a foreign ABI: stop the process
        (_LD_W_ABS, 0, 0, _OFF_NR),
    ]
    if machine == "x86_64":
        steps += [(_JGE_K, 0, 1, _X32_SYSCALL_BIT), (_RET_K, 0, 0, _RET_KILL_PROCESS)]
    steps.append((_JEQ_K, "socket", 0, nr_socket))
    steps += [(_JEQ_K, "deny", 0, nr) for nr in io_uring]
    steps += [
        (_RET_K, 0, 0, _RET_ALLOW),
        "socket",
        (_LD_W_ABS, 0, 0, _OFF_ARG0),
        (_JEQ_K, on_unix, 0, _AF_UNIX),
    ]
    if loopback and not network:
        steps += [(_JEQ_K, "allow", 0, family) for family in _LOOPBACK_FAMILIES]
    steps += [
        (_JEQ_K, on_other, on_other, 0),  # always taken: a jump
        "allow",
        (_RET_K, 0, 0, _RET_ALLOW),
        "deny",
        (_RET_K, 0, 0, _RET_ERRNO | errno.EPERM),
    ]
    return _assemble(steps)


def _assemble(steps: list[_Step | str]) -> list[Instruction]:
    """Resolve label names (strings in the list, and in jumps) to relative offsets."""
    labels: dict[str, int] = {}
    code: list[_Step] = []
    for step in steps:
        if isinstance(step, str):
            labels[step] = len(code)
        else:
            code.append(step)

    def offset(at: int, jump: int | str) -> int:
        return labels[jump] - at - 1 if isinstance(jump, str) else jump

    return [(op, offset(i, jt), offset(i, jf), k) for i, (op, jt, jf, k) in enumerate(code)]


def install_socket_filter(*, network: bool, unix: bool, loopback: bool = False) -> None:
    """Install the filter on the calling process and its future children."""
    prog = socket_filter(network=network, unix=unix, loopback=loopback)
    blob = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
    buffer = ctypes.create_string_buffer(blob, len(blob))
    fprog = _SockFprog(len(prog), ctypes.cast(buffer, ctypes.c_void_p))
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise SeccompError(err, f"no_new_privs: {os.strerror(err)}")
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise SeccompError(err, f"seccomp filter: {os.strerror(err)}")
