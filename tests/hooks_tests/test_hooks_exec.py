"""Hooks end to end through `codex-tui exec` against the scripted server: real
hook scripts get Claude Code's JSON on stdin and decide by exit code or JSON."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer

PATCH = "*** Begin Patch\n*** Update File: keep.txt\n@@\n-keep me\n+patched\n*** End Patch\n"

GUARD = """
import json, sys
event = json.load(sys.stdin)
command = event["tool_input"].get("command", [])
if event["tool_name"] == "shell" and "rm" in command:
    print("rm is not allowed here", file=sys.stderr)
    sys.exit(2)
"""
DENY_PATCHES = """
import json, sys
json.load(sys.stdin)
print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse",
      "permissionDecision": "deny", "permissionDecisionReason": "no patches on Fridays"}}))
"""
RECORD = """
import json, sys, pathlib
event = json.load(sys.stdin)
pathlib.Path(sys.argv[1]).write_text(json.dumps(event))
"""
TICKET = """
import json, sys
json.load(sys.stdin)
print("Ticket ABC-123: the parser drops trailing commas.")
"""
ONE_MORE_STEP = """
import json, sys
event = json.load(sys.stdin)
if not event["stop_hook_active"]:
    print("also run the tests before you stop", file=sys.stderr)
    sys.exit(2)
