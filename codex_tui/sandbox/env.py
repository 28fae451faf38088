"""The environment a command sees (`shell_environment_policy`).

Built in this order: inherit (all / core / none) → drop names containing KEY,
SECRET, TOKEN or PASSWORD (unless `ignore_default_excludes`) → drop `exclude`
globs → apply `set` → keep only `include_only` globs (when given). Globs match
names case-insensitively.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CORE_VARIABLES", "DEFAULT_EXCLUDES", "EnvPolicy", "build_env", "sandbox_markers"]

CORE_VARIABLES = frozenset(
    {"HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "TMPDIR", "TEMP", "TMP",
     "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ"}
)  # fmt: skip
DEFAULT_EXCLUDES = ("*KEY*", "*SECRET*", "*TOKEN*", "*PASSWORD*")


@dataclass(frozen=True)
class EnvPolicy:
    """Plain values of `shell_environment_policy`."""

    inherit: Literal["all", "core", "none"] = "all"
    exclude: tuple[str, ...] = ()
    set: Mapping[str, str] = field(default_factory=dict)
    include_only: tuple[str, ...] = ()
    ignore_default_excludes: bool = False

    @classmethod
    def from_config(cls, policy: Any) -> EnvPolicy:
        """From `config.shell_environment_policy` (duck-typed)."""
        return cls(
            inherit=policy.inherit,
            exclude=tuple(policy.exclude),
            set=dict(policy.set),
            include_only=tuple(policy.include_only),
            ignore_default_excludes=policy.ignore_default_excludes,
        )


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, p.upper()) for p in patterns)


def build_env(policy: EnvPolicy, base: Mapping[str, str]) -> dict[str, str]:
    """The environment for a command, from the parent's `base` environment."""
    if policy.inherit == "all":
        env = dict(base)
    elif policy.inherit == "core":
        env = {k: v for k, v in base.items() if k in CORE_VARIABLES}
    else:
        env = {}
    if not policy.ignore_default_excludes:
        env = {k: v for k, v in env.items() if not _matches(k, DEFAULT_EXCLUDES)}
    if policy.exclude:
        env = {k: v for k, v in env.items() if not _matches(k, tuple(policy.exclude))}
    env.update({str(k): str(v) for k, v in policy.set.items()})
    if policy.include_only:
        env = {k: v for k, v in env.items() if _matches(k, tuple(policy.include_only))}
    return env


def sandbox_markers(mode: str, network_enabled: bool) -> dict[str, str]:
    """Variables telling a sandboxed command where it runs."""
    markers = {"CODEX_TUI_SANDBOX": mode}
    if not network_enabled:
        markers["CODEX_TUI_SANDBOX_NETWORK_DISABLED"] = "1"
    return markers
