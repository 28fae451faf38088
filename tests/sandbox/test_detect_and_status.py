"""Choosing a mechanism, and saying plainly when none can be enforced."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.sandbox import (
    Mechanism,
    Sandbox,
    SandboxPolicy,
    SandboxSupport,
    SandboxUnavailable,
    landlock,
    probe_support,
    seccomp,
)

FULL = SandboxSupport("linux", bwrap="/usr/bin/bwrap", landlock_abi=7, seccomp=True)
NO_BWRAP = SandboxSupport("linux", bwrap=None, landlock_abi=7, seccomp=True)
BROKEN_BWRAP = SandboxSupport(
    "linux", bwrap="/usr/bin/bwrap", bwrap_error="No permissions to create new namespace",
    landlock_abi=7, seccomp=True,
)  # fmt: skip
NOTHING = SandboxSupport("linux", bwrap=None, landlock_abi=0, seccomp=False)
NO_SECCOMP = SandboxSupport("linux", bwrap=None, landlock_abi=3, seccomp=False)


def test_this_machine_has_both_mechanisms() -> None:
    support = probe_support()
    assert support.problem(Mechanism.BWRAP, network=False) is None, support
    assert support.problem(Mechanism.LANDLOCK, network=False) is None, support
    assert landlock.abi_version() >= 1 and seccomp.available()


@pytest.mark.parametrize(
    ("support", "network", "chosen"),
    [
        (FULL, False, Mechanism.BWRAP),
        (NO_BWRAP, False, Mechanism.LANDLOCK),
        (BROKEN_BWRAP, False, Mechanism.LANDLOCK),
        (NOTHING, False, Mechanism.NONE),
        (NO_SECCOMP, False, Mechanism.NONE),  # the network could not be cut off
        (NO_SECCOMP, True, Mechanism.LANDLOCK),
        (SandboxSupport("darwin", seatbelt=True), False, Mechanism.SEATBELT),
        (SandboxSupport("darwin"), False, Mechanism.NONE),
        (SandboxSupport("win32"), False, Mechanism.NONE),
    ],
)
def test_choose(support: SandboxSupport, network: bool, chosen: Mechanism) -> None:
    assert support.choose(network=network) is chosen


def test_requested_mechanism_is_used_or_none() -> None:
    assert FULL.choose(network=False, requested=Mechanism.LANDLOCK) is Mechanism.LANDLOCK
    assert NO_BWRAP.choose(network=False, requested=Mechanism.BWRAP) is Mechanism.NONE


def test_forcing_a_missing_mechanism_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailable, match="not installed"):
        Sandbox(SandboxPolicy(), workspace=tmp_path, mechanism=Mechanism.BWRAP, support=NO_BWRAP)


async def test_nothing_enforceable_is_said_and_never_pretended(tmp_path: Path) -> None:
    sandbox = Sandbox(SandboxPolicy("workspace-write"), workspace=tmp_path, support=NOTHING)
    assert not sandbox.enforced
    line = sandbox.status_line()
    assert "NOT ENFORCED" in line and "bwrap" in line and "Landlock" in line
    with pytest.raises(SandboxUnavailable, match="no sandbox can be enforced"):
        await sandbox.run(["true"])
    plain = await sandbox.run(["true"], sandboxed=False)  # an approved unsandboxed run
    assert plain.exit_code == 0 and not plain.sandboxed


def test_status_lines(tmp_path: Path) -> None:
    on = Sandbox(SandboxPolicy(network_access=True), workspace=tmp_path, support=FULL)
    assert on.status_line() == "workspace-write via bubblewrap · network on"
    off = Sandbox(SandboxPolicy("read-only"), workspace=tmp_path, support=NO_BWRAP)
    assert off.status_line() == "read-only via landlock · network off"
    full = Sandbox(SandboxPolicy("danger-full-access"), workspace=tmp_path, support=NOTHING)
    assert full.enforced and full.status_line() == "danger-full-access (no sandbox)"


def test_writable_roots(tmp_path: Path) -> None:
    (tmp_path / "extra").mkdir()
    policy = SandboxPolicy(writable_roots=("extra", "missing"), exclude_slash_tmp=True)
    env = {"TMPDIR": str(tmp_path / "extra")}
    assert policy.writable_roots_for(tmp_path, env) == (tmp_path.resolve(), tmp_path / "extra")
    assert SandboxPolicy("read-only").writable_roots_for(tmp_path, {}) == ()
    default = SandboxPolicy().writable_roots_for(tmp_path, {})
    assert Path("/tmp") in default


def test_bad_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="read-only, workspace-write, danger-full-access"):
        SandboxPolicy("open")  # type: ignore[arg-type]


def test_policy_from_config() -> None:
    from codex_tui.config.schema import Config, SandboxWorkspaceWrite

    config = Config(
        sandbox_mode="read-only",
        sandbox_workspace_write=SandboxWorkspaceWrite(
            writable_roots=["/data"], exclude_slash_tmp=True
        ),
    )
    policy = SandboxPolicy.from_config(config, network_access=True)
    assert policy == SandboxPolicy("read-only", ("/data",), True, False, True)


def test_seccomp_filter_jumps_stay_inside_the_program() -> None:
    for machine in ("x86_64", "aarch64"):
        prog = seccomp.network_filter(machine)
        for i, (code, jt, jf, _k) in enumerate(prog):
            if code & 0x07 == 0x05:  # a jump
                assert i + 1 + max(jt, jf) < len(prog)
        assert prog[-1][0] == 0x06 and prog[-2][0] == 0x06  # ends with two returns
