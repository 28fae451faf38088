"""Claude Code's hook contract, read from hook runs: exit codes, JSON decisions,
context, and which of several hooks wins; and how allow / ask steer approval."""

from __future__ import annotations

import json

from codex_tui.agent.tool_calls import ToolRunner
from codex_tui.hooks.runner import HookRun
from codex_tui.hooks.sources import Hook
from codex_tui.hooks.verdict import verdict
from codex_tui.policy import Action, Decision

HOOK = Hook("PreToolUse", "", "python3 ~/hooks/guard.py --strict", 60, "config.yaml")


def run(code: int | None, out: str = "", err: str = "", **kw) -> HookRun:
    return HookRun(HOOK, code, out, err, **kw)


def permission(decision: str, reason: str = "") -> str:
    specific = {"hookEventName": "PreToolUse", "permissionDecision": decision}
    if reason:
        specific["permissionDecisionReason"] = reason
    return json.dumps({"hookSpecificOutput": specific})


def test_exit_codes() -> None:
    assert verdict("PreToolUse", [run(0)]).block is False
    blocked = verdict("PreToolUse", [run(2, err="no rm\n")])
    assert blocked.block and blocked.reason == "no rm"
    assert blocked.notes[0].label == "guard.py" and blocked.notes[0].kind == "blocked"
    other = verdict("PreToolUse", [run(1, err="oops\nmore")])
    assert not other.block and other.notes[0].kind == "warning"
    assert other.notes[0].text == "exited 1: oops"
    late = verdict("Stop", [run(None, timed_out=True)])
    assert late.notes[0].text == "timed out after 60 s" and not late.block


def test_json_decisions_and_context() -> None:
    assert verdict("PreToolUse", [run(0, permission("allow"))]).permission == "allow"
    denied = verdict("PreToolUse", [run(0, permission("deny", "not today"))])
    assert denied.block and denied.reason == "not today" and denied.permission == "deny"
    stop = verdict("PostToolUse", [run(0, json.dumps({"continue": False, "stopReason": "enough"}))])
    assert stop.stop and stop.stop_reason == "enough"
    block = verdict("Stop", [run(0, json.dumps({"decision": "block", "reason": "tests first"}))])
    assert block.block and block.reason == "tests first"
    extra = json.dumps({"hookSpecificOutput": {"additionalContext": "ticket 7"}})
    assert verdict("UserPromptSubmit", [run(0, extra)]).context == ["ticket 7"]
    assert verdict("UserPromptSubmit", [run(0, "plain words\n")]).context == ["plain words"]
    assert verdict("PreToolUse", [run(0, "plain words\n")]).context == []


def test_of_several_hooks_deny_beats_ask_beats_allow() -> None:
    runs = [run(0, permission("allow")), run(0, permission("ask")), run(0, permission("deny"))]
    assert verdict("PreToolUse", runs).permission == "deny"
    assert verdict("PreToolUse", runs[:2]).permission == "ask"
    assert verdict("PreToolUse", [run(0, permission("allow")), run(2, err="no")]).block


def test_allow_skips_the_dialog_and_ask_brings_it_up() -> None:
    runner = ToolRunner.__new__(ToolRunner)
    runner._permissions = {"a": "allow", "b": "ask", "c": "allow"}
    ask = Decision(Action.ASK, "policy", "asks", sandbox_if_approved=True)
    assert runner.hook_permission("a", ask).action is Action.RUN_SANDBOXED
    run_it = Decision(Action.RUN_SANDBOXED, "policy", "runs")
    asked = runner.hook_permission("b", run_it)
    assert asked.action is Action.ASK and asked.sandbox_if_approved
    refused = Decision(Action.REFUSE, "forbidden", "never")
    assert runner.hook_permission("c", refused).action is Action.REFUSE  # never a refusal
    assert runner.hook_permission("z", ask) is ask


def test_hooks_get_a_minimal_environment_without_secrets(monkeypatch, tmp_path) -> None:
    from codex_tui.hooks.runner import hook_env

    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    env = hook_env(tmp_path)
    assert env["CODEX_TUI_PROJECT_DIR"] == str(tmp_path)
    assert "OPENAI_API_KEY" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert set(env) <= {
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "SHELL", "TERM", "TMPDIR",
        "CODEX_TUI_PROJECT_DIR",
    }  # fmt: skip


def test_allow_never_takes_a_call_past_the_sandbox() -> None:
    runner = ToolRunner.__new__(ToolRunner)
    runner._permissions = {"esc": "allow", "out": "allow", "in": "allow"}
    escalation = Decision(Action.ASK, "escalation", "leave", sandbox_if_approved=False)
    assert runner.hook_permission("esc", escalation) is escalation
    outside = Decision(Action.ASK, "outside-writable-roots", "out", subject="patch")
    assert runner.hook_permission("out", outside) is outside
    inside = Decision(Action.ASK, "untrusted", "every patch asks", subject="patch")
    assert runner.hook_permission("in", inside).action is Action.APPLY
