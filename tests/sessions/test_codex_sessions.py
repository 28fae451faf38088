"""Codex CLI's session files (written here from the documented envelope): listed,
opened read-only, and continued as a new codex-tui session."""

from __future__ import annotations

import json
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.items import message_text
from codex_tui.scripted import Message, Reply, ScriptedModelServer
from codex_tui.sessions import SessionIndex, read_session
from codex_tui.tools.plan import PlanStep
from tests.sessions.conftest import line, run_cli, write_session

SESSION_ID = "5973b6c0-94b8-487b-a530-2aeb6098ae0e"
PATCH = "*** Begin Patch\n*** Update File: app.py\n@@\n-x = 1\n+x = 2\n+y = 3\n*** End Patch\n"


def codex_session(codex_home: Path, cwd: Path) -> Path:
    def user(text: str) -> dict:
        return {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }

    shell_args = json.dumps({"command": ["bash", "-lc", "pytest -q"], "workdir": str(cwd)})
    plan_args = json.dumps({"plan": [{"step": "Fix x", "status": "completed"}]})
    shell_output = json.dumps(
        {"output": "1 passed\n", "metadata": {"exit_code": 0, "duration_seconds": 0.4}}
    )
    lines = [
        line(
            "session_meta",
            {
                "id": SESSION_ID,
                "timestamp": "2025-01-02T10:00:00.000Z",
                "cwd": str(cwd),
                "originator": "codex_cli_rs",
                "cli_version": "0.46.0",
                "instructions": None,
                "source": "cli",
                "model_provider": "openai",
                "git": {"commit_hash": "0123abc", "branch": "feature/x", "repository_url": "git@x"},
            },
        ),
        line("response_item", user("<user_instructions>\nUse tabs.\n</user_instructions>")),
        line("response_item", user("<environment_context>\n  <cwd>/x</cwd>\n</environment_context>")),
        line(
            "turn_context",
            {
                "cwd": str(cwd),
                "approval_policy": "on-request",
                "sandbox_policy": {"type": "workspace-write", "network_access": False},
                "model": "gpt-5-codex",
                "effort": "medium",
                "summary": "auto",
            },
        ),
        line("response_item", user("bump x to 2 and run the tests")),
        line("event_msg", {"type": "user_message", "message": "bump x to 2 and run the tests", "images": []}),
        line("response_item", {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "perms"}]}),
        line("event_msg", {"type": "agent_reasoning", "text": "**Planning the change**"}),
        line("response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": "**Planning the change**"}], "content": None, "encrypted_content": "gAAAA-opaque"}),
        line("response_item", {"type": "custom_tool_call", "status": "completed", "call_id": "call_patch", "name": "apply_patch", "input": PATCH}),
        line("response_item", {"type": "custom_tool_call_output", "call_id": "call_patch", "output": "Exit code: 0\nWall time: 0.1 seconds\nOutput:\nSuccess. Updated the following files:\nM app.py\n"}),
        line("response_item", {"type": "function_call", "name": "shell", "arguments": shell_args, "call_id": "call_shell"}),
        line("response_item", {"type": "function_call_output", "call_id": "call_shell", "output": shell_output}),
        line("response_item", {"type": "function_call", "name": "update_plan", "arguments": plan_args, "call_id": "call_plan"}),
        line("response_item", {"type": "function_call_output", "call_id": "call_plan", "output": "Plan updated"}),
        line("event_msg", {"type": "token_count", "info": {"total_token_usage": {"input_tokens": 5000, "cached_input_tokens": 4000, "output_tokens": 300, "reasoning_output_tokens": 100, "total_tokens": 5300}, "last_token_usage": {"input_tokens": 2500, "cached_input_tokens": 2000, "output_tokens": 150, "reasoning_output_tokens": 50, "total_tokens": 2650}, "model_context_window": 272000}, "rate_limits": None}),
        line("response_item", {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "x is 2 and the tests pass."}]}),
        line("event_msg", {"type": "agent_message", "message": "x is 2 and the tests pass."}),
        line("event_msg", {"type": "something_new", "detail": 1}),
    ]  # fmt: skip
    return write_session(codex_home, SESSION_ID, lines)


