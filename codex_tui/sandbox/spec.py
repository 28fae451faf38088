"""What `launch.py` tells the Landlock launcher (`confine.py`), as JSON on its command line.

The launcher imports this module only for type checking: it starts on every
command, so it keeps its imports few (see `confine.py`).
"""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["LauncherSpec", "NamespaceStrategy", "NetnsSpec", "TmpSpec"]

# auto: a mount (and PID) namespace when the kernel allows one, else rules alone;
# required: fail (exit 126) without one; none: never try (tests, and the fallback).
NamespaceStrategy = Literal["auto", "required", "none"]


class TmpSpec(TypedDict):
    host: str  # the private directory on the host
    inside: str  # where commands see it with a mount namespace (/tmp)
    writable: bool


class NetnsSpec(TypedDict):
    net: str  # the session's network namespace (/proc/<codex-tui>/fd/N, see netns.py)
    user: str | None  # the user namespace owning it (codex-tui is not root)


class LauncherSpec(TypedDict, total=False):
    writable: list[str]  # writable roots (host paths; bound at the same place inside)
    protected: list[str]  # `.git` paths kept read-only
    network: bool
    netns: NetnsSpec | None  # network off: join it, and allow TCP there (loopback only)
    namespaces: NamespaceStrategy
    mounts: list[list[str]]  # [kind, dest, source] from layout.plan_mounts
    tmp: TmpSpec | None
    parent: int  # the PID of codex-tui: the launcher dies with it
    probe: bool  # confine, run nothing, and print how (for `sandbox --status`)
