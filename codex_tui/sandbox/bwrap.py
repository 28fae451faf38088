"""The bubblewrap command line for a sandboxed command.

`/` is bound read-only, `/dev` and `/proc` are fresh, writable roots are bound
read-write on top, `.git` inside them read-only again; the command gets its own
PID namespace (so killing bwrap kills everything it started), its own session,
and no network unless allowed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

__all__ = ["bwrap_argv", "bwrap_path", "bwrap_works"]


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def bwrap_argv(
    bwrap: str,
    argv: list[str] | tuple[str, ...],
    *,
    cwd: Path,
    writable: tuple[Path, ...],
    protected: tuple[Path, ...],
    network: bool,
) -> list[str]:
    """bwrap's argv running `argv` in `cwd` (roots resolved, parents first)."""
    out = [bwrap, "--new-session", "--die-with-parent", "--ro-bind", "/", "/"]
    if os.geteuid() == 0:
        # Run by root, bwrap keeps every capability unless told otherwise; with
        # them the command could simply unmount the read-only binds.
        out += ["--cap-drop", "ALL"]
    out += ["--dev", "/dev", "--proc", "/proc"]
    for root in writable:
        out += ["--bind", str(root), str(root)]
    for path in protected:
        out += ["--ro-bind", str(path), str(path)]
    if not network:
        out.append("--unshare-net")
    out += ["--unshare-pid", "--chdir", str(cwd), "--", *argv]
    return out


@cache
def bwrap_works(bwrap: str) -> tuple[bool, str]:
    """Whether bwrap can build a sandbox here (user namespaces may be off)."""
    probe = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
             "--unshare-net", "--die-with-parent", "--new-session", "true"]  # fmt: skip
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return False, lines[-1] if lines else f"exit status {done.returncode}"
    return True, ""
