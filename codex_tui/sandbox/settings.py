"""What a sandboxed command may touch: the mode, writable roots and network.

`SandboxPolicy` holds plain values (the agent and the CLI build it from the
config); `writable_roots_for()` turns them into the host directories a
mechanism opens for writing. /tmp is not among them: commands get a private
/tmp of their own (see `layout.py` and `tmpdir.py`), writable unless
`exclude_slash_tmp`. `gitdirs.py` finds the `.git` entries that stay read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

__all__ = ["SandboxMode", "SandboxPolicy"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]


@dataclass(frozen=True)
class SandboxPolicy:
    """The sandbox settings (the `sandbox_workspace_write.*` keys apply to workspace-write)."""

    mode: SandboxMode = "workspace-write"
    writable_roots: tuple[str, ...] = field(default=())
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False

    def __post_init__(self) -> None:
        if self.mode not in get_args(SandboxMode):
            allowed = ", ".join(get_args(SandboxMode))
            raise ValueError(f"sandbox mode {self.mode!r} is not one of {allowed}")

    @classmethod
    def from_config(cls, config: Any, *, network_access: bool | None = None) -> SandboxPolicy:
        """From an object with the config's attribute names (duck-typed)."""
        ww = config.sandbox_workspace_write
        return cls(
            mode=config.sandbox_mode,
            writable_roots=tuple(ww.writable_roots),
            network_access=ww.network_access if network_access is None else network_access,
            exclude_tmpdir_env_var=ww.exclude_tmpdir_env_var,
            exclude_slash_tmp=ww.exclude_slash_tmp,
        )

    @property
    def full_access(self) -> bool:
        return self.mode == "danger-full-access"

    @property
    def network_enabled(self) -> bool:
        return self.full_access or self.network_access

    @property
    def private_tmp_writable(self) -> bool:
        """Whether commands may write their private /tmp (workspace-write, unless excluded)."""
        return self.mode == "workspace-write" and not self.exclude_slash_tmp

    def writable_roots_for(self, workspace: Path) -> tuple[Path, ...]:
        """Existing host directories a command may write (resolved, parents first).

        workspace-write: the workspace and the configured roots (relative ones
        are taken from the workspace). The host's /tmp and $TMPDIR are not
        among them (`exclude_tmpdir_env_var` has nothing left to exclude).
        A configured root reached through another root (`build` inside the
        workspace, say) adds nothing and is dropped: commands may replace
        anything on that path with a symlink to elsewhere, and a root is
        resolved again for every command.
        read-only: none. danger-full-access: `/`.
        """
        if self.full_access:
            return (Path("/"),)
        if self.mode == "read-only":
            return ()
        candidates = [Path(workspace)]
        candidates += [Path(workspace) / os.path.expanduser(r) for r in self.writable_roots]
        resolved: list[tuple[Path, Path]] = []
        for candidate in candidates:
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if real.is_dir():
                resolved.append((candidate, real))
        roots: list[Path] = []
        for candidate, real in resolved:
            others = [r for _, r in resolved if r != real]
            if real not in roots and not _reached_through(candidate, others):
                roots.append(real)
        return tuple(sorted(roots, key=lambda p: len(p.parts)))


def _reached_through(path: Path, roots: list[Path]) -> bool:
    """Whether `path` (absolute), followed one component at a time as the kernel
    does (`..` after a symlink included), passes into one of `roots`."""
    step = Path("/")
    for name in path.parts[1:]:
        step = Path(os.path.realpath(step / name))
        if any(step.is_relative_to(root) for root in roots):
            return True
    return False
