"""`codex-tui sandbox`: run one command under the sandbox, or say what is in force.

    codex-tui sandbox [-s MODE] [--network] [-C DIR] -- CMD ARGS…
    codex-tui sandbox --status

The command inherits the terminal (no capture, no timeout) and its exit code
becomes ours. When no sandbox can be enforced the command is not run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from typing import Any

from codex_tui.sandbox.detect import MECHANISM_ENV, Mechanism, SandboxUnavailable
from codex_tui.sandbox.launch import find_program, probe_landlock
from codex_tui.sandbox.process import exit_status
from codex_tui.sandbox.run import Sandbox

__all__ = ["configure", "run"]

_MECHANISMS = {"auto": None, "bubblewrap": Mechanism.BWRAP, "landlock": Mechanism.LANDLOCK}
_TMP = {
    "private": "tmp:        private to the session: a directory of its own is bound at /tmp "
    "(and TMPDIR=/tmp), {access}; the host's /tmp is out of sight",
    "rules": "tmp:        /tmp is the host's and read-only (no mount namespace here); TMPDIR is a "
    "private directory, {access}. Host UNIX sockets stay reachable by path, so "
    "socket(AF_UNIX) is refused (socketpair works)",
}
_RUN = {
    "private": "run:        /run is an empty read-only tmpfs: the host's sockets there are "
    "out of sight",
    "rules": "run:        /run is the host's (no mount namespace); see tmp",
}
_PROCESSES = {
    "bubblewrap": "processes:  a PID namespace (bubblewrap): nothing a command starts outlives it",
    "namespace": "processes:  a PID namespace: nothing a command starts outlives it",
    "subreaper": "processes:  no PID namespace here: the launcher is a subreaper and kills "
    "what is left (double-forked daemons too) when the command ends",
}
_GIT_HOW = {
    "mount": ", bound read-only in a private mount namespace",
    "rules": ", kept read-only by Landlock rules alone (no mount namespace here), so the "
    "directories holding them get no new entries",
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
        help=f"force a mechanism (default: ${MECHANISM_ENV} if set, else bubblewrap if it "
        "works, else Landlock)",
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


def _isolation(sandbox: Sandbox) -> list[str]:
    """What keeps /tmp, /run, processes and `.git` apart, as it will be for a command."""
    tmp_access = "writable" if sandbox.policy.private_tmp_writable else "read-only"
    if sandbox.mechanism is Mechanism.LANDLOCK:
        report = probe_landlock(sandbox.launch(["true"]))
        if "failed" in report:
            return [f"note:       the Landlock launcher cannot confine here: {report['failed']}"]
        layout = "private" if report["namespaces"] == "mount" else "rules"
        processes, git_how = _PROCESSES[report["pid"]], _GIT_HOW.get(report["git"], "")
    elif sandbox.mechanism is Mechanism.BWRAP:
        layout, processes, git_how = "private", _PROCESSES["bubblewrap"], _GIT_HOW["mount"]
    else:
        return []
    scan = sandbox.git_scan()
    count = len(sandbox.protected_paths())
    walk = f"a walk of {scan.dirs_scanned} directories"
    if not scan.complete:
        walk += ", stopped at its cap: deeper repositories are not protected"
    return [
        _TMP[layout].format(access=tmp_access),
        _RUN[layout],
        processes,
        f"git:        {count} .git kept read-only ({walk}){git_how if count else ''}",
    ]


def _network(sandbox: Sandbox) -> str:
    """On or off, and with the network off, whether the session's commands share a loopback."""
    if sandbox.policy.network_enabled:
        return "on"
    if sandbox.mechanism not in (Mechanism.BWRAP, Mechanism.LANDLOCK):
        return "off"
    if sandbox.shared_network() is not None:
        return (
            "off: the session's commands share a network namespace with only a loopback "
            "(servers they start reach each other on 127.0.0.1; nothing else is reachable)"
        )
    alone = {
        Mechanism.BWRAP: "a network namespace of its own",
        Mechanism.LANDLOCK: "no TCP, no sockets but UNIX ones",
    }[sandbox.mechanism]
    why = sandbox.network_problem or "no namespaces here"
    return f"off: each command is cut off on its own ({alone}; {why})"


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
    if os.environ.get(MECHANISM_ENV, "").strip():
        lines.append(f"mechanism:  {MECHANISM_ENV}={os.environ[MECHANISM_ENV].strip()}")
    if not policy.full_access:
        roots = ", ".join(str(p) for p in sandbox.writable_roots())
        note = " (.git inside them stays read-only)" if roots else ""
        lines.append(f"writable:   {roots or 'nothing'}{note}")
        lines.append("network:    " + _network(sandbox))
        lines += _isolation(sandbox)
    lines += [f"note:       {n}" for n in support.notes(sandbox.mechanism)]
    for line in lines:
        print(line)
    return 0 if sandbox.enforced else 1


def run(ctx: Any) -> int:
    args = ctx.args
    try:
        sandbox = _sandbox(ctx)
    except (SandboxUnavailable, ValueError) as exc:
        return _fail(f"sandbox: {exc}", 1)
    try:
        return _status(sandbox) if args.status else _run_command(sandbox, ctx)
    finally:
        sandbox.close()


def _run_command(sandbox: Sandbox, ctx: Any) -> int:
    args = ctx.args
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
        # The terminal sent SIGINT to the command too; give it a moment, then
        # SIGTERM (the Landlock launcher cleans up on it), then SIGKILL.
        for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(stop)
            try:
                proc.wait(timeout=2)
                break
            except subprocess.TimeoutExpired:
                continue
        return 130
