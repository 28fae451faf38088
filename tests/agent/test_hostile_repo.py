"""`codex-tui exec` in a hostile repository, end to end against the scripted
server: AGENTS.md that is a FIFO or a link to /dev/zero, prompt templates
with exploding YAML, a config.yaml that is a FIFO or a billion laughs. Each is
at most a one-line message; exec neither hangs nor prints a traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from codex_tui.scripted import Message, Reply, ScriptedModelServer
from tests.agent.test_exec_cli import run_exec
from tests.tools.hostile import fifo, link, release_fifo

DEEP = "---\ndescription: " + "[" * 5000 + "]" * 5000 + "\n---\nDeep {{x}}.\n"
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def user_texts(body: dict) -> str:
    return json.dumps([item for item in body["input"] if item.get("role") == "user"])


@pytest.fixture
def hostile(workspace: Path, tmp_path: Path):
    """The workspace made hostile: AGENTS.md files that are a FIFO, a link to
    /dev/zero and a link out of the repository; templates that explode."""
    fifo(workspace / "AGENTS.md")
    link(workspace / "pkg" / "AGENTS.md", "/dev/zero")
    (tmp_path / "secret.md").write_text("SECRET RULES")
    link(workspace / "pkg" / "sub" / "AGENTS.md", tmp_path / "secret.md")
    prompts = workspace / ".codex-tui" / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "deep.md").write_text(DEEP)
    (prompts / "laughs.md").write_text(
        "---\ndefaults:\n"
        + "".join("  " + line + "\n" for line in LAUGHS.splitlines())
        + "---\n{{a}}\n"
    )
    (prompts / "good.md").write_text("Good {{x}}.\n")
    fifo(prompts / "pipe.md")
    yield workspace
    for path in (workspace / "AGENTS.md", prompts / "pipe.md"):
        release_fifo(path)


def test_exec_starts_in_a_hostile_repository(hostile: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([Reply([Message("fine")])]) as server:
        started = time.monotonic()
        result = run_exec(server, hostile / "pkg" / "sub", isolated_home, "hello")
        body = server.bodies[0]
    assert time.monotonic() - started < 25
    assert result.returncode == 0, result.stderr
    assert result.stdout == "fine\n"
    assert "Traceback" not in result.stderr
    assert "cannot read" in result.stderr  # the refused AGENTS.md is named, once
    sent = user_texts(body)
    assert "hello" in sent
    assert "SECRET RULES" not in sent and "\\u0000" not in sent


def test_exec_prompt_with_exploding_front_matter_is_one_line(
    hostile: Path, isolated_home: Path
) -> None:
    with ScriptedModelServer([]) as server:
        deep = run_exec(server, hostile, isolated_home, "--prompt", "deep", "x=1")
        laughs = run_exec(server, hostile, isolated_home, "--prompt", "laughs", "a=1")
        assert not server.requests
    prompts = hostile / ".codex-tui" / "prompts"
    assert deep.returncode == 2
    assert deep.stderr == (
        f"codex-tui: exec: malformed front matter in {prompts / 'deep.md'} (line 2):"
        " nested more than 32 levels deep\n"
    )
    assert laughs.returncode == 2
    assert laughs.stderr.startswith(f"codex-tui: exec: malformed front matter in {prompts}")
    assert laughs.stderr.endswith("aliases expand to more than 10,000 values\n")


def test_exec_prompt_works_beside_broken_templates(hostile: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        result = run_exec(server, hostile, isolated_home, "--prompt", "good", "x=1")
        body = server.bodies[0]
    assert result.returncode == 0, result.stderr
    assert "Good 1." in user_texts(body)


def test_exec_with_a_fifo_config_is_one_line(workspace: Path, isolated_home: Path) -> None:
    config = fifo(isolated_home / "config.yaml")
    try:
        with ScriptedModelServer([]) as server:
            result = run_exec(server, workspace, isolated_home, "hello")
    finally:
        release_fifo(config)
    assert result.returncode == 2
    assert result.stderr == (
        f"codex-tui: cannot read {config}: is a named pipe (FIFO), not a regular file\n"
    )


def test_exec_with_a_billion_laughs_config_is_one_line(
    workspace: Path, isolated_home: Path
) -> None:
    (isolated_home / "config.yaml").write_text(LAUGHS)
    with ScriptedModelServer([]) as server:
        result = run_exec(server, workspace, isolated_home, "hello")
    assert result.returncode == 2
    assert result.stderr == (
        f"codex-tui: {isolated_home / 'config.yaml'} line 1, column 1: YAML too complex:"
        " aliases expand to more than 10,000 values\n"
    )
