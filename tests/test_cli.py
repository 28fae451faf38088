"""The command line: flags, subcommand dispatch, exit codes and one-line errors."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_tui import __version__
from codex_tui.cli import main, parse_args


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("CODEX_TUI_HOME", str(path))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return path


def run_cli(*argv: str, home: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry point in a child process."""
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "codex_tui", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_version_via_python_m(home: Path) -> None:
    result = run_cli("--version", home=home)
    assert result.returncode == 0
    assert result.stdout.strip() == f"codex-tui {__version__}"


def test_config_prints_annotated_effective_config(home: Path) -> None:
    (home / "config.yaml").write_text("model: o3\nprofiles:\n  fast:\n    theme: light\n")
    result = run_cli("-p", "fast", "-c", "approval_policy=never", "config", "-s", "read-only",
                     home=home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    config_file = home / "config.yaml"
    assert f"model: o3  # {config_file} line 1" in lines
    assert f"theme: light  # profile fast in {config_file} line 4" in lines
    assert "approval_policy: never  # -c" in lines
    assert "sandbox_mode: read-only  # command-line flag" in lines
    assert "project_doc_max_bytes: 32768  # default" in lines


def test_config_without_sources_is_valid_yaml_that_loads_back(home: Path, capsys) -> None:
    import yaml

    assert main(["config", "--no-sources", "-m", "gpt-4.1"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["model"] == "gpt-4.1"
    assert data["model_providers"]["ollama"]["wire_api"] == "chat"
    (home / "config.yaml").write_text(yaml.safe_dump(data))
    assert main(["config"]) == 0


def test_bad_override_is_one_line_exit_2(home: Path) -> None:
    result = run_cli("-c", "approval_policy=sometimes", "config", home=home)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "codex-tui: invalid value 'sometimes' for config key `approval_policy` (-c);"
        " allowed: untrusted, on-failure, on-request, never\n"
    )


def test_misspelt_key_in_file_names_file_line_and_suggestion(home: Path) -> None:
    (home / "config.yaml").write_text("model: o3\nsandbox_mod: read-only\n")
    result = run_cli("config", home=home)
    assert result.returncode == 2
    assert result.stderr == (
        f"codex-tui: unknown config key `sandbox_mod` ({home / 'config.yaml'} line 2);"
        " did you mean `sandbox_mode`?\n"
    )


def test_bad_flag_value_names_the_key(home: Path, capsys) -> None:
    assert main(["-a", "always", "config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("codex-tui: invalid value 'always' for config key `approval_policy`")
    assert "(command-line flag)" in err


def test_bad_config_stops_the_tui_before_it_starts(home: Path, capsys) -> None:
    (home / "config.yaml").write_text("theme: [\n")
    assert main(["fix the bug"]) == 2
    assert "YAML syntax error" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["config"], ["-a", "always", "config"], ["bad flag value for the tui", "-s", "x"]]
)
def test_main_pauses_collection_and_always_resumes_it(argv: list[str], monkeypatch) -> None:
    seen: list[bool] = []
    real_parse = parse_args

    def parse(args: list[str]):
        seen.append(gc.isenabled())
        return real_parse(args)

    monkeypatch.setattr("codex_tui.cli.parse_args", parse)
    assert gc.isenabled()
    main(argv)
    assert seen == [False]  # paused while starting up
    assert gc.isenabled()


def test_missing_directory_for_cd(home: Path, tmp_path: Path, capsys) -> None:
    assert main(["-C", str(tmp_path / "nope"), "config"]) == 2
    assert capsys.readouterr().err == f"codex-tui: -C {tmp_path / 'nope'}: no such directory\n"


def test_unknown_flag_is_usage_error(home: Path) -> None:
    result = run_cli("--frobnicate", home=home)
    assert result.returncode == 2
    assert "unrecognized arguments: --frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_prompt_and_flags_parse_for_the_tui() -> None:
    args = parse_args(["-m", "o3", "fix the failing test", "-C", "/tmp"])
    assert args.command is None
    assert args.prompt == "fix the failing test"
    assert args.model == "o3"
    assert args.cd == "/tmp"


def test_flags_before_or_after_the_command() -> None:
    before = parse_args(["-s", "read-only", "-c", "a=1", "config"])
    after = parse_args(["config", "-s", "read-only", "-c", "a=1"])
    for args in (before, after):
        assert args.command == "config"
        assert args.sandbox == "read-only"
        assert args.config == ["a=1"]


def test_flag_value_that_looks_like_a_command_is_not_one() -> None:
    args = parse_args(["-m", "config"])
    assert args.command is None
    assert args.model == "config"


def test_tools_manifest(home: Path, capsys) -> None:
    import json

    assert main(["tools", "--json"]) == 0
    tools = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in tools] == [
        "shell",
        "exec_command",
        "write_stdin",
        "apply_patch",
        "update_plan",
        "read_file",
        "search_files",
        "git_status",
        "git_diff",
        "view_image",
    ]
    shell = tools[0]["parameters"]
    assert shell["required"] == ["command"]
    assert set(shell["properties"]) == {
        "command",
        "workdir",
        "timeout_ms",
        "with_escalated_permissions",
        "justification",
    }


def test_config_overrides_before_and_after_the_command_add_up() -> None:
    args = parse_args(["-c", "a=1", "-m", "x", "exec", "-c", "b=2", "-s", "read-only", "hi"])
    assert args.config == ["a=1", "b=2"]
    assert (args.model, args.sandbox, args.prompt) == ("x", "read-only", "hi")
    assert not any(key.startswith("after_command_") for key in vars(args))
    # After the command alone, and before it alone, as before.
    assert parse_args(["exec", "-c", "b=2", "hi"]).config == ["b=2"]
    assert parse_args(["-c", "a=1", "exec", "hi"]).config == ["a=1"]
    # A flag given on both sides: the later one wins.
    assert parse_args(["-m", "x", "sessions", "-m", "y"]).model == "y"
