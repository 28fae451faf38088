"""The file-system layout inside the sandbox where it differs from the host's.

Two host directories are replaced, because the host's UNIX sockets live there
and `connect()` to a path socket is not a write that Landlock or a read-only
bind stops: /tmp becomes the session's private directory and /run (with
/var/run) an empty read-only tmpfs. What the command must still see beneath
them — the writable roots, the workspace, the working directory, the DNS
resolver file — is bound back on top. `plan_mounts` orders these operations
once for both mechanisms: bubblewrap gets them as arguments, the Landlock
launcher performs them with mount(2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "HIDDEN_DIRS",
    "RESOLV_CONF",
    "MountOp",
    "bwrap_mount_args",
    "existing_dirs",
    "plan_mounts",
    "resolver_paths",
]

HIDDEN_DIRS = (Path("/run"), Path("/var/run"))
RESOLV_CONF = Path("/etc/resolv.conf")
TMP = Path("/tmp")

MountKind = Literal["bind", "ro-bind", "tmpfs", "remount-ro"]


@dataclass(frozen=True)
class MountOp:
    """One step: bind `source` at `dest` (read-write or read-only), a tmpfs at
    `dest`, or make the mount at `dest` read-only (not the ones beneath it)."""

    kind: MountKind
    dest: str
    source: str = ""

    def as_list(self) -> list[str]:
        return [self.kind, self.dest, self.source]


def existing_dirs(candidates: tuple[Path, ...]) -> tuple[Path, ...]:
    """The candidates that are directories here, resolved, each once (/var/run → /run)."""
    out: list[Path] = []
    for candidate in candidates:
        try:
            resolved = candidate.resolve(strict=True)
        except OSError:
            continue
        if resolved.is_dir() and resolved not in out:
            out.append(resolved)
    return tuple(out)


def resolver_paths(resolv_conf: Path = RESOLV_CONF) -> tuple[tuple[Path, Path], ...]:
    """(path, file) for each hop of the resolv.conf symlink chain and its end.

    systemd-resolved's /etc/resolv.conf points into /run; binding the real file
    at every hop keeps DNS working when /run is hidden.
    """
    hops: list[Path] = []
    path = resolv_conf
    for _ in range(16):
        try:
            target = os.readlink(path)
        except OSError:
            break  # not a symlink: the end of the chain
        path = Path(os.path.normpath(path.parent / target))
        hops.append(path)
    try:
        real = resolv_conf.resolve(strict=True)
    except (OSError, RuntimeError):
        return ()
    if not real.is_file():
        return ()
    return tuple((hop, real) for hop in hops)


def plan_mounts(
    *,
    tmp: Path | None,
    tmp_writable: bool,
    hidden: tuple[Path, ...],
    writable: tuple[Path, ...],
    workspace: Path | None = None,
    visible: tuple[Path, ...] = (),
    readable: tuple[tuple[Path, Path], ...] = (),
) -> tuple[MountOp, ...]:
    """The mounts, in order, for the roots and hidden directories given (all resolved).

    A hidden directory (or /tmp) that lies inside a writable root or the
    workspace is left as it is: the person chose to work there. `visible`
    paths (the working directory) are bound back read-only when hidden;
    `readable` pairs (path, file) bind a file read-only at a path.
    """
    kept = (*writable, *((workspace,) if workspace is not None else ()))

    def granted(directory: Path) -> bool:
        return any(directory.is_relative_to(root) for root in kept)

    ops: list[MountOp] = []
    covered: list[Path] = []
    if tmp is not None and not granted(TMP):
        ops.append(MountOp("bind", str(TMP), str(tmp)))
        covered.append(TMP)
    for directory in hidden:
        if not granted(directory) and directory not in covered:
            ops.append(MountOp("tmpfs", str(directory)))
            covered.append(directory)

    def beneath_cover(path: Path) -> bool:
        return any(path != c and path.is_relative_to(c) for c in covered)

    wanted = [(root, root, True) for root in writable]
    shown = (*visible, *((workspace,) if workspace is not None else ()))
    wanted += [(path, path, False) for path in shown if beneath_cover(path)]
    wanted += [(dest, source, False) for dest, source in readable if beneath_cover(dest)]
    bound: list[tuple[Path, bool]] = []
    # Parents first (a later bind stays visible), read-write before read-only.
    for dest, source, rw in sorted(wanted, key=lambda w: (len(w[0].parts), not w[2])):
        if any(dest.is_relative_to(done) and (done_rw or not rw) for done, done_rw in bound):
            continue  # already visible, with at least these rights, through a parent
        ops.append(MountOp("bind" if rw else "ro-bind", str(dest), str(source)))
        bound.append((dest, rw))
    for directory in covered:
        if directory != TMP or not tmp_writable:
            ops.append(MountOp("remount-ro", str(directory)))
    return tuple(ops)


def bwrap_mount_args(ops: tuple[MountOp, ...]) -> list[str]:
    """The plan as bubblewrap arguments (bwrap resolves sources in the host's view)."""
    out: list[str] = []
    for op in ops:
        if op.kind in ("bind", "ro-bind"):
            out += [f"--{op.kind}", op.source, op.dest]
        else:
            out += [f"--{op.kind}", op.dest]
    return out
