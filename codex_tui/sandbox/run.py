"""`Sandbox`: the one object the agent uses to run commands.

It holds the session's sandbox settings, knows which mechanism enforces them
here (or that none does), and runs commands inside or — when the decision
says so — outside the sandbox, with the environment policy applied.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_tui.sandbox.detect import Mechanism, SandboxSupport, SandboxUnavailable, probe_support
from codex_tui.sandbox.env import EnvPolicy, build_env, sandbox_markers
from codex_tui.sandbox.launch import GitStrategy, Launch, build_launch, find_program
from codex_tui.sandbox.output import OutputLimits
from codex_tui.sandbox.process import run_process
from codex_tui.sandbox.settings import SandboxPolicy

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
    default the best working one is used. Forcing one that cannot work here
    raises SandboxUnavailable.
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
        git_strategy: GitStrategy = "auto",
    ) -> None:
        self.policy = policy
        self.workspace = Path(workspace).resolve()
        self.env_policy = env_policy or EnvPolicy()
        self.support = support or probe_support()
        self.default_timeout_ms = default_timeout_ms
        self.limits = limits
        self.base_env = base_env
        self.git_strategy = git_strategy
        network = policy.network_enabled
        if mechanism is not None and mechanism is not Mechanism.NONE:
            problem = self.support.problem(mechanism, network=network)
            if problem:
                raise SandboxUnavailable(problem)
        self.mechanism = (
            Mechanism.NONE
            if policy.full_access
            else self.support.choose(network=network, requested=mechanism)
        )

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

    def writable_roots(self) -> tuple[Path, ...]:
        """Directories a sandboxed command may write (for `decide_patch` too)."""
        return self.policy.writable_roots_for(self.workspace, self._env(sandboxed=True))

    def status_line(self) -> str:
        """One line for the status bar, honest about what is enforced."""
        mode = self.policy.mode
        if self.policy.full_access:
            return f"{mode} (no sandbox)"
        if self.mechanism is Mechanism.NONE:
            why = self.support.why_none(network=self.policy.network_enabled)
            return f"{mode} NOT ENFORCED ({why}); every command asks"
        network = "network on" if self.policy.network_enabled else "network off"
        return f"{mode} via {self.mechanism} · {network}"

    def _env(self, *, sandboxed: bool) -> dict[str, str]:
        base = os.environ if self.base_env is None else self.base_env
        env = build_env(self.env_policy, base)
        if sandboxed and not self.policy.full_access:
            env.update(sandbox_markers(self.policy.mode, self.policy.network_enabled))
        return env

    def launch(
        self, argv: list[str] | tuple[str, ...], *, cwd: Path | None = None, sandboxed: bool = True
    ) -> Launch:
        """The wrapped command line (raises SandboxUnavailable rather than run unconfined)."""
        if not argv:
            raise ValueError("empty command")
        sandboxed = sandboxed and not self.policy.full_access
        if sandboxed and self.mechanism is Mechanism.NONE:
            why = self.support.why_none(network=self.policy.network_enabled)
            raise SandboxUnavailable(f"no sandbox can be enforced here: {why}")
        return build_launch(
            argv,
            policy=self.policy,
            mechanism=self.mechanism if sandboxed else Mechanism.NONE,
            workspace=self.workspace,
            cwd=Path(cwd).resolve() if cwd is not None else self.workspace,
            env=self._env(sandboxed=sandboxed),
            bwrap=self.support.bwrap or "bwrap",
            git_strategy=self.git_strategy,
        )

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
        launch = self.launch(argv, cwd=cwd, sandboxed=sandboxed)
        inside = launch.mechanism is not Mechanism.NONE
        if not launch.cwd.is_dir():
            return ExecResult(1, f"working directory {launch.cwd} does not exist\n", 0, False,
                              launch.mechanism, inside, 1)  # fmt: skip
        if find_program(argv[0], cwd=launch.cwd, env=launch.env) is None:
            return ExecResult(COMMAND_NOT_FOUND, f"{argv[0]}: command not found\n", 0, False,
                              launch.mechanism, inside, 1)  # fmt: skip
        started = time.monotonic()
        try:
            result = await run_process(
                launch.argv,
                cwd=launch.cwd,
                env=launch.env,
                timeout_ms=self.default_timeout_ms if timeout_ms is None else timeout_ms,
                limits=self.limits,
                on_output=on_output,
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
