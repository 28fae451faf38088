"""The audit log in a running turn: a log that cannot be written is said once and
the session goes on; the file tools' paths are flagged like shell's."""

from __future__ import annotations

import json
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.config import paths
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from tests.agent.fakes import EventLog
from tests.agent.test_turn_control import make_agent


async def test_an_unwritable_audit_log_is_one_warning(workspace: Path, isolated_home) -> None:
    (paths.log_dir() / "audit.jsonl").mkdir(parents=True)  # a directory where the file goes
    calls = [FunctionCall("git_status", {}, call_id=f"g{i}") for i in range(3)]
    log = EventLog()
    with ScriptedModelServer([Reply(calls), Reply([Message("done")])]) as server:
        agent = await make_agent(server, workspace, log)
        outcome = await agent.submit("look")
        await agent.aclose()
    assert outcome is not None and outcome.status == "completed"
    warnings = [w.message for w in log.of(ev.WarningEvent) if "audit log" in w.message]
    assert len(warnings) == 1 and warnings[0].startswith("audit log stopped: ")


async def test_file_tool_paths_are_flagged_even_when_refused(workspace: Path, isolated_home):
    calls = [
        FunctionCall("read_file", {"path": "../../etc/passwd"}, call_id="r"),
        FunctionCall("search_files", {"pattern": "x", "path": "/etc"}, call_id="s"),
    ]
    with ScriptedModelServer([Reply(calls), Reply([Message("done")])]) as server:
        agent = await make_agent(server, workspace, EventLog())
        await agent.submit("look")
        await agent.aclose()
    records = [
        json.loads(line) for line in (paths.log_dir() / "audit.jsonl").read_text().splitlines()
    ]
    by_tool = {r["tool"]: r for r in records}
    assert by_tool["read_file"]["flags"] and by_tool["search_files"]["flags"]
