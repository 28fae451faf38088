"""`codex-tui sandbox`: run one command under the sandbox, or say what is in force.

    codex-tui sandbox [-s MODE] [--network] [-C DIR] -- CMD ARGS…
    codex-tui sandbox --status

The command inherits the terminal (no capture, no timeout) and its exit code
becomes ours. When no sandbox can be enforced the command is not run.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
from typing import Any

from codex_tui.sandbox.detect import Mechanism, SandboxUnavailable
from codex_tui.sandbox.launch import find_program, landlock_git_protection
from codex_tui.sandbox.process import exit_status
from codex_tui.sandbox.run import Sandbox

__all__ = ["configure", "run"]

_MECHANISMS = {"auto": None, "bubblewrap": Mechanism.BWRAP, "landlock": Mechanism.LANDLOCK}
_GIT_PROTECTION = {
    "none": "git:        no .git in the writable roots",
    "mount": "git:        .git is bound read-only in a private mount namespace",
    "rules": "git:        .git is kept read-only by Landlock rules alone (no mount namespace "
    "here), so the directory holding it gets no new entries",
    "failed": "git:        the Landlock launcher could not confine itself (commands will fail)",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.usage = "codex-tui sandbox [-s MODE] [--network] [-C DIR] -- CMD [ARGS…]"
    parser.epilog = (
        "MODE is read-only, workspace-write (the default from config) or danger-full-access. "
        "--status exits 1 when the sandbox cannot be enforced here."
    )
    parser.add_argument(
        "--network", action="store_true", help="allow network access inside the sandbox"
    )
    parser.add_argument(
        "--status", action="store_true", help="say which sandbox mechanism is in force, and exit"
    )
    parser.add_argument(
        "--mechanism",
        choices=tuple(_MECHANISMS),
        default="auto",
        help="force a mechanism (default: bubblewrap if it works, else Landlock)",
    )
    parser.add_argument("sandbox_argv", nargs=argparse.REMAINDER, metavar="-- CMD ARGS")


def _fail(message: str, code: int) -> int:
    print(f"codex-tui: {message}", file=sys.stderr)
    return code


def _sandbox(ctx: Any) -> Sandbox:
    return Sandbox.from_config(
        ctx.config,
        workspace=ctx.cwd,
        network_access=True if ctx.args.network else None,
        mechanism=_MECHANISMS[ctx.args.mechanism],
    )


def _status(sandbox: Sandbox) -> int:
    support, policy = sandbox.support, sandbox.policy
    print(f"sandbox: {sandbox.status_line()}")
    lines = []
    if support.platform == "linux":
        bwrap = support.problem(Mechanism.BWRAP, network=False) or f"works ({support.bwrap})"
        landlock = support.problem(Mechanism.LANDLOCK, network=False) or (
            f"works (ABI {support.landlock_abi}, seccomp network filter)"
        )
        lines += [f"bubblewrap: {bwrap}", f"landlock:   {landlock}"]
    elif support.platform == "darwin":
        lines.append("sandbox-exec: " + ("available" if support.seatbelt else "not available"))
    if not policy.full_access:
        roots = ", ".join(str(p) for p in sandbox.writable_roots())
        note = " (.git inside them stays read-only)" if roots else ""
        lines.append(f"writable:   {roots or 'nothing'}{note}")
        lines.append("network:    " + ("on" if policy.network_enabled else "off"))
    lines += [f"note:       {n}" for n in support.notes(sandbox.mechanism)]
    if sandbox.mechanism is Mechanism.LANDLOCK:
        launch = sandbox.launch(["true"])
        how = landlock_git_protection(launch.writable, launch.protected)
        lines.append(_GIT_PROTECTION.get(how, f"note:       .git protection: {how}"))
    for line in lines:
        print(line)
    return 0 if sandbox.enforced else 1


def run(ctx: Any) -> int:
    args = ctx.args
    try:
        sandbox = _sandbox(ctx)
    except (SandboxUnavailable, ValueError) as exc:
        return _fail(f"sandbox: {exc}", 1)
    if args.status:
        return _status(sandbox)
    argv = list(args.sandbox_argv or [])
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        return _fail("sandbox: give a command after --, e.g. codex-tui sandbox -- ls", 2)
    try:
        launch = sandbox.launch(argv, cwd=ctx.cwd)
    except SandboxUnavailable as exc:
        return _fail(
            f"sandbox: {exc}; not running {argv[0]} unconfined "
            "(use -s danger-full-access to run it without a sandbox)",
            1,
        )
    if find_program(argv[0], cwd=launch.cwd, env=launch.env) is None:
        return _fail(f"{argv[0]}: command not found", 127)
    try:
        proc = subprocess.Popen(launch.argv, cwd=launch.cwd, env=launch.env)
    except OSError as exc:
        return _fail(f"{argv[0]}: {exc.strerror or exc}", 126)
    try:
        return exit_status(proc.wait())
    except KeyboardInterrupt:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 130
