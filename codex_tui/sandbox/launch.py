"""Wrap a command for a mechanism: the argv, environment and cwd to start.

bubblewrap and sandbox-exec wrap the command line (bubblewrap behind `nsenter`
when it joins the session's network namespace); the Landlock mechanism starts
a small Python launcher (`confine.py`) that sets up namespaces, confines a
child of its own and runs the command there (see `reaper.py`).
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

import codex_tui
from codex_tui.sandbox.bwrap import bwrap_argv
from codex_tui.sandbox.detect import Mechanism
from codex_tui.sandbox.layout import (
    HIDDEN_DIRS,
    TMP,
    existing_dirs,
    plan_mounts,
    resolver_paths,
)
from codex_tui.sandbox.macos import seatbelt_argv
from codex_tui.sandbox.netns import SharedNet
from codex_tui.sandbox.settings import SandboxPolicy
from codex_tui.sandbox.spec import LauncherSpec, NamespaceStrategy, TmpSpec

__all__ = ["Launch", "LaunchContext", "build_launch", "find_program", "probe_landlock"]

# `python -I -S`: no PYTHON* variables, no user site, no site-packages (.pth
# files there cost ~25 ms a command); the package root is put on sys.path.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from codex_tui.sandbox.confine import main; sys.exit(main(sys.argv[2:]))"
)
_PACKAGE_ROOT = str(Path(codex_tui.__file__).resolve().parent.parent)


def launcher_argv(spec: LauncherSpec, argv: list[str] | tuple[str, ...]) -> list[str]:
    """The Landlock launcher's command line for `spec` running `argv`."""
    return [sys.executable, "-I", "-S", "-c", _BOOT, _PACKAGE_ROOT, json.dumps(spec), "--", *argv]


@dataclass(frozen=True)
class Launch:
    """What to start: `argv` in `cwd` with `env`, under `mechanism`."""

    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: Path
    mechanism: Mechanism
    writable: tuple[Path, ...] = ()
    protected: tuple[Path, ...] = ()
    spec: LauncherSpec | None = None  # the Landlock launcher's


@dataclass(frozen=True)
class LaunchContext:
    """What a `Sandbox` knows beyond the policy: its private /tmp, the `.git`
    entries to protect, the directories to hide, the Landlock launcher's
    namespace strategy, and the session's network namespace (network off)."""

    tmp: Path | None = None
    protected: tuple[Path, ...] = ()
    hidden: tuple[Path, ...] = HIDDEN_DIRS
    namespaces: NamespaceStrategy = "auto"
    netns: SharedNet | None = None
    # False: another process (an editor's terminal) starts the command, so the
    # Landlock launcher cannot check that its parent is codex-tui.
    own_child: bool = True


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
    context: LaunchContext | None = None,
) -> Launch:
    """The wrapped command; `mechanism` NONE means a plain process."""
    env = dict(env)
    if mechanism is Mechanism.NONE:
        return Launch(tuple(argv), env, cwd, mechanism)
    ctx = context or LaunchContext()
    writable = policy.writable_roots_for(workspace)
    network = policy.network_enabled
    netns = None if network else ctx.netns
    hidden = existing_dirs(ctx.hidden)
    mounts = plan_mounts(
        tmp=ctx.tmp,
        tmp_writable=policy.private_tmp_writable,
        hidden=hidden,
        writable=writable,
        workspace=workspace,
        visible=(cwd,),
        readable=resolver_paths() if network else (),
    )
    # Where commands find the private directory: at /tmp when mounted there (no
    # mounts on macOS; the Landlock launcher without a namespace says so itself).
    mounted = mechanism is not Mechanism.SEATBELT and any(
        op.dest == str(TMP) and op.kind == "bind" for op in mounts
    )
    if ctx.tmp is not None:
        env["TMPDIR"] = str(TMP) if mounted else str(ctx.tmp)
    spec: LauncherSpec | None = None
    if mechanism is Mechanism.BWRAP:
        wrapped = bwrap_argv(bwrap, argv, cwd=cwd, mounts=mounts, protected=ctx.protected,
                             network=network, shared_net=netns is not None)  # fmt: skip
        if netns is not None:
            wrapped = [*netns.nsenter_argv(), *wrapped]
    elif mechanism is Mechanism.LANDLOCK:
        tmp: TmpSpec | None = None
        if ctx.tmp is not None:
            inside = str(TMP) if mounted else str(ctx.tmp)
            tmp = {"host": str(ctx.tmp), "inside": inside,
                   "writable": policy.private_tmp_writable}  # fmt: skip
        spec = {
            "writable": [str(p) for p in writable],
            "protected": [str(p) for p in ctx.protected],
            "network": network,
            "netns": None if netns is None else netns.spec(),
            "namespaces": ctx.namespaces,
            "mounts": [op.as_list() for op in mounts],
            "tmp": tmp,
        }
        if ctx.own_child:
            spec["parent"] = os.getpid()
        wrapped = launcher_argv(spec, argv)
    elif mechanism is Mechanism.SEATBELT:
        # No mount namespace on macOS: the private directory is a writable root.
        roots = writable
        if ctx.tmp is not None and policy.private_tmp_writable:
            roots = (*writable, ctx.tmp)
        wrapped = seatbelt_argv(argv, writable=roots, protected=ctx.protected, network=network)
    else:
        raise ValueError(f"unknown mechanism {mechanism}")
    return Launch(tuple(wrapped), env, cwd, mechanism, writable, ctx.protected, spec)


def probe_landlock(launch: Launch) -> dict[str, str]:
    """How the Landlock launcher would confine `launch` here (it confines a child, runs
    nothing, and reports): keys git, namespaces, pid. {"failed": …} when it cannot."""
    if launch.spec is None:
        return {"failed": "not a Landlock launch"}
    spec: LauncherSpec = {**launch.spec, "probe": True}
    spec.pop("parent", None)
    try:
        done = subprocess.run(
            launcher_argv(spec, []), cwd=launch.cwd, capture_output=True, text=True,
            timeout=20, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            return {"failed": lines[-1] if lines else f"exit status {done.returncode}"}
        report = json.loads(done.stdout)
        return {str(k): str(v) for k, v in report.items()}
    except (OSError, ValueError, AttributeError, subprocess.TimeoutExpired) as exc:
        return {"failed": str(exc)}