def test_codex_session_is_listed_and_opened_read_only(codex_home: Path, workspace: Path) -> None:
    path = codex_session(codex_home, workspace)
    index = SessionIndex.open()
    index.refresh()
    (summary,) = index.list(workspace)
    assert summary.id == SESSION_ID
    assert (summary.source, summary.read_only) == ("codex", True)
    assert summary.title == "bump x to 2 and run the tests"
    assert (summary.branch, summary.model, summary.turns, summary.tokens) == (
        "feature/x",
        "gpt-5-codex",
        1,
        5300,
    )
    # `codex-tui sessions` marks it in its title column.
    assert [row[4] for row in index.brief()] == ["(codex) bump x to 2 and run the tests"]

    data = read_session(path)
    assert data.meta.read_only and data.meta.source == "codex"
    assert data.torn_lines == 0
    patch_changes = (ev.ChangedFile(path="app.py", kind="update", added=2, removed=1),)
    assert data.transcript == [
        ev.UserMessage(text="bump x to 2 and run the tests"),
        ev.Reasoning(item_id="replay-1", text="**Planning the change**"),
        ev.PatchBegin(call_id="call_patch", changes=patch_changes, diff=PATCH),
        ev.PatchEnd(
            call_id="call_patch", changes=patch_changes, success=True,
            output="Success. Updated the following files:\nM app.py\n", status="completed",
        ),
        ev.ExecBegin(call_id="call_shell", command=("bash", "-lc", "pytest -q"), cwd=workspace, sandboxed=True),
        ev.ExecEnd(call_id="call_shell", command=("bash", "-lc", "pytest -q"), exit_code=0, output="1 passed\n", duration_s=0.4, status="completed"),
        ev.PlanUpdated(explanation=None, plan=(PlanStep(step="Fix x", status="completed"),)),
        ev.TokenCount(total=ev.TokenUsage(input_tokens=5000, cached_input_tokens=4000, output_tokens=300, reasoning_tokens=100), last=ev.TokenUsage(input_tokens=2500, cached_input_tokens=2000, output_tokens=150, reasoning_tokens=50), context_window=272000),
        ev.AgentMessage(item_id="replay-2", text="x is 2 and the tests pass."),
    ]  # fmt: skip
    kinds = [(i["type"], i.get("role") or i.get("name")) for i in data.history]
    # No developer message and no encrypted reasoning: neither can be sent to another account.
    assert kinds == [
        ("message", "user"), ("message", "user"), ("message", "user"),
        ("function_call", "apply_patch"), ("function_call_output", None),
        ("function_call", "shell"), ("function_call_output", None),
        ("function_call", "update_plan"), ("function_call_output", None),
        ("message", "assistant"),
    ]  # fmt: skip
    assert json.loads(data.history[3]["arguments"]) == {"input": PATCH}
    # Continuing it copies the transcript into a new file: read whole all the same.
    assert read_session(path, transcript=False) == data


def test_codex_session_continues_as_a_new_session(
    codex_home: Path, isolated_home: Path, workspace: Path
) -> None:
    path = codex_session(codex_home, workspace)
    original = path.read_bytes()
    with ScriptedModelServer([Reply([Message("Carrying on.")])]) as server:
        result = run_cli(
            isolated_home,
            workspace,
            server.base_url,
            "exec",
            "resume",
            SESSION_ID[:6],
            "--json",
            "now add y",
        )
        assert result.returncode == 0, result.stderr
        sent = server.last_body["input"]
    texts = [message_text(i) for i in sent if i.get("type") == "message"]
    assert "bump x to 2 and run the tests" in texts
    assert "x is 2 and the tests pass." in texts
    assert texts[-1] == "now add y"
    assert not any("<user_instructions>" in t or "<cwd>/x</cwd>" in t for t in texts)
    assert texts[0].startswith("<environment_context>"), "our own context comes first"
    assert [i["call_id"] for i in sent if i.get("type") == "function_call"] == [
        "call_patch",
        "call_shell",
        "call_plan",
    ]
    assert path.read_bytes() == original, "Codex CLI's file is never written"

    thread = json.loads(result.stdout.splitlines()[0])
    assert thread["type"] == "thread.started" and thread["thread_id"] != SESSION_ID
    index = SessionIndex.open()
    index.refresh()
    new = index.find(thread["thread_id"])
    assert (new.source, new.read_only) == ("codex-tui", False)
    assert new.title == "bump x to 2 and run the tests"
    assert new.turns == 2
    data = read_session(new.path)
    assert data.meta.forked_from == SESSION_ID
    assert [type(e).__name__ for e in data.transcript][:4] == [
        "UserMessage",
        "Reasoning",
        "PatchBegin",
        "PatchEnd",
    ]
    last = data.transcript[-1]
    assert isinstance(last, ev.TurnComplete) and last.last_message == "Carrying on."
    assert {s.id for s in index.list(workspace)} == {SESSION_ID, new.id}
