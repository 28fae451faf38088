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


@pytest.fixture(autouse=True)
def no_mechanism_from_the_environment(monkeypatch) -> None:
    """These tests are about the choice itself; CI's Landlock run sets the variable."""
    monkeypatch.delenv("CODEX_TUI_SANDBOX_MECHANISM", raising=False)


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
    ws = tmp_path / "ws"
    (ws / "inside").mkdir(parents=True)
    (tmp_path / "extra").mkdir()
    policy = SandboxPolicy(
        writable_roots=("../extra", "missing", "inside", str(tmp_path / "extra"))
    )
    assert policy.writable_roots_for(ws) == (ws, tmp_path / "extra")
    assert SandboxPolicy("read-only").writable_roots_for(ws) == ()
    # The host's /tmp and $TMPDIR are never writable roots: commands get a private /tmp.
    assert SandboxPolicy().writable_roots_for(ws) == (ws,)


def test_a_root_reached_through_another_root_is_dropped(tmp_path: Path) -> None:
    """Commands may turn anything inside a root into a symlink; a root reached that
    way would follow it the next time roots are resolved."""
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "out").mkdir(parents=True)
    (ws / "sub" / "out").symlink_to(elsewhere / "out")  # planted by a command
    (tmp_path / "link").symlink_to(ws / "sub")  # a host symlink into the workspace
    for configured in ("sub/out", str(tmp_path / "link" / "out"), f"{tmp_path}/link/../sub"):
        policy = SandboxPolicy(writable_roots=(configured,))
        assert policy.writable_roots_for(ws) == (ws,), configured
    assert SandboxPolicy().private_tmp_writable
    assert not SandboxPolicy(exclude_slash_tmp=True).private_tmp_writable
    assert not SandboxPolicy("read-only").private_tmp_writable


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


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
@pytest.mark.parametrize(("network", "unix"), [(False, True), (False, False), (True, False)])
def test_seccomp_filter_jumps_stay_inside_the_program(machine, network, unix) -> None:
    prog = seccomp.socket_filter(machine, network=network, unix=unix)
    for i, (code, jt, jf, _k) in enumerate(prog):
        if code & 0x07 == 0x05:  # a jump
            assert i + 1 + max(jt, jf) < len(prog)
    assert prog[-1][0] == 0x06 and prog[-2][0] == 0x06  # ends with two returns


# --- CODEX_TUI_SANDBOX_MECHANISM: for a broken bwrap, and for CI's second run -----------


@pytest.mark.parametrize(
    ("value", "support", "chosen"),
    [
        ("landlock", FULL, Mechanism.LANDLOCK),
        ("bubblewrap", FULL, Mechanism.BWRAP),
        ("auto", FULL, Mechanism.BWRAP),
        ("", NO_BWRAP, Mechanism.LANDLOCK),
        (" Landlock ", FULL, Mechanism.LANDLOCK),
    ],
)
def test_mechanism_from_the_environment(monkeypatch, tmp_path, value, support, chosen) -> None:
    monkeypatch.setenv("CODEX_TUI_SANDBOX_MECHANISM", value)
    sandbox = Sandbox(SandboxPolicy(), workspace=tmp_path, support=support)
    assert sandbox.mechanism is chosen and sandbox.enforced


def test_an_explicit_mechanism_wins_over_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CODEX_TUI_SANDBOX_MECHANISM", "landlock")
    sandbox = Sandbox(SandboxPolicy(), workspace=tmp_path, support=FULL, mechanism=Mechanism.BWRAP)
    assert sandbox.mechanism is Mechanism.BWRAP


@pytest.mark.parametrize(
    ("value", "support", "why"),
    [
        ("bubblewrap", NO_BWRAP, "CODEX_TUI_SANDBOX_MECHANISM=bubblewrap: bubblewrap (bwrap) "
         "is not installed"),
        ("firejail", FULL, "CODEX_TUI_SANDBOX_MECHANISM='firejail' is not auto, bubblewrap, "
         "landlock or sandbox-exec"),
    ],
)  # fmt: skip
def test_an_unusable_mechanism_in_the_environment_is_not_enforced(
    monkeypatch, tmp_path, value, support, why
) -> None:
    monkeypatch.setenv("CODEX_TUI_SANDBOX_MECHANISM", value)
    sandbox = Sandbox(SandboxPolicy(), workspace=tmp_path, support=support)
    assert not sandbox.enforced
    assert sandbox.status_line() == f"workspace-write NOT ENFORCED ({why}); every command asks"
