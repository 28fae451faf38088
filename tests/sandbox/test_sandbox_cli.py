"""`codex-tui sandbox`: as a user runs it (a subprocess), and in-process for the odd cases."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from codex_tui.config.schema import Config
from codex_tui.sandbox import SandboxSupport
from codex_tui.sandbox import cli as sandbox_cli
from tests.sandbox.conftest import Dirs

CLI = [sys.executable, "-m", "codex_tui"]


@pytest.fixture
def run_cli(tmp_path: Path, dirs: Dirs):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text(
        "sandbox_workspace_write:\n  exclude_slash_tmp: true\n  exclude_tmpdir_env_var: true\n"
    )

    def run(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CODEX_TUI_HOME": str(home), "OPENAI_API_KEY": "sk-test-secret"}
        if path is not None:
            env["PATH"] = path
        return subprocess.run(
            [*CLI, *args], cwd=dirs.workspace, env=env, capture_output=True, text=True,
            timeout=30, check=False,
        )  # fmt: skip

    return run


def test_runs_the_command_and_returns_its_exit_code(run_cli) -> None:
    done = run_cli("sandbox", "--", "sh", "-c", "echo hi; exit 3")
    assert (done.returncode, done.stdout, done.stderr) == (3, "hi\n", "")


def test_write_outside_fails_and_inside_works(run_cli, dirs: Dirs) -> None:
    bad = run_cli("sandbox", "--mechanism", "bubblewrap", "--", "touch", str(dirs.outside / "x"))
    assert bad.returncode != 0 and "Read-only file system" in bad.stderr
    assert not (dirs.outside / "x").exists()
    good = run_cli("sandbox", "--", "touch", "made-here")
    assert good.returncode == 0 and (dirs.workspace / "made-here").exists()


def test_mode_flag(run_cli, dirs: Dirs) -> None:
    ro = run_cli("sandbox", "-s", "read-only", "--", "touch", "nope")
    assert ro.returncode != 0 and not (dirs.workspace / "nope").exists()
    full = run_cli("sandbox", "-s", "danger-full-access", "--", "touch", str(dirs.outside / "y"))
    assert full.returncode == 0 and (dirs.outside / "y").exists()


def test_cd_flag(run_cli, dirs: Dirs) -> None:
    done = run_cli("sandbox", "-C", str(dirs.outside), "--", "touch", "here")
    assert done.returncode == 0 and (dirs.outside / "here").exists()


def test_environment_policy_and_markers(run_cli) -> None:
    done = run_cli("sandbox", "--", "env")
    assert "CODEX_TUI_SANDBOX=workspace-write" in done.stdout
    assert "CODEX_TUI_SANDBOX_NETWORK_DISABLED=1" in done.stdout
    assert "sk-test-secret" not in done.stdout
    net = run_cli("sandbox", "--network", "--", "env")
    assert "NETWORK_DISABLED" not in net.stdout


def test_landlock_is_used_when_bwrap_is_missing(run_cli, tmp_path: Path, dirs: Dirs) -> None:
    bin_dir = dirs.outside / "bin"  # a PATH with the tools but no bwrap (not in the hidden /tmp)
    bin_dir.mkdir()
    for tool in ("sh", "touch", "env"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    status = run_cli("sandbox", "--status", path=str(bin_dir))
    assert status.returncode == 0
    assert "via landlock" in status.stdout and "not installed" in status.stdout
    assert "bound read-only in a private mount namespace" in status.stdout
    bad = run_cli("sandbox", "--", "touch", str(dirs.outside / "x"), path=str(bin_dir))
    assert bad.returncode != 0 and "Permission denied" in bad.stderr  # Landlock's refusal
    git = run_cli("sandbox", "--", "sh", "-c", "echo x >> .git/config", path=str(bin_dir))
    assert git.returncode != 0 and (dirs.workspace / ".git/config").read_text() == "[core]\n"


def test_mechanism_flag(run_cli) -> None:
    done = run_cli("sandbox", "--mechanism", "landlock", "--", "touch", "/etc/codex-tui-x")
    assert done.returncode != 0 and "Permission denied" in done.stderr


def test_status(run_cli) -> None:
    done = run_cli("sandbox", "--status", "--mechanism", "bubblewrap")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "sandbox: workspace-write via bubblewrap · network off"
    assert "landlock:   works" in done.stdout


@pytest.mark.parametrize("mechanism", ["bubblewrap", "landlock"])
def test_status_says_how_commands_are_kept_apart(run_cli, dirs: Dirs, mechanism) -> None:
    (dirs.workspace / "vendor" / "lib" / ".git").mkdir(parents=True)
    out = run_cli("sandbox", "--status", "--mechanism", mechanism).stdout
    lines = {line.split(":", 1)[0]: line for line in out.splitlines()}
    assert lines["tmp"].startswith("tmp:        private to the session")
    assert "read-only" in lines["tmp"]  # the test config has exclude_slash_tmp
    assert lines["run"].startswith("run:        /run is an empty read-only tmpfs")
    assert lines["processes"].startswith("processes:  a PID namespace")
    assert lines["git"].startswith("git:        2 .git kept read-only (a walk of ")
    assert lines["git"].endswith("bound read-only in a private mount namespace")
    assert lines["network"].startswith(
        "network:    off: the session's commands share a network namespace with only a loopback"
    )


def test_status_without_namespaces(dirs: Dirs, capsys) -> None:
    from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy

    sandbox = Sandbox(SandboxPolicy(), workspace=dirs.workspace, mechanism=Mechanism.LANDLOCK,
                      namespaces="none")  # fmt: skip
    try:
        assert sandbox_cli._status(sandbox) == 0
    finally:
        sandbox.close()
    out = capsys.readouterr().out
    assert "tmp:        /tmp is the host's and read-only" in out and "socket(AF_UNIX)" in out
    assert "run:        /run is the host's" in out
    assert "processes:  no PID namespace here: the launcher is a subreaper" in out
    assert "Landlock rules alone" in out
    assert "network:    off: each command is cut off on its own (no TCP" in out


def test_status_names_the_environment_choice(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("CODEX_TUI_SANDBOX_MECHANISM", "landlock")
    out = run_cli("sandbox", "--status").stdout
    assert out.splitlines()[0] == "sandbox: workspace-write via landlock · network off"
    assert "mechanism:  CODEX_TUI_SANDBOX_MECHANISM=landlock" in out


def test_errors_are_one_line(run_cli) -> None:
    missing = run_cli("sandbox", "--", "no-such-program-xyz")
    assert missing.returncode == 127
    assert missing.stderr == "codex-tui: no-such-program-xyz: command not found\n"
    nothing = run_cli("sandbox")
    assert nothing.returncode == 2 and len(nothing.stderr.splitlines()) == 1
    assert "Traceback" not in missing.stderr + nothing.stderr


# --- in-process, with a fake context ---------------------------------------------------


def ctx_for(cwd: Path, *argv: str, status: bool = False, mechanism: str = "auto", **config):
    parser = argparse.ArgumentParser()
    sandbox_cli.configure(parser)
    args = parser.parse_args([*(["--status"] if status else []), "--mechanism", mechanism,
                              *argv])  # fmt: skip
    return SimpleNamespace(args=args, cwd=cwd, config=Config(**config))


def test_fake_context_runs(dirs: Dirs) -> None:
    assert sandbox_cli.run(ctx_for(dirs.workspace, "--", "sh", "-c", "exit 4")) == 4


def test_no_sandbox_here_refuses_to_run(dirs: Dirs, monkeypatch, capsys) -> None:
    monkeypatch.setattr("codex_tui.sandbox.run.probe_support", lambda: SandboxSupport("linux"))
    marker = dirs.workspace / "ran"
    assert sandbox_cli.run(ctx_for(dirs.workspace, "--", "touch", str(marker))) == 1
    err = capsys.readouterr().err
    assert "no sandbox can be enforced" in err and "danger-full-access" in err
    assert not marker.exists()
    assert sandbox_cli.run(ctx_for(dirs.workspace, status=True)) == 1
    assert "NOT ENFORCED" in capsys.readouterr().out
    full = ctx_for(dirs.workspace, "--", "touch", str(marker), sandbox_mode="danger-full-access")
    assert sandbox_cli.run(full) == 0 and marker.exists()
