"""Which sandbox mechanisms work on this machine, and which one to use.

Linux: bubblewrap when `bwrap` is on PATH and can build a sandbox, else
Landlock plus a seccomp network filter. macOS: `sandbox-exec`. When none can
be enforced the answer says so; nothing pretends. `CODEX_TUI_SANDBOX_MECHANISM`
picks one by name (for a broken bwrap, and for CI's Landlock run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from codex_tui.sandbox import bwrap, landlock, macos, seccomp

__all__ = [
    "MECHANISM_ENV",
    "Mechanism",
    "SandboxSupport",
    "SandboxUnavailable",
    "mechanism_from_env",
    "probe_support",
]

MECHANISM_ENV = "CODEX_TUI_SANDBOX_MECHANISM"


class Mechanism(StrEnum):
    BWRAP = "bubblewrap"
    LANDLOCK = "landlock"
    SEATBELT = "sandbox-exec"
    NONE = "none"


class SandboxUnavailable(RuntimeError):
    """The requested sandbox cannot be enforced here (one line, for people)."""


_BY_NAME = {"auto": None, "bwrap": Mechanism.BWRAP} | {
    m.value: m for m in Mechanism if m is not Mechanism.NONE
}


def mechanism_from_env(environ: Mapping[str, str]) -> tuple[Mechanism | None, str]:
    """The mechanism `CODEX_TUI_SANDBOX_MECHANISM` names (None: auto), or why the value is bad."""
    raw = environ.get(MECHANISM_ENV, "").strip().lower()
    if not raw:
        return None, ""
    if raw not in _BY_NAME:
        return None, f"{MECHANISM_ENV}={raw!r} is not auto, bubblewrap, landlock or sandbox-exec"
    return _BY_NAME[raw], ""


@dataclass(frozen=True)
class SandboxSupport:
    """What this machine offers (from `probe_support()`)."""

    platform: str
    bwrap: str | None = None
    bwrap_error: str = ""
    landlock_abi: int = 0
    seccomp: bool = False
    seatbelt: bool = False

    def problem(self, mechanism: Mechanism, *, network: bool) -> str | None:
        """Why `mechanism` cannot enforce a sandbox here; None when it can."""
        if mechanism is Mechanism.BWRAP:
            if self.bwrap is None:
                return "bubblewrap (bwrap) is not installed"
            if self.bwrap_error:
                return f"bubblewrap cannot create a sandbox: {self.bwrap_error}"
            return None
        if mechanism is Mechanism.LANDLOCK:
            if self.platform != "linux":
                return "Landlock exists only on Linux"
            if self.landlock_abi < 1:
                return "this kernel has no Landlock"
            if not network and not self.seccomp:
                return "seccomp is unavailable, so the network cannot be cut off"
            return None
        if mechanism is Mechanism.SEATBELT:
            return None if self.seatbelt else "sandbox-exec is not available"
        return "no sandbox"

    def choose(self, *, network: bool, requested: Mechanism | None = None) -> Mechanism:
        """The mechanism to use (`requested` or the best working); NONE if none works."""
        if requested is not None and requested is not Mechanism.NONE:
            return requested if self.problem(requested, network=network) is None else Mechanism.NONE
        order = (
            (Mechanism.SEATBELT,)
            if self.platform == "darwin"
            else (Mechanism.BWRAP, Mechanism.LANDLOCK)
        )
        for mechanism in order:
            if self.problem(mechanism, network=network) is None:
                return mechanism
        return Mechanism.NONE

    def why_none(self, *, network: bool) -> str:
        """One line naming what is missing, for status lines and errors."""
        if self.platform == "darwin":
            return self.problem(Mechanism.SEATBELT, network=network) or ""
        if self.platform != "linux":
            return f"no sandbox is implemented for {self.platform}"
        parts = [self.problem(m, network=network) for m in (Mechanism.BWRAP, Mechanism.LANDLOCK)]
        return "; ".join(p for p in parts if p)

    def notes(self, mechanism: Mechanism) -> list[str]:
        """Known limits of `mechanism` on this machine."""
        out: list[str] = []
        if mechanism is Mechanism.LANDLOCK:
            if self.landlock_abi < 3:
                out.append(f"Landlock ABI {self.landlock_abi}: truncate() is not restricted")
            if self.landlock_abi < 6:
                out.append("Landlock ABI < 6: signals to outside processes are not scoped")
        return out


@cache
def probe_support() -> SandboxSupport:
    """Probe once per process (runs `bwrap` once, ~10 ms; call off the UI loop)."""
    platform = sys.platform
    if platform == "darwin":
        return SandboxSupport(platform, seatbelt=os.access(macos.SANDBOX_EXEC, os.X_OK))
    if platform != "linux":
        return SandboxSupport(platform)
    path = bwrap.bwrap_path()
    error = ""
    if path is not None:
        ok, error = bwrap.bwrap_works(path)
        error = "" if ok else error or "it failed"
    return SandboxSupport(
        platform,
        bwrap=path,
        bwrap_error=error,
        landlock_abi=landlock.abi_version(),
        seccomp=seccomp.available(),
    )
