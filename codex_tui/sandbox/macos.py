"""macOS: a `sandbox-exec` (Seatbelt) profile with the Linux sandbox's meaning.

Reads everywhere; writes only beneath the writable roots (passed as -D
parameters), never into `.git` inside them; network only when allowed.
Written from Apple's profile language documentation; it cannot be run on this
project's Linux CI, so it is checked for shape only (see the README).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SANDBOX_EXEC", "seatbelt_argv", "seatbelt_profile"]

SANDBOX_EXEC = "/usr/bin/sandbox-exec"

_BASE = """(version 1)
(deny default)
(allow process-exec)
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
(allow file-read*)
(allow file-write-data file-ioctl
  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/dtracehelper")
  (regex #"^/dev/ttys[0-9]+$"))
(allow pseudo-tty)
(allow sysctl-read)
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.system.logger")
  (global-name "com.apple.coreservices.launchservicesd")
  (global-name "com.apple.SecurityServer"))
(allow ipc-posix-sem)
(allow ipc-posix-shm-read-data)
(allow iokit-open (iokit-registry-entry-class "RootDomainUserClient"))
"""

_NETWORK = """(allow network-outbound)
(allow network-inbound)
(allow system-socket)
(allow mach-lookup
  (global-name "com.apple.dnssd.service")
  (global-name "com.apple.trustd.agent"))
"""


def seatbelt_profile(n_roots: int, protected: tuple[int, ...] = (), network: bool = False) -> str:
    """The profile text; root i is the parameter WRITABLE_ROOT_i.

    `protected` lists the indexes of roots holding a `.git` (parameter
    PROTECTED_i), which stays read-only.
    """
    lines = [_BASE]
    for i in range(n_roots):
        root = f'(subpath (param "WRITABLE_ROOT_{i}"))'
        if i in protected:
            keep = f'(require-not (subpath (param "PROTECTED_{i}")))'
            lines.append(f"(allow file-write* (require-all {root} {keep}))\n")
        else:
            lines.append(f"(allow file-write* {root})\n")
    if network:
        lines.append(_NETWORK)
    return "".join(lines)


def seatbelt_argv(
    argv: list[str] | tuple[str, ...],
    *,
    writable: tuple[Path, ...],
    protected: tuple[Path, ...],
    network: bool,
) -> list[str]:
    """`sandbox-exec -p PROFILE -D …` running `argv`."""
    params: list[str] = []
    protected_ix: list[int] = []
    for i, root in enumerate(writable):
        params += ["-D", f"WRITABLE_ROOT_{i}={root}"]
        git = next((p for p in protected if p.parent == root), None)
        if git is not None:
            protected_ix.append(i)
            params += ["-D", f"PROTECTED_{i}={git}"]
    profile = seatbelt_profile(len(writable), tuple(protected_ix), network)
    return [SANDBOX_EXEC, "-p", profile, *params, "--", *argv]
