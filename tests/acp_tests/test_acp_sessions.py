"""Sessions over ACP: recorded like any other (listed, loaded back and replayed
as updates, continued in the same file), prompts with images and mentions,
modes and the model option, and the editor's MCP servers."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from acp import RequestError, image_block, resource_link_block, text_block
from acp.schema import EnvVariable, McpServerStdio, ToolCallStart
from PIL import Image

from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer

from .conftest import FakeEditor, acp_agent, agent_env
from .shapes import check_updates

PATCH = "*** Begin Patch\n*** Add File: out.txt\n+kept\n*** End Patch\n"


async def test_a_session_is_recorded_listed_and_loaded_back(
    workspace: Path, isolated_home: Path
) -> None:
    first = [
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="p1")]),
        Reply([Message("Made it.")]),
    ]
    with ScriptedModelServer(first) as server:
        async with acp_agent(server, workspace, isolated_home) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            await conn.prompt(session_id=session.session_id, prompt=[text_block("make out.txt")])
        sid = session.session_id
        listed = subprocess.run(
            [sys.executable, "-m", "codex_tui", "sessions", "--json"],
            cwd=workspace, env=agent_env(isolated_home), capture_output=True, text=True,
        )  # fmt: skip
        assert [(s["id"], s["title"]) for s in json.loads(listed.stdout)] == [(sid, "make out.txt")]

        server.add(Reply([Message("Second answer.")]))
        editor = FakeEditor()
        async with acp_agent(server, workspace, isolated_home, editor=editor) as (conn, _):
            found = await conn.list_sessions(cwd=str(workspace))
            assert [(s.session_id, s.title) for s in found.sessions] == [(sid, "make out.txt")]
            await conn.load_session(cwd=str(workspace), session_id=sid, mcp_servers=[])
            replayed = list(editor.updates)
            answer = await conn.prompt(session_id=sid, prompt=[text_block("and again")])
        history = json.dumps(server.bodies[-1]["input"])
    assert answer.stop_reason == "end_turn"
    check_updates(editor.updates, sid)
    kinds = [u.session_update for _, u in replayed]
    assert (
        kinds.index("user_message_chunk")
        < kinds.index("tool_call")
        < kinds.index("agent_message_chunk")
    )
    assert replayed[kinds.index("user_message_chunk")][1].content.text == "make out.txt"
    (patch,) = [u for _, u in replayed if isinstance(u, ToolCallStart)]
    assert (patch.tool_call_id, patch.kind, patch.title) == ("p1", "edit", "Add out.txt")
    statuses = [u.status for _, u in replayed if getattr(u, "tool_call_id", None) == "p1"]
    assert statuses[-1] == "completed"
    assert "make out.txt" in history and "Made it." in history  # the model has it back
    files = list((isolated_home / "sessions").rglob("*.jsonl"))
    assert len(files) == 1  # continued in the same file
    assert "Second answer." in files[0].read_text()


async def test_load_of_an_unknown_session_is_an_error(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer() as server:
        async with acp_agent(server, workspace, isolated_home) as (conn, _):
            with pytest.raises(RequestError) as caught:
                await conn.load_session(cwd=str(workspace), session_id="nope", mcp_servers=[])
            assert caught.value.code == -32602
            with pytest.raises(RequestError):
                await conn.new_session(cwd="relative/dir", mcp_servers=[])


def png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


async def test_images_and_mentions_reach_the_model(workspace: Path, isolated_home: Path) -> None:
    notes = (workspace / "notes.txt").as_uri()
    with ScriptedModelServer([Reply([Message("Seen.")])]) as server:
        async with acp_agent(server, workspace, isolated_home) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            answer = await conn.prompt(
                session_id=session.session_id,
                prompt=[
                    text_block("compare "),
                    resource_link_block("notes.txt", notes),
                    text_block(" with this"),
                    image_block(png(), "image/png"),
                ],
            )
        (message,) = [i for i in server.bodies[0]["input"] if i.get("role") == "user"][-1:]
    assert answer.stop_reason == "end_turn"
    texts = [c["text"] for c in message["content"] if c["type"] == "input_text"]
    images = [c["image_url"] for c in message["content"] if c["type"] == "input_image"]
    assert texts == ["compare @notes.txt with this"]
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")


async def test_a_bad_image_is_an_invalid_params_error(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer() as server:
        async with acp_agent(server, workspace, isolated_home) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            with pytest.raises(RequestError) as caught:
                await conn.prompt(
                    session_id=session.session_id,
                    prompt=[image_block(base64.b64encode(b"not a picture").decode(), "image/png")],
                )
    assert caught.value.code == -32602
    assert not server.bodies


async def test_modes_and_the_model_option(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        async with acp_agent(server, workspace, isolated_home, "-m", "model-a") as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            sid = session.session_id
            assert session.modes is not None and session.modes.current_mode_id == "default"
            assert [m.id for m in session.modes.available_modes] == [
                "default", "auto-edit", "plan",
            ]  # fmt: skip
            options = {o.id: o for o in session.config_options or []}
            assert options["model"].current_value == "model-a"
            assert options["reasoning_effort"].current_value == "default"
            await conn.set_session_mode(session_id=sid, mode_id="plan")
            changed = await conn.set_config_option(
                config_id="model", session_id=sid, value="model-b"
            )
            assert {o.id: o.current_value for o in changed.config_options}["model"] == "model-b"
            with pytest.raises(RequestError):
                await conn.set_session_mode(session_id=sid, mode_id="no-such-mode")
            await conn.prompt(session_id=sid, prompt=[text_block("hi")])
        body = server.bodies[0]
    assert body["model"] == "model-b"
    # The turn ran in plan mode: no tool that writes offered, read-only sandbox
    # under `never` (the session file's turn_context says).
    assert "apply_patch" not in {t["name"] for t in body["tools"]}
    (file,) = (isolated_home / "sessions").rglob("*.jsonl")
    lines = [json.loads(line) for line in file.read_text().splitlines()]
    (turn,) = [line["payload"] for line in lines if line["type"] == "turn_context"]
    assert turn["sandbox_policy"] == {"type": "read-only"}
    assert turn["approval_policy"] == "never"


async def test_the_editors_mcp_servers_are_used(workspace: Path, isolated_home: Path) -> None:
    command = shutil.which("mcp-server-time")
    assert command, "mcp-server-time (a test dependency) is not installed"
    time_server = McpServerStdio(
        name="time", command=command, args=[], env=[EnvVariable(name="TZ", value="UTC")]
    )
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        async with acp_agent(server, workspace, isolated_home) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[time_server])
            await conn.prompt(session_id=session.session_id, prompt=[text_block("time?")])
        tools = [t.get("name") for t in server.bodies[0]["tools"]]
    assert "mcp__time__get_current_time" in tools
