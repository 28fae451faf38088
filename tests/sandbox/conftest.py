"""Fixtures for sandbox tests: real bubblewrap, real Landlock, a workspace and an outside."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy, probe_support

MECHANISMS = (Mechanism.BWRAP, Mechanism.LANDLOCK)
# Escape tests also run Landlock as it works without namespaces (no root, no user
# namespaces): `.git` is then protected by rules alone, /tmp is the host's (read-only),
# UNIX sockets are refused, and a subreaper stands in for the PID namespace.
VARIANTS = [
    pytest.param((Mechanism.BWRAP, "auto"), id="bubblewrap"),
    pytest.param((Mechanism.LANDLOCK, "auto"), id="landlock"),
    pytest.param((Mechanism.LANDLOCK, "none"), id="landlock-rules-only"),
]
# The variants with a mount namespace: a private /tmp, hidden /run, a PID namespace.
NAMESPACED = VARIANTS[:2]


def require(mechanism: Mechanism) -> None:
    """Fail loudly (never skip) when a mechanism the tests need does not work here."""
    problem = probe_support().problem(mechanism, network=False)
    if problem:
        pytest.fail(
            f"{mechanism} is required for the sandbox tests but {problem}. "
            "Install bubblewrap (CI: .ci/run installs it) and use a kernel with Landlock.",
            pytrace=False,
        )


def _outside_base() -> str:
    """A directory outside /tmp and outside the host's $TMPDIR (both hidden inside)."""
    hidden = {os.path.realpath(tempfile.gettempdir()), os.path.realpath("/tmp")}
    return "/var/tmp" if os.path.realpath("/var/tmp") not in hidden else str(Path.home())


OUTSIDE_BASE = _outside_base()


@dataclass
class Dirs:
    workspace: Path
    outside: Path


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[Dirs]:
    """A workspace (under /tmp, like pytest's tmp_path) and an outside directory.

    The outside lies in /var/tmp: the sandbox's /tmp is private, so a directory
    under the host's /tmp would be out of sight, not merely read-only.
    """
    ws = tmp_path / "ws"
    (ws / ".git" / "hooks").mkdir(parents=True)
    (ws / ".git" / "config").write_text("[core]\n")
    (ws / "src").mkdir()
    (ws / "src" / "app.py").write_text("print('hi')\n")
    outside = Path(tempfile.mkdtemp(prefix="codex-tui-outside-", dir=OUTSIDE_BASE))
    (outside / "victim.txt").write_text("precious\n")
    yield Dirs(ws, outside)
    shutil.rmtree(outside, ignore_errors=True)


MakeSandbox = Callable[..., Sandbox]


def processes_with(tag: str | bytes) -> list[int]:
    """Host PIDs whose command line holds `tag` (sandboxed ones are visible from here too)."""
    needle = tag.encode() if isinstance(tag, str) else tag
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if needle in Path(f"/proc/{name}/cmdline").read_bytes():
                    found.append(int(name))
            except OSError:
                continue
    return found


async def gone(tag: str | bytes, within: float = 3.0) -> bool:
    """Whether no process with `tag` is left, waiting up to `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not processes_with(tag):
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.fixture
def make_sandbox(dirs: Dirs) -> Iterator[MakeSandbox]:
    """A Sandbox on the workspace, with the policy's defaults unless told otherwise.

    Policy fields (`network_access`, `exclude_slash_tmp`, `writable_roots`) may be
    given as keywords; the rest go to `Sandbox`. Every sandbox is closed afterwards.
    """
    made: list[Sandbox] = []

    def make(mode: str = "workspace-write", mechanism: Mechanism | None = None, **kw) -> Sandbox:
        if mechanism is not None:
            require(mechanism)
        policy = SandboxPolicy(
            mode,  # type: ignore[arg-type]
            writable_roots=tuple(kw.pop("writable_roots", ())),
            network_access=kw.pop("network_access", False),
            exclude_slash_tmp=kw.pop("exclude_slash_tmp", False),
        )
        sandbox = Sandbox(policy, workspace=dirs.workspace, mechanism=mechanism, **kw)
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.close()
