"""`codex-tui exec` as a real process against the scripted server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from codex_tui.scripted import (
    FunctionCall,
    Message,
    Reasoning,
    Reply,
    ScriptedModelServer,
    Usage,
    server_error,
)


def run_exec(
    server: ScriptedModelServer, cwd: Path, home: Path, *args: str, stdin: str | None = None
):
    argv = [
        sys.executable, "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
        "-c", "model_providers.scripted.request_max_retries=1",
        "exec", *args,
    ]  # fmt: skip
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(
        argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


PLAN = {
    "plan": [{"step": "Look", "status": "completed"}, {"step": "Answer", "status": "in_progress"}]
}
PATCH = "*** Begin Patch\n*** Add File: out.txt\n+made by exec\n*** End Patch\n"


def script() -> list[Reply]:
    return [
        Reply(
            [
                Reasoning("Plan first."),
                FunctionCall("update_plan", PLAN, call_id="p"),
                FunctionCall("apply_patch", {"input": PATCH}, call_id="a"),
                FunctionCall("shell", {"command": ["cat", "out.txt"]}, call_id="s"),
            ],
            usage=Usage(input_tokens=300, cached_input_tokens=100, output_tokens=40),
        ),
        Reply([Message("All done.")], usage=Usage(input_tokens=400, output_tokens=5)),
    ]


def test_exec_json_events(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer(script()) as server:
        result = run_exec(server, workspace, isolated_home, "--json", "make out.txt")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types[0] == "thread.started" and events[0]["thread_id"]
    assert types[1] == "turn.started"
    assert types[-1] == "turn.completed"
    assert events[-1]["usage"] == {
        "input_tokens": 700,
        "cached_input_tokens": 100,
        "output_tokens": 45,
    }
    items = [(e["type"], e["item"]) for e in events if e["type"].startswith("item.")]
    by_type = {}
    for kind, item in items:
        assert item["id"].startswith("item_")
        by_type.setdefault(item["type"], []).append((kind, item))
    assert by_type["reasoning"][0][1]["text"] == "Plan first."
    todo = by_type["todo_list"]
    assert [k for k, _ in todo] == ["item.started", "item.completed"]
    assert todo[0][1]["items"] == [
        {"text": "Look", "completed": True},
        {"text": "Answer", "completed": False},
    ]
    (change,) = by_type["file_change"]
    assert change[1]["changes"] == [{"path": "out.txt", "kind": "add"}]
    assert change[1]["status"] == "completed"
    started, completed = by_type["command_execution"]
    assert started[0] == "item.started" and started[1]["status"] == "in_progress"
    assert completed[1]["command"] == "cat out.txt"
    assert completed[1]["exit_code"] == 0 and completed[1]["status"] == "completed"
    assert completed[1]["aggregated_output"] == "made by exec\n"
    assert started[1]["id"] == completed[1]["id"]
    assert by_type["agent_message"][-1][1]["text"] == "All done."
    assert (workspace / "out.txt").read_text() == "made by exec\n"


def test_exec_human_output_and_last_message_file(
    workspace: Path, isolated_home: Path, tmp_path: Path
) -> None:
    last = tmp_path / "last.txt"
    with ScriptedModelServer(script()) as server:
        result = run_exec(
            server, workspace, isolated_home, "-o", str(last), "-", stdin="make out.txt"
        )
        assert "make out.txt" in json.dumps(server.bodies[0]["input"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "All done.\n"
    assert "$ cat out.txt" in result.stderr
    assert "✔ Look" in result.stderr and "▶ Answer" in result.stderr
    assert last.read_text() == "All done."


def test_exec_leaves_its_session_and_audit_log_whole(workspace: Path, isolated_home: Path) -> None:
    """exec ends with os._exit (no interpreter teardown); everything it wrote must
    already be on disk: the session ends with the turn's completion, the audit log
    holds each call."""
    with ScriptedModelServer(script()) as server:
        result = run_exec(server, workspace, isolated_home, "make out.txt")
    assert result.returncode == 0, result.stderr
    (session,) = (isolated_home / "sessions").rglob("rollout-*.jsonl")
    last = json.loads(session.read_text().splitlines()[-1])
    assert last["payload"]["type"] == "task_complete"
    assert last["payload"]["last_agent_message"] == "All done."
    audit = (isolated_home / "log" / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["tool"] for line in audit] == ["update_plan", "apply_patch", "shell"]


def test_exec_failure_exits_1_with_turn_failed(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([server_error(), server_error()]) as server:
        result = run_exec(server, workspace, isolated_home, "--json", "hi")
    assert result.returncode == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[-1]["type"] == "turn.failed"
    assert "gave up after 1 retries" in events[-1]["error"]["message"]
    assert "Traceback" not in result.stderr


def test_exec_without_key_is_one_line(workspace: Path, isolated_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["CODEX_TUI_HOME"] = str(isolated_home)
    result = subprocess.run([sys.executable, "-m", "codex_tui", "exec", "hi"], cwd=workspace, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 1
    assert "OPENAI_API_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_exec_needs_a_prompt(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([]) as server:
        result = run_exec(server, workspace, isolated_home, stdin="")
    assert result.returncode == 2
    assert result.stderr == "codex-tui: exec: the prompt is empty\n"


def test_exec_prompt_template_reaches_the_model(workspace: Path, isolated_home: Path) -> None:
    prompts = workspace / ".codex-tui" / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "review.md").write_text(
        "---\ndescription: review\ndefaults:\n  focus: tests\n---\nReview {{target}} for {{focus}}.\n"
    )
    with ScriptedModelServer([Reply([Message("reviewed")])]) as server:
        result = run_exec(
            server, workspace, isolated_home, "--prompt", "review", "target=src/app.py"
        )
        body = server.bodies[0]
    assert result.returncode == 0, result.stderr
    assert result.stdout == "reviewed\n"
    assert "Review src/app.py for tests." in json.dumps(body["input"])


def test_exec_prompt_template_errors_are_one_line(workspace: Path, isolated_home: Path) -> None:
    prompts = workspace / ".codex-tui" / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "review.md").write_text("Review {{target}}.\n")
    with ScriptedModelServer([]) as server:
        missing = run_exec(server, workspace, isolated_home, "--prompt", "review")
        unknown = run_exec(server, workspace, isolated_home, "--prompt", "review", "colour=red")
        nosuch = run_exec(server, workspace, isolated_home, "--prompt", "nope")
        assert not server.requests
    for result, needle in ((missing, "target"), (unknown, "colour"), (nosuch, "nope")):
        assert result.returncode == 2
        assert result.stderr.startswith("codex-tui: exec: ") and needle in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
