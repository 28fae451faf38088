"""`Sandbox`: the one object the agent uses to run commands.

It holds the session's sandbox settings, knows which mechanism enforces them
here (or that none does), and runs commands inside or — when the decision
says so — outside the sandbox, with the environment policy applied. It owns
what the session's commands share: the private /tmp, the list of `.git`
entries to protect (found once, by the first command that needs it), and,
with the network off, a network namespace with only a loopback (`netns.py`).
`close()` removes the private /tmp and lets the namespace go.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_tui.sandbox import gitdirs
from codex_tui.sandbox.detect import (
    MECHANISM_ENV,
    Mechanism,
    SandboxSupport,
    SandboxUnavailable,
    mechanism_from_env,
    probe_support,
)
from codex_tui.sandbox.env import EnvPolicy, build_env, sandbox_markers
from codex_tui.sandbox.launch import Launch, LaunchContext, build_launch, find_program
from codex_tui.sandbox.layout import HIDDEN_DIRS
from codex_tui.sandbox.netns import SessionNetwork, SharedNet
from codex_tui.sandbox.output import OutputLimits
from codex_tui.sandbox.process import run_process
from codex_tui.sandbox.settings import SandboxPolicy
from codex_tui.sandbox.shell_snapshot import (
    CAPTURE,
    SNAPSHOT_VAR,
    login_script,
    parse_capture,
    with_snapshot,
)
from codex_tui.sandbox.spec import NamespaceStrategy
from codex_tui.sandbox.tmpdir import PrivateTmp

__all__ = ["DEFAULT_TIMEOUT_MS", "ExecResult", "Sandbox"]

DEFAULT_TIMEOUT_MS = 10_000
COMMAND_NOT_FOUND = 127


@dataclass(frozen=True)
class ExecResult:
    """How a command went. `sandboxed` is False for plain processes."""

    exit_code: int
    output: str
    duration_ms: int
    timed_out: bool
    mechanism: Mechanism
    sandboxed: bool
    total_lines: int = 0
    truncated: bool = False


class Sandbox:
    """Runs commands for one session under `policy` (see module docstring).

    `mechanism` forces bubblewrap or Landlock (tests, `--mechanism`); by
    default `CODEX_TUI_SANDBOX_MECHANISM` names one, else the best working one
    is used. Forcing one that cannot work here raises SandboxUnavailable; one
    named by the environment that cannot work leaves the sandbox NOT ENFORCED.
    `previous`: the sandbox this one replaces mid-session (a /sandbox change);
    this one takes over its private /tmp and network namespace, so the files
    there stay and servers started before stay reachable.
    `hidden_dirs`: the host directories hidden inside (default: /run, /var/run
    and the host's temp directory when it is not /tmp). `namespaces` (for
    tests): the Landlock launcher's namespace strategy.
    """

    def __init__(
        self,
        policy: SandboxPolicy,
        *,
        workspace: Path,
        env_policy: EnvPolicy | None = None,
        mechanism: Mechanism | None = None,
        support: SandboxSupport | None = None,
        default_timeout_ms: int = DEFAULT_TIMEOUT_MS,
        limits: OutputLimits | None = None,
        base_env: Mapping[str, str] | None = None,
        namespaces: NamespaceStrategy = "auto",
        hidden_dirs: tuple[Path, ...] | None = None,
        previous: Sandbox | None = None,
        shell_snapshots: bool = True,
    ) -> None:
        self.policy = policy
        # `bash -lc` runs after a once-per-session snapshot of the profile (shell_snapshot).
        self.shell_snapshots = shell_snapshots
        self.workspace = Path(workspace).resolve()
        self.env_policy = env_policy or EnvPolicy()
        self.support = support or probe_support()
        self.default_timeout_ms = default_timeout_ms
        self.limits = limits
        self.base_env = base_env
        self.namespaces = namespaces
        self.hidden_dirs = (
            (*HIDDEN_DIRS, *self._host_tmpdirs()) if hidden_dirs is None else hidden_dirs
        )
        network = policy.network_enabled
        self._env_problem = ""
        if mechanism is not None and mechanism is not Mechanism.NONE:
            problem = self.support.problem(mechanism, network=network)
            if problem:
                raise SandboxUnavailable(problem)
        elif mechanism is None:
            mechanism, self._env_problem = mechanism_from_env(os.environ)
            if mechanism is not None:
                problem = self.support.problem(mechanism, network=network)
                if problem:
                    self._env_problem = f"{MECHANISM_ENV}={mechanism}: {problem}"
        if policy.full_access or self._env_problem:
            self.mechanism = Mechanism.NONE
        else:
            self.mechanism = self.support.choose(network=network, requested=mechanism)
        self._tmp: PrivateTmp = previous._tmp if previous is not None else PrivateTmp()
        self._net: SessionNetwork = previous._net if previous is not None else SessionNetwork()
        self._owns_shared = True  # the private /tmp and the network namespace
        if previous is not None:
            previous._owns_shared = False
        self._scan_lock = threading.Lock()
        # The login shell's snapshot: None until tried, "" when it cannot be used.
        self._snapshot: str | None = previous._snapshot if previous is not None else None
        self._snapshot_lock = asyncio.Lock()
        self._scan: gitdirs.GitScan | None = None
        self._protected: tuple[Path, ...] | None = None

    @classmethod
    def from_config(
        cls,
        config: Any,
        *,
        workspace: Path,
        network_access: bool | None = None,
        mechanism: Mechanism | None = None,
        **kwargs: Any,
    ) -> Sandbox:
        """From an object with the config's attribute names (duck-typed)."""
        kwargs.setdefault("default_timeout_ms", getattr(config, "command_timeout_ms", 10_000))
        kwargs.setdefault("shell_snapshots", getattr(config, "shell_snapshot", True))
        return cls(
            SandboxPolicy.from_config(config, network_access=network_access),
            workspace=workspace,
            env_policy=EnvPolicy.from_config(config.shell_environment_policy),
            mechanism=mechanism,
            **kwargs,
        )

    @property
    def enforced(self) -> bool:
        """True when commands can run with the policy's restrictions (or none are asked)."""
        return self.policy.full_access or self.mechanism is not Mechanism.NONE

    def _host_tmpdirs(self) -> tuple[Path, ...]:
        """The host's temp directories other than /tmp ($TMPDIR: ssh-agent puts its
        socket there): hidden like /run, since the private /tmp replaces them."""
        candidates = {tempfile.gettempdir(), os.environ.get("TMPDIR", "")}
        if self.base_env is not None:
            candidates.add(self.base_env.get("TMPDIR", ""))
        # Never `/` or a top-level directory (TMPDIR=/usr would hide the system).
        paths = (Path(c) for c in sorted(candidates) if os.path.isabs(c))
        return tuple(p for p in paths if len(p.parts) > 2)

    @property
    def private_tmp_dir(self) -> Path | None:
        """The host directory commands see as /tmp; None until a command needed it."""
        return self._tmp.path

    def close(self) -> None:
        """Remove the private /tmp and let the network namespace go (unless a
        successor took them over). Idempotent."""
        if self._owns_shared:
            self._tmp.close()
            self._net.close()

    def shared_network(self) -> SharedNet | None:
        """The session's network namespace, which sandboxed commands join while
        the network is off (made by the first one; blocking). None when they do
        not: the network is on, no Linux namespaces here (or in tests, the
        launcher is told to use none), or it cannot be made or joined; see
        `network_problem`."""
        if self.policy.network_enabled or self.namespaces == "none":
            return None
        if self.mechanism not in (Mechanism.BWRAP, Mechanism.LANDLOCK):
            return None
        return self._net.join(self.mechanism, bwrap=self.support.bwrap or "bwrap")

    @property
    def network_problem(self) -> str:
        """Why commands do not share the session's network namespace ("" if they do)."""
        return self._net.problem(self.mechanism)

    def prepare(self) -> None:
        """What a sandboxed command needs made first (the walk for `.git`, the network
        namespace): blocking, up to a second the first time; call it off the event loop."""
        if self.mechanism is not Mechanism.NONE and not self.policy.full_access:
            self.protected_paths()
            self.shared_network()

    def writable_roots(self) -> tuple[Path, ...]:
        """Host directories a sandboxed command may write (for `decide_patch` too)."""
        return self.policy.writable_roots_for(self.workspace)

    def git_scan(self) -> gitdirs.GitScan:
        """The walk for `.git` entries beneath the writable roots (done once; blocking)."""
        self.protected_paths()
        assert self._scan is not None
        return self._scan

    def protected_paths(self) -> tuple[Path, ...]:
        """Every `.git` under the writable roots, kept read-only inside (see `gitdirs`).

        Found by the first call (it walks the roots, up to a second; call it off
        the event loop) and kept for the session, so a repository created later
        is not protected until the next session, unless a protected path has
        disappeared or turned into a symlink: then the walk runs again, so a
        moved `.git` cannot leave protection behind.
        """
        with self._scan_lock:
            known = self._protected
            if known is not None and all(_unchanged(p) for p in known):
                return known
            roots = self.writable_roots()
            self._scan = gitdirs.find_git_entries(roots)
            self._protected = gitdirs.protected_paths(roots, self._scan.entries)
            return self._protected

    def _why_not_enforced(self) -> str:
        return self._env_problem or self.support.why_none(network=self.policy.network_enabled)

    def status_line(self) -> str:
        """One line for the status bar, honest about what is enforced."""
        mode = self.policy.mode
        if self.policy.full_access:
            return f"{mode} (no sandbox)"
        if self.mechanism is Mechanism.NONE:
            return f"{mode} NOT ENFORCED ({self._why_not_enforced()}); every command asks"
        network = "network on" if self.policy.network_enabled else "network off"
        return f"{mode} via {self.mechanism} · {network}"

    def _env(self, *, sandboxed: bool) -> dict[str, str]:
        base = os.environ if self.base_env is None else self.base_env
        env = build_env(self.env_policy, base)
        if sandboxed and not self.policy.full_access:
            env.update(sandbox_markers(self.policy.mode, self.policy.network_enabled))
        return env

    def launch(
        self,
        argv: list[str] | tuple[str, ...],
        *,
        cwd: Path | None = None,
        sandboxed: bool = True,
        extra_env: Mapping[str, str] | None = None,
        own_child: bool = True,
    ) -> Launch:
        """The wrapped command line (raises SandboxUnavailable rather than run unconfined).

        A sandboxed launch makes the private /tmp, walks for `.git` entries and
        makes the network namespace the first time (see `prepare`). `own_child`
        False: another process (an editor) will start it, not codex-tui.
        """
        if not argv:
            raise ValueError("empty command")
        sandboxed = sandboxed and not self.policy.full_access
        if sandboxed and self.mechanism is Mechanism.NONE:
            raise SandboxUnavailable(f"no sandbox can be enforced here: {self._why_not_enforced()}")
        mechanism = self.mechanism if sandboxed else Mechanism.NONE
        context = None
        if mechanism is not Mechanism.NONE:
            context = LaunchContext(
                tmp=self._tmp.ensure(),
                protected=self.protected_paths(),
                hidden=self.hidden_dirs,
                namespaces=self.namespaces,
                netns=self.shared_network(),
                own_child=own_child,
            )
        return build_launch(
            argv,
            policy=self.policy,
            mechanism=mechanism,
            workspace=self.workspace,
            cwd=Path(cwd).resolve() if cwd is not None else self.workspace,
            env={**self._env(sandboxed=sandboxed), **(extra_env or {})},
            bwrap=self.support.bwrap or "bwrap",
            context=context,
        )

    async def _login_snapshot(self, cwd: Path | None) -> str:
        """The session's login-shell snapshot, captured by the first caller ("":
        none, run `bash -lc` as is). See shell_snapshot."""
        async with self._snapshot_lock:
            if self._snapshot is None:
                self._snapshot = ""
                launch = self.launch(["bash", "-lc", CAPTURE], cwd=cwd)
                try:
                    result = await run_process(
                        launch.argv, cwd=launch.cwd, env=launch.env, timeout_ms=10_000,
                        limits=self.limits,
                        graceful_leader=launch.mechanism is Mechanism.LANDLOCK,
                    )  # fmt: skip
                except OSError:
                    return ""
                if result.exit_code == 0 and not result.timed_out and not result.truncated:
                    self._snapshot = parse_capture(result.output) or ""
            return self._snapshot

    async def prepare_launch(
        self,
        argv: list[str] | tuple[str, ...],
        *,
        cwd: Path | None = None,
        sandboxed: bool = True,
        own_child: bool = True,
    ) -> Launch | ExecResult:
        """What `run` starts for `argv` (the wrapped command line, after the login
        shell's snapshot), or the result of a command that cannot start (no such
        folder, no such program). An editor's terminal starts the same launch."""
        if sandboxed:
            await asyncio.to_thread(self.prepare)  # a walk, a namespace: off the loop
        extra_env: dict[str, str] = {}
        script = login_script(argv) if sandboxed and self.shell_snapshots else None
        if script is not None and self.mechanism is not Mechanism.NONE:
            snapshot = await self._login_snapshot(cwd)
            if snapshot:
                argv, extra_env = with_snapshot(script), {SNAPSHOT_VAR: snapshot}
        launch = self.launch(
            argv, cwd=cwd, sandboxed=sandboxed, extra_env=extra_env, own_child=own_child
        )
        inside = launch.mechanism is not Mechanism.NONE
        if not launch.cwd.is_dir():
            return ExecResult(1, f"working directory {launch.cwd} does not exist\n", 0, False,
                              launch.mechanism, inside, 1)  # fmt: skip
        if find_program(argv[0], cwd=launch.cwd, env=launch.env) is None:
            return ExecResult(COMMAND_NOT_FOUND, f"{argv[0]}: command not found\n", 0, False,
                              launch.mechanism, inside, 1)  # fmt: skip
        return launch

    async def run(
        self,
        argv: list[str] | tuple[str, ...],
        *,
        cwd: Path | None = None,
        timeout_ms: int | None = None,
        sandboxed: bool = True,
        on_output: Callable[[bytes], None] | None = None,
    ) -> ExecResult:
        """Run `argv` to completion; `sandboxed=False` for an approved escalation."""
        launch = await self.prepare_launch(argv, cwd=cwd, sandboxed=sandboxed)
        if isinstance(launch, ExecResult):
            return launch
        inside = launch.mechanism is not Mechanism.NONE
        started = time.monotonic()
        try:
            result = await run_process(
                launch.argv,
                cwd=launch.cwd,
                env=launch.env,
                timeout_ms=self.default_timeout_ms if timeout_ms is None else timeout_ms,
                limits=self.limits,
                on_output=on_output,
                graceful_leader=launch.mechanism is Mechanism.LANDLOCK,
            )
        except OSError as exc:
            elapsed = int((time.monotonic() - started) * 1000)
            return ExecResult(126, f"{argv[0]}: {exc.strerror or exc}\n", elapsed, False,
                              launch.mechanism, inside, 1)  # fmt: skip
        return ExecResult(
            exit_code=result.exit_code,
            output=result.output,
            duration_ms=result.duration_ms,
            timed_out=result.timed_out,
            mechanism=launch.mechanism,
            sandboxed=inside,
            total_lines=result.total_lines,
            truncated=result.truncated,
        )


def _unchanged(path: Path) -> bool:
    """Still there, and still reached without a symbolic link on the way."""
    return os.path.lexists(path) and os.path.realpath(path) == str(path)
