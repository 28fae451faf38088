"""Turns over ACP: streamed updates, a plan, a patch the editor allows, a command
it rejects, and a cancel mid-stream, against `codex-tui acp` as a real process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from acp import text_block
from acp.schema import AgentPlanUpdate, FileEditToolCallContent, ToolCallProgress, ToolCallStart

from codex_tui.scripted import FunctionCall, Hang, Message, Reasoning, Reply, ScriptedModelServer

from .conftest import FakeEditor, acp_agent
from .shapes import check_updates

PLAN = {
    "explanation": "two steps",
    "plan": [
        {"step": "Write out.txt", "status": "in_progress"},
        {"step": "Check", "status": "pending"},
    ],
}
PATCH = "*** Begin Patch\n*** Add File: out.txt\n+made over acp\n*** End Patch\n"


def script() -> list[Reply]:
    return [
        Reply(
            [
                Reasoning("Plan first."),
                FunctionCall("update_plan", PLAN, call_id="plan"),
                FunctionCall("apply_patch", {"input": PATCH}, call_id="patch"),
                FunctionCall("shell", {"command": ["touch", "by-command"]}, call_id="cmd"),
            ]
        ),
        Reply([Message("All done.")]),
    ]


async def test_turn_with_plan_allowed_patch_and_rejected_command(
    workspace: Path, isolated_home: Path
) -> None:
    editor = FakeEditor({"patch": "allow-once", "cmd": "reject"})
    with ScriptedModelServer(script()) as server:
        async with acp_agent(
            server, workspace, isolated_home, "-a", "untrusted", editor=editor
        ) as (
            conn,
            _,
        ):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            answer = await conn.prompt(
                session_id=session.session_id, prompt=[text_block("make out.txt")]
            )
        model_saw = json.dumps(server.bodies[1]["input"])
    assert answer.stop_reason == "end_turn"
    check_updates(editor.updates, session.session_id)
    assert editor.text("agent_thought_chunk") == "Plan first."
    assert editor.text("agent_message_chunk") == "All done."

    (plan,) = editor.of_kind("plan")
    assert isinstance(plan, AgentPlanUpdate)
    assert [(e.content, e.status) for e in plan.entries] == [
        ("Write out.txt", "in_progress"),
        ("Check", "pending"),
    ]

    calls = {u.tool_call_id: u for u in editor.of_kind("tool_call")}
    assert set(calls) == {"patch", "cmd"}
    patch_start = calls["patch"]
    assert isinstance(patch_start, ToolCallStart)
    assert (patch_start.kind, patch_start.status, patch_start.title) == (
        "edit",
        "pending",
        "Add out.txt",
    )
    (diff,) = patch_start.content or []
    assert isinstance(diff, FileEditToolCallContent)
    assert diff.path == str(workspace / "out.txt")
    assert (diff.old_text, diff.new_text) == ("", "made over acp\n")  # see file_diff
    assert calls["cmd"].kind == "execute" and calls["cmd"].title == "touch by-command"

    # Asked in the order the model called them, each with the three choices.
    asked = [(p[1].tool_call_id, [o.option_id for o in p[2]]) for p in editor.permissions]
    assert asked == [
        ("patch", ["allow-once", "allow-always", "reject"]),
        ("cmd", ["allow-once", "allow-always", "reject"]),
    ]
    shown_diff = editor.permissions[0][1].content[0]
    assert isinstance(shown_diff, FileEditToolCallContent)
    assert shown_diff.new_text == "made over acp\n"

    ends = {
        u.tool_call_id: u
        for u in editor.of_kind("tool_call_update")
        if isinstance(u, ToolCallProgress) and u.status in ("completed", "failed")
    }
    assert ends["patch"].status == "completed"
    assert ends["cmd"].status == "failed"
    assert "Declined" in ends["cmd"].content[0].content.text
    assert (workspace / "out.txt").read_text() == "made over acp\n"
    assert not (workspace / "by-command").exists()
    assert "declined" in model_saw


async def test_command_output_reaches_the_editor(workspace: Path, isolated_home: Path) -> None:
    script = [
        Reply([FunctionCall("shell", {"command": ["cat", "notes.txt"]}, call_id="cat")]),
        Reply([Message("Read it.")]),
    ]
    editor = FakeEditor()
    with ScriptedModelServer(script) as server:
        async with acp_agent(server, workspace, isolated_home, editor=editor) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            answer = await conn.prompt(session_id=session.session_id, prompt=[text_block("cat")])
    assert answer.stop_reason == "end_turn"
    check_updates(editor.updates, session.session_id)
    assert not editor.permissions  # a known-safe command runs without asking
    (start,) = editor.of_kind("tool_call")
    assert (start.kind, start.status, start.title) == ("execute", "in_progress", "cat notes.txt")
    end = editor.of_kind("tool_call_update")[-1]
    assert end.status == "completed" and end.raw_output == {"exit_code": 0, "status": "completed"}
    assert end.content[0].content.text == "```\nalpha\nbeta\n```"


async def test_cancel_mid_stream_ends_the_turn_as_cancelled(
    workspace: Path, isolated_home: Path
) -> None:
    editor = FakeEditor()
    with ScriptedModelServer([Hang(after_events=6, timeout_s=30)]) as server:
        async with acp_agent(server, workspace, isolated_home, editor=editor) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            sid = session.session_id
            turn = asyncio.create_task(conn.prompt(session_id=sid, prompt=[text_block("go")]))
            await editor.wait_for("agent_message_chunk")
            await conn.cancel(session_id=sid)
            async with asyncio.timeout(10):
                answer = await turn
            assert answer.stop_reason == "cancelled"
            # The session goes on: the next prompt is a normal turn.
            server.add(Reply([Message("Still here.")]))
            again = await conn.prompt(session_id=sid, prompt=[text_block("again")])
    assert again.stop_reason == "end_turn"
    check_updates(editor.updates, sid)
    assert editor.text("agent_message_chunk").endswith("Still here.")


async def test_cancel_while_a_permission_is_open(workspace: Path, isolated_home: Path) -> None:
    script = [Reply([FunctionCall("shell", {"command": ["touch", "never"]}, call_id="cmd")])]
    editor = FakeEditor({"cmd": "hold"})
    with ScriptedModelServer(script) as server:
        async with acp_agent(
            server, workspace, isolated_home, "-a", "untrusted", editor=editor
        ) as (
            conn,
            _,
        ):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            sid = session.session_id
            turn = asyncio.create_task(conn.prompt(session_id=sid, prompt=[text_block("go")]))
            async with asyncio.timeout(20):
                await editor.asked.wait()
            await conn.cancel(session_id=sid)
            editor.release.set()
            async with asyncio.timeout(10):
                answer = await turn
    assert answer.stop_reason == "cancelled"
    check_updates(editor.updates, sid)
    assert not (workspace / "never").exists()
    # The call asked about does not stay pending in the editor.
    assert editor.of_kind("tool_call_update")[-1].status == "failed"
