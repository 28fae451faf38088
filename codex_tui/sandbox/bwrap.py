"""The bubblewrap command line for a sandboxed command.

`/` is bound read-only, `/dev` and `/proc` are fresh, and the kernel's knobs
under /proc (sys, sysrq-trigger, irq, bus, fs) are bound read-only over the
fresh /proc: run by root, bwrap would leave /proc/sys writable, and
`kernel/core_pattern` there is host-root code execution. Then the planned
layout (`layout.py`: the private /tmp, an empty /run, writable roots bound
read-write), `.git` inside them read-only again; the command gets its own PID
namespace (so killing bwrap kills everything it started), its own session, and
no network unless allowed: the session's private one (`netns.py`) when bwrap is
started inside it, else a namespace of its own with only a loopback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from codex_tui.sandbox.layout import MountOp, bwrap_mount_args

__all__ = ["PROC_READ_ONLY", "bwrap_argv", "bwrap_path", "bwrap_works"]

PROC_READ_ONLY = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def bwrap_argv(
    bwrap: str,
    argv: list[str] | tuple[str, ...],
    *,
    cwd: Path,
    mounts: tuple[MountOp, ...],
    protected: tuple[Path, ...],
    network: bool,
    shared_net: bool = False,
) -> list[str]:
    """bwrap's argv running `argv` in `cwd` after the `mounts` (see `layout.plan_mounts`).

    `shared_net`: bwrap is started inside the session's network namespace
    (`netns.py`) and stays there, rather than making one of its own.
    """
    out = [bwrap, "--new-session", "--die-with-parent", "--ro-bind", "/", "/"]
    if os.geteuid() == 0:
        # Run by root, bwrap keeps every capability unless told otherwise; with
        # them the command could simply unmount the read-only binds.
        out += ["--cap-drop", "ALL"]
    out += ["--dev", "/dev", "--proc", "/proc"]
    # bwrap takes bind sources from the host's view: the host's /proc/sys (the
    # same knobs; network ones follow the caller's namespace) over the new one.
    for knob in PROC_READ_ONLY:
        out += ["--ro-bind-try", knob, knob]
    out += bwrap_mount_args(mounts)
    for path in protected:
        out += ["--ro-bind", str(path), str(path)]
    if not network and not shared_net:
        out.append("--unshare-net")
    out += ["--unshare-pid", "--chdir", str(cwd), "--", *argv]
    return out


@cache
def bwrap_works(bwrap: str, enter: tuple[str, ...] = ()) -> tuple[bool, str]:
    """Whether bwrap can build a sandbox here (user namespaces may be off); started
    by `enter` (nsenter into the session's network namespace), without a network
    namespace of its own."""
    own_net = () if enter else ("--unshare-net",)
    probe = [*enter, bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
             "--unshare-pid", *own_net, "--die-with-parent", "--new-session", "true"]  # fmt: skip
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return False, lines[-1] if lines else f"exit status {done.returncode}"
    return True, ""
