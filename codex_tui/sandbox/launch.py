"""Wrap a command for a mechanism: the argv, environment and cwd to start.

bubblewrap and sandbox-exec wrap the command line; the Landlock mechanism
starts a small Python launcher (`confine.py`) that confines itself and then
execs the command, so the running program is the command itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import codex_tui
from codex_tui.sandbox.bwrap import bwrap_argv
from codex_tui.sandbox.detect import Mechanism
from codex_tui.sandbox.macos import seatbelt_argv
from codex_tui.sandbox.settings import SandboxPolicy, protected_paths

__all__ = ["GitStrategy", "Launch", "build_launch", "find_program", "landlock_git_protection"]

GitStrategy = Literal["auto", "mount", "rules"]

# `python -I` ignores PYTHON* variables and the user's site; the package root
# is put on sys.path explicitly so a source checkout works as well.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from codex_tui.sandbox.confine import main; sys.exit(main(sys.argv[2:]))"
)
_PACKAGE_ROOT = str(Path(codex_tui.__file__).resolve().parent.parent)


@dataclass(frozen=True)
class Launch:
    """What to start: `argv` in `cwd` with `env`, under `mechanism`."""

    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: Path
    mechanism: Mechanism
    writable: tuple[Path, ...] = ()
    protected: tuple[Path, ...] = ()


def find_program(name: str, *, cwd: Path, env: Mapping[str, str]) -> str | None:
    """Where `name` would be found (PATH from `env`, relative paths from `cwd`)."""
    if "/" in name:
        path = Path(name) if os.path.isabs(name) else cwd / name
        return str(path) if os.access(path, os.X_OK) and path.is_file() else None
    return shutil.which(name, path=env.get("PATH", os.defpath))


def build_launch(
    argv: list[str] | tuple[str, ...],
    *,
    policy: SandboxPolicy,
    mechanism: Mechanism,
    workspace: Path,
    cwd: Path,
    env: Mapping[str, str],
    bwrap: str = "bwrap",
    git_strategy: GitStrategy = "auto",
) -> Launch:
    """The wrapped command; `mechanism` NONE means a plain process."""
    env = dict(env)
    if mechanism is Mechanism.NONE:
        return Launch(tuple(argv), env, cwd, mechanism)
    writable = policy.writable_roots_for(workspace, env)
    protected = protected_paths(writable)
    network = policy.network_enabled
    if mechanism is Mechanism.BWRAP:
        wrapped = bwrap_argv(
            bwrap, argv, cwd=cwd, writable=writable, protected=protected, network=network
        )
    elif mechanism is Mechanism.LANDLOCK:
        spec = {
            "writable": [str(p) for p in writable],
            "protected": [str(p) for p in protected],
            "network": network,
            "git": git_strategy,
        }
        wrapped = [sys.executable, "-I", "-c", _BOOT, _PACKAGE_ROOT, json.dumps(spec), "--", *argv]
    elif mechanism is Mechanism.SEATBELT:
        wrapped = seatbelt_argv(argv, writable=writable, protected=protected, network=network)
    else:
        raise ValueError(f"unknown mechanism {mechanism}")
    return Launch(tuple(wrapped), env, cwd, mechanism, writable, protected)


def landlock_git_protection(writable: tuple[Path, ...], protected: tuple[Path, ...]) -> str:
    """How the Landlock launcher would keep `.git` read-only here: "mount" or "rules".

    Runs the launcher in probe mode (it confines itself and reports); "failed"
    when it could not confine at all.
    """
    spec = {"writable": [str(p) for p in writable], "protected": [str(p) for p in protected],
            "network": True, "probe": True}  # fmt: skip
    argv = [sys.executable, "-I", "-c", _BOOT, _PACKAGE_ROOT, json.dumps(spec), "--"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
        return str(json.loads(done.stdout)["git"]) if done.returncode == 0 else "failed"
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return "failed"
