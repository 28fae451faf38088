"""Fixtures for sandbox tests: real bubblewrap, real Landlock, a workspace and an outside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy, probe_support

MECHANISMS = (Mechanism.BWRAP, Mechanism.LANDLOCK)
# Escape tests also run Landlock as it works without a mount namespace (no root,
# no user namespaces): `.git` is then protected by rules alone.
VARIANTS = [
    pytest.param((Mechanism.BWRAP, "auto"), id="bubblewrap"),
    pytest.param((Mechanism.LANDLOCK, "auto"), id="landlock"),
    pytest.param((Mechanism.LANDLOCK, "rules"), id="landlock-rules-only"),
]


def require(mechanism: Mechanism) -> None:
    """Fail loudly (never skip) when a mechanism the tests need does not work here."""
    problem = probe_support().problem(mechanism, network=False)
    if problem:
        pytest.fail(
            f"{mechanism} is required for the sandbox tests but {problem}. "
            "Install bubblewrap (CI: .ci/run installs it) and use a kernel with Landlock.",
            pytrace=False,
        )


@dataclass
class Dirs:
    workspace: Path
    outside: Path


@pytest.fixture
def dirs(tmp_path: Path) -> Dirs:
    ws = tmp_path / "ws"
    (ws / ".git" / "hooks").mkdir(parents=True)
    (ws / ".git" / "config").write_text("[core]\n")
    (ws / "src").mkdir()
    (ws / "src" / "app.py").write_text("print('hi')\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("precious\n")
    return Dirs(ws, outside)


MakeSandbox = Callable[..., Sandbox]


@pytest.fixture
def make_sandbox(dirs: Dirs) -> MakeSandbox:
    """A Sandbox on the workspace; /tmp and $TMPDIR are not writable (the tests live there)."""

    def make(mode: str = "workspace-write", mechanism: Mechanism | None = None, **kw) -> Sandbox:
        if mechanism is not None:
            require(mechanism)
        network = kw.pop("network_access", False)
        policy = SandboxPolicy(
            mode,  # type: ignore[arg-type]
            network_access=network,
            exclude_slash_tmp=True,
            exclude_tmpdir_env_var=True,
        )
        return Sandbox(policy, workspace=dirs.workspace, mechanism=mechanism, **kw)

    return make
