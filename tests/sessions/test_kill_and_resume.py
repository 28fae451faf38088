"""A real `codex-tui exec` killed with SIGKILL mid-stream: its session is listed,
and `exec resume` continues it with the model getting the earlier history."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.items import message_text
from codex_tui.scripted import FunctionCall, Hang, Message, Reasoning, Reply, ScriptedModelServer
from codex_tui.sessions import read_session
from tests.sessions.conftest import cli_argv, cli_env, run_cli


def wait_until(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_killed_exec_is_listed_and_resumed(workspace: Path, isolated_home: Path) -> None:
    steps = [
        Reply([Reasoning("Check first."), FunctionCall("shell", {"command": ["echo", "checked"]}, call_id="s1")]),
        Hang(after_events=4, reply=Reply([Message("This answer never gets to finish.")]), timeout_s=30),
        Reply([Message("Picking up where we left off.")]),
    ]  # fmt: skip
    with ScriptedModelServer(steps) as server:
        proc = subprocess.Popen(
            cli_argv(server.base_url, "exec", "--json", "check the build"),
            cwd=workspace,
            env=cli_env(isolated_home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until(lambda: len(server.bodies) >= 2, what="the second model request")
            # Let the stream start before the kill.
            first = proc.stdout.readline()
            time.sleep(0.3)
        finally:
            proc.kill()
            proc.communicate(timeout=30)
        assert proc.returncode == -9
        assert json.loads(first)["type"] == "thread.started"
        session_id = json.loads(first)["thread_id"]

        listed = run_cli(isolated_home, workspace, None, "sessions", "--json")
        assert listed.returncode == 0, listed.stderr
        (entry,) = json.loads(listed.stdout)
        assert entry["id"] == session_id
        assert entry["title"] == "check the build"
        assert entry["source"] == "codex-tui"
        assert entry["cwd"] == str(workspace.resolve())
        path = Path(entry["path"])

        # What a kill in the middle of a write leaves behind: a torn last line.
        with path.open("ab") as fh:
            fh.write(b'{"timestamp":"2025-01-02T10:00:00.000Z","type":"event_msg","payload":{"ty')
        before = read_session(path)
        assert before.torn_lines == 1
        assert any(isinstance(e, ev.ExecEnd) and e.output == "checked\n" for e in before.transcript)

        resumed = run_cli(
            isolated_home,
            workspace,
            server.base_url,
            "exec",
            "resume",
            session_id[:8],
            "keep going",
        )
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout == "Picking up where we left off.\n"
        sent = server.last_body["input"]

    texts = [message_text(i) for i in sent if i.get("type") == "message"]
    assert texts[-2:] == ["check the build", "keep going"]
    outputs = {i["call_id"]: i["output"] for i in sent if i.get("type") == "function_call_output"}
    assert [i["call_id"] for i in sent if i.get("type") == "function_call"] == ["s1"]
    assert "checked" in outputs["s1"]

    after = read_session(path)
    assert after.meta.id == session_id
    assert after.torn_lines == 1, "the torn line stays skipped; new lines start clean"
    assert after.meta.turns == 2
    assert [e.text for e in after.transcript if isinstance(e, ev.UserMessage)] == [
        "check the build",
        "keep going",
    ]
    last = after.transcript[-1]
    assert (
        isinstance(last, ev.TurnComplete) and last.last_message == "Picking up where we left off."
    )
    assert len(list(path.parent.iterdir())) == 1, "resumed in the same file"
