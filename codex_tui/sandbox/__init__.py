"""Run commands where the kernel, not a promise, limits what they touch.

Linux: bubblewrap, or Landlock + seccomp when bwrap is missing; macOS:
sandbox-exec. Also: process groups, timeouts, capped output, the environment
policy. Names are imported lazily so that the Landlock launcher, which imports
`codex_tui.sandbox.confine`, starts fast.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs the launcher ~3 ms
if TYPE_CHECKING:
    from typing import Any

    from codex_tui.sandbox.detect import (
        Mechanism,
        SandboxSupport,
        SandboxUnavailable,
        probe_support,
    )
    from codex_tui.sandbox.env import EnvPolicy, build_env
    from codex_tui.sandbox.launch import Launch
    from codex_tui.sandbox.output import OutputLimits
    from codex_tui.sandbox.run import DEFAULT_TIMEOUT_MS, ExecResult, Sandbox
    from codex_tui.sandbox.settings import SandboxMode, SandboxPolicy

__all__ = [
    "DEFAULT_TIMEOUT_MS",
    "EnvPolicy",
    "ExecResult",
    "Launch",
    "Mechanism",
    "OutputLimits",
    "Sandbox",
    "SandboxMode",
    "SandboxPolicy",
    "SandboxSupport",
    "SandboxUnavailable",
    "build_env",
    "probe_support",
]

_WHERE = {
    "DEFAULT_TIMEOUT_MS": "run",
    "EnvPolicy": "env",
    "ExecResult": "run",
    "Launch": "launch",
    "Mechanism": "detect",
    "OutputLimits": "output",
    "Sandbox": "run",
    "SandboxMode": "settings",
    "SandboxPolicy": "settings",
    "SandboxSupport": "detect",
    "SandboxUnavailable": "detect",
    "build_env": "env",
    "probe_support": "detect",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"codex_tui.sandbox.{module}"), name)
