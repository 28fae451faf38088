"""What a sandboxed command may touch: the mode, writable roots and network.

`SandboxPolicy` holds plain values (the agent and the CLI build it from the
config); `writable_roots()` turns them into the directories a mechanism opens
for writing, and `protected_paths()` the `.git` entries that stay read-only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

__all__ = ["SandboxMode", "SandboxPolicy", "protected_paths"]

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

    def writable_roots_for(self, workspace: Path, env: Mapping[str, str]) -> tuple[Path, ...]:
        """Existing directories a command may write (resolved, parents first).

        workspace-write: the workspace, `$TMPDIR` and `/tmp` unless excluded,
        and the configured roots (relative ones are taken from the workspace).
        read-only: none. danger-full-access: `/`.
        """
        if self.full_access:
            return (Path("/"),)
        if self.mode == "read-only":
            return ()
        candidates = [Path(workspace)]
        tmpdir = env.get("TMPDIR")
        if tmpdir and not self.exclude_tmpdir_env_var:
            candidates.append(Path(tmpdir))
        if not self.exclude_slash_tmp:
            candidates.append(Path("/tmp"))
        candidates += [Path(workspace) / os.path.expanduser(r) for r in self.writable_roots]
        roots: list[Path] = []
        for candidate in candidates:
            try:
                resolved = candidate.resolve(strict=True)
            except OSError:
                continue
            if resolved.is_dir() and resolved not in roots:
                roots.append(resolved)
        return tuple(sorted(roots, key=lambda p: len(p.parts)))


def protected_paths(roots: tuple[Path, ...]) -> tuple[Path, ...]:
    """The `.git` entries of writable roots: they stay read-only inside the sandbox.

    A `.git` that is a symlink or a gitdir file is protected where it points to
    when that lies inside a writable root; elsewhere it is read-only anyway.
    """
    out: list[Path] = []
    for root in roots:
        git = root / ".git"
        if not os.path.lexists(git):
            continue
        targets: list[Path | None] = [git, git.resolve()]
        if git.is_file():
            targets.append(_gitdir_target(git))
        for target in targets:
            if (
                target is not None
                and os.path.lexists(target)
                and any(target.is_relative_to(r) for r in roots)
                and target not in out
                and not target.is_symlink()
            ):
                out.append(target)
    return tuple(out)


def _gitdir_target(gitfile: Path) -> Path | None:
    try:
        first = gitfile.read_text(errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return None
    if not first.startswith("gitdir:"):
        return None
    target = Path(first.removeprefix("gitdir:").strip())
    if not target.is_absolute():
        target = gitfile.parent / target
    try:
        return target.resolve()
    except OSError:
        return None