"""


def script_file(folder: Path, name: str, body: str) -> str:
    path = folder / name
    path.write_text(body)
    return f"{sys.executable} {path}"


def run_exec(server, cwd: Path, home: Path, *args: str):
    argv = [sys.executable, "-m", "codex_tui", "-c", "model_provider=scripted"]
    argv += ["-c", f"model_providers.scripted.base_url={server.base_url}", "exec", *args]
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=90)


def hooks_yaml(event: str, matcher: str, command: str, timeout: float = 20) -> str:
    return (
        f"hooks:\n  {event}:\n    - matcher: {json.dumps(matcher)}\n      hooks:\n"
        f"        - {{type: command, command: {json.dumps(command)}, timeout: {timeout}}}\n"
    )


@pytest.fixture
def work(tmp_path: Path) -> tuple[Path, Path]:
    root, home = tmp_path / "w", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    (root / "keep.txt").write_text("keep me\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root, home


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


def test_exit_2_blocks_a_command_and_the_model_gets_the_reason(work, tmp_path) -> None:
    root, home = work
    guard = script_file(tmp_path, "guard.py", GUARD)
    (home / "config.yaml").write_text(hooks_yaml("PreToolUse", "shell", guard))
    calls = [FunctionCall("shell", {"command": ["rm", "keep.txt"]}, call_id="rm")]
    with ScriptedModelServer([Reply(calls), Reply([Message("ok")])]) as server:
        result = run_exec(server, root, home, "--json", "clean up")
        told = outputs(server.bodies[1])["rm"]
    assert result.returncode == 0, result.stderr
    assert (root / "keep.txt").exists()
    assert "Blocked by the person's hook: rm is not allowed here" in told
    items = [json.loads(line).get("item", {}) for line in result.stdout.splitlines()]
    (hook,) = [i for i in items if i.get("type") == "hook"]
    assert hook["decision"] == "blocked" and hook["hook"] == "guard.py"
    assert hook["message"] == "rm is not allowed here" and hook["call_id"] == "rm"
    audit = (home / "log" / "audit.jsonl").read_text()
    assert "hook:PreToolUse" in audit and "hook-blocked" in audit


def test_a_json_deny_stops_a_patch(work, tmp_path) -> None:
    root, home = work
    deny = script_file(tmp_path, "deny.py", DENY_PATCHES)
    (home / "config.yaml").write_text(hooks_yaml("PreToolUse", "apply_patch|shell", deny))
    calls = [FunctionCall("apply_patch", {"input": PATCH}, call_id="p")]
    with ScriptedModelServer([Reply(calls), Reply([Message("ok")])]) as server:
        result = run_exec(server, root, home, "patch it")
        told = outputs(server.bodies[1])["p"]
    assert result.returncode == 0, result.stderr
    assert (root / "keep.txt").read_text() == "keep me\n"
    assert "no patches on Fridays" in told
    assert "denied by hook deny.py: no patches on Fridays" in result.stderr


def test_post_tool_use_gets_the_call_and_its_result(work, tmp_path) -> None:
    root, home = work
    seen = tmp_path / "seen.json"
    record = script_file(tmp_path, "record.py", RECORD) + f" {seen}"
    (home / "config.yaml").write_text(hooks_yaml("PostToolUse", "apply_patch", record))
    calls = [FunctionCall("apply_patch", {"input": PATCH}, call_id="p")]
    with ScriptedModelServer([Reply(calls), Reply([Message("ok")])]) as server:
        result = run_exec(server, root, home, "patch it")
    assert result.returncode == 0, result.stderr
    event = json.loads(seen.read_text())
    assert event["hook_event_name"] == "PostToolUse" and event["tool_name"] == "apply_patch"
    assert event["tool_input"] == {"input": PATCH}
    assert "keep.txt" in event["tool_response"]["output"]
    assert event["cwd"] == str(root.resolve()) and event["session_id"]
    assert Path(event["transcript_path"]).is_file()


def test_user_prompt_submit_output_reaches_the_model(work, tmp_path) -> None:
    root, home = work
    ticket = script_file(tmp_path, "ticket.py", TICKET)
    (home / "config.yaml").write_text(hooks_yaml("UserPromptSubmit", "", ticket))
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        result = run_exec(server, root, home, "fix the parser")
        sent = json.dumps(server.bodies[0]["input"])
    assert result.returncode == 0, result.stderr
    assert "Ticket ABC-123: the parser drops trailing commas." in sent
    assert sent.index("fix the parser") < sent.index("ABC-123")


def test_a_stop_hook_asks_for_one_more_step_once(work, tmp_path) -> None:
    root, home = work
    more = script_file(tmp_path, "more.py", ONE_MORE_STEP)
    (home / "config.yaml").write_text(hooks_yaml("Stop", "", more))
    script = [Reply([Message("done")]), Reply([Message("tests pass, done")])]
    with ScriptedModelServer(script) as server:
        result = run_exec(server, root, home, "do it")
        asked = json.dumps(server.bodies[1]["input"])
        requests = len(server.bodies)
    assert result.returncode == 0, result.stderr
    assert requests == 2
    assert "also run the tests before you stop" in asked
    assert result.stdout == "tests pass, done\n"


def test_a_hanging_hook_is_cut_off_and_the_turn_goes_on(work, tmp_path) -> None:
    root, home = work
    hang = f"sleep 86{os.getpid() % 1000:03d}"  # no other test's command reads the same
    (home / "config.yaml").write_text(hooks_yaml("PreToolUse", "", hang, timeout=1))
    calls = [FunctionCall("read_file", {"path": "keep.txt"}, call_id="r")]
    started = time.monotonic()
    with ScriptedModelServer([Reply(calls), Reply([Message("read it")])]) as server:
        result = run_exec(server, root, home, "read")
        told = outputs(server.bodies[1])["r"]
    assert time.monotonic() - started < 30
    assert result.returncode == 0, result.stderr
    assert "keep me" in told
    assert "hook sleep (PreToolUse): timed out after 1 s" in result.stderr
    assert subprocess.run(["pgrep", "-f", hang], capture_output=True).returncode != 0


def test_repository_hooks_run_only_once_trusted(work, tmp_path) -> None:
    root, home = work
    marker = tmp_path / "ran"
    (root / ".codex-tui").mkdir()
    (root / ".codex-tui" / "config.yaml").write_text(
        hooks_yaml("UserPromptSubmit", "", f"touch {marker}")
    )
    with ScriptedModelServer([Reply([Message("ok")]), Reply([Message("ok")])]) as server:
        untrusted = run_exec(server, root, home, "hello")
        assert untrusted.returncode == 0, untrusted.stderr
        assert not marker.exists()
        assert "run only once you trust this repository" in untrusted.stderr
        file = root / ".codex-tui" / "config.yaml"
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        trust = {str(root.resolve()): {"trust": "trusted", "digest": digest}}
        (home / "trust.json").write_text(json.dumps(trust))
        assert not marker.exists()
        trusted = run_exec(server, root, home, "hello again")
    assert trusted.returncode == 0, trusted.stderr
    assert marker.exists()
    # Changed since it was trusted (the model may write the workspace): not run again.
    marker.unlink()
    file.write_text(file.read_text() + "\n# changed\n")
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        changed = run_exec(server, root, home, "once more")
    assert changed.returncode == 0, changed.stderr
    assert not marker.exists()
    assert "run only once you trust this repository" in changed.stderr
