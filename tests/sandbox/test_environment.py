"""shell_environment_policy, and the variables a sandboxed command is given."""

from __future__ import annotations

import pytest

from codex_tui.sandbox import EnvPolicy, Mechanism, build_env

BASE = {
    "PATH": "/usr/bin",
    "HOME": "/home/me",
    "LANG": "C.UTF-8",
    "OPENAI_API_KEY": "sk-x",
    "GITHUB_TOKEN": "t",
    "db_password": "p",
    "AWS_SECRET_ACCESS_KEY": "s",
    "EDITOR": "vim",
    "MY_VAR": "1",
}


def test_default_drops_secret_looking_names() -> None:
    env = build_env(EnvPolicy(), BASE)
    assert set(env) == {"PATH", "HOME", "LANG", "EDITOR", "MY_VAR"}


def test_ignore_default_excludes() -> None:
    assert build_env(EnvPolicy(ignore_default_excludes=True), BASE) == BASE


def test_inherit_core_and_none() -> None:
    assert set(build_env(EnvPolicy(inherit="core"), BASE)) == {"PATH", "HOME", "LANG"}
    assert build_env(EnvPolicy(inherit="none"), BASE) == {}


def test_exclude_globs_are_case_insensitive_then_set_then_include_only() -> None:
    policy = EnvPolicy(exclude=("my_*",), set={"CI": "1", "EDITOR": "nano"})
    env = build_env(policy, BASE)
    assert "MY_VAR" not in env and env["CI"] == "1" and env["EDITOR"] == "nano"
    only = build_env(EnvPolicy(include_only=("path", "ci"), set={"CI": "1"}), BASE)
    assert only == {"PATH": "/usr/bin", "CI": "1"}


def test_from_config_shape() -> None:
    from codex_tui.config.schema import ShellEnvironmentPolicy

    policy = EnvPolicy.from_config(ShellEnvironmentPolicy(inherit="core", exclude=["X*"]))
    assert policy.inherit == "core" and policy.exclude == ("X*",)


@pytest.mark.parametrize("mech", [Mechanism.BWRAP, Mechanism.LANDLOCK])
async def test_sandboxed_command_sees_markers_and_no_secrets(make_sandbox, mech) -> None:
    base = {"PATH": "/usr/bin:/bin", "OPENAI_API_KEY": "sk-secret", "KEEP": "yes"}
    sandbox = make_sandbox("workspace-write", mech, base_env=base)
    result = await sandbox.run(["env"])
    env = dict(line.split("=", 1) for line in result.output.splitlines())
    assert env["CODEX_TUI_SANDBOX"] == "workspace-write"
    assert env["CODEX_TUI_SANDBOX_NETWORK_DISABLED"] == "1"
    assert env["KEEP"] == "yes" and "OPENAI_API_KEY" not in env


async def test_markers_follow_network_and_mode(make_sandbox) -> None:
    base = {"PATH": "/usr/bin:/bin"}
    on = await make_sandbox("workspace-write", Mechanism.BWRAP, network_access=True,
                            base_env=base).run(["env"])  # fmt: skip
    assert "CODEX_TUI_SANDBOX=workspace-write" in on.output
    assert "NETWORK_DISABLED" not in on.output
    plain = await make_sandbox("danger-full-access", base_env=base).run(["env"])
    assert "CODEX_TUI_SANDBOX" not in plain.output
    unsandboxed = await make_sandbox("workspace-write", Mechanism.BWRAP, base_env=base).run(
        ["env"], sandboxed=False
    )
    assert "CODEX_TUI_SANDBOX" not in unsandboxed.output
