"""The editor's buffers and terminals (`fs/*`, `terminal/*`) when it offers
them: read_file sees unsaved text, patches arrive as whole files, commands run
in the editor's terminal under our sandbox's own command line; cancel and
timeouts end the terminal. Without the capabilities, nothing of it is used."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from acp import text_block
from acp.schema import ContentToolCallContent, TerminalToolCallContent

from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer

from .conftest import FakeBufferEditor, acp_agent
from .shapes import check_updates

UNSAVED = "alpha\nBETA typed in the editor, not saved\n"


def outputs(server: ScriptedModelServer, turn: int = 1) -> dict[str, str]:
    """The function_call_output the model got for each call id."""
    return {
        item["call_id"]: item["output"]
        for item in server.bodies[turn]["input"]
        if item.get("type") == "function_call_output"
    }


async def run_turn(
    server: ScriptedModelServer, workspace: Path, home: Path, editor: FakeBufferEditor, *flags: str
) -> str:
    async with acp_agent(server, workspace, home, *flags, editor=editor) as (conn, _):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        answer = await conn.prompt(session_id=session.session_id, prompt=[text_block("go")])
    check_updates(editor.updates, session.session_id)
    return answer.stop_reason


async def test_read_file_sees_the_unsaved_buffer(workspace: Path, isolated_home: Path) -> None:
    notes = workspace / "notes.txt"
    editor = FakeBufferEditor({notes: UNSAVED})
    script = [
        Reply([FunctionCall("read_file", {"path": "notes.txt"}, call_id="read")]),
        Reply([Message("Seen.")]),
    ]
    with ScriptedModelServer(script) as server:
        assert await run_turn(server, workspace, isolated_home, editor) == "end_turn"
        seen = outputs(server)["read"]
    assert editor.reads == [str(notes)]
    assert seen == "notes.txt (lines 1-2 of 2)\n1\talpha\n2\tBETA typed in the editor, not saved"
    assert notes.read_text() == "alpha\nbeta\n"


async def test_read_file_keeps_the_path_rules(workspace: Path, isolated_home: Path) -> None:
    """A path outside the workspace is refused before the editor is asked."""
    outside = workspace.parent / "secret.txt"
    outside.write_text("not for the model\n")
    editor = FakeBufferEditor({outside: "not for the model\n"})
    script = [
        Reply([FunctionCall("read_file", {"path": str(outside)}, call_id="read")]),
        Reply([Message("Refused.")]),
    ]
    with ScriptedModelServer(script) as server:
        assert await run_turn(server, workspace, isolated_home, editor) == "end_turn"
        seen = outputs(server)["read"]
    assert editor.reads == []
    assert "outside the workspace" in seen and "not for the model" not in seen


PATCH = """*** Begin Patch
*** Update File: notes.txt
@@
 alpha
-BETA typed in the editor, not saved
+gamma
*** Add File: new.txt
+made in the editor
*** Delete File: old.txt
*** End Patch
"""


async def test_an_approved_patch_is_written_through_the_editor(
    workspace: Path, isolated_home: Path
) -> None:
    notes, new, old = workspace / "notes.txt", workspace / "new.txt", workspace / "old.txt"
    old.write_text("to go\n")
    editor = FakeBufferEditor({notes: UNSAVED}, answers={"patch": "allow-once"})
    script = [
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="patch")]),
        Reply([Message("Patched.")]),
    ]
    with ScriptedModelServer(script) as server:
        stop = await run_turn(server, workspace, isolated_home, editor, "-a", "untrusted")
        seen = outputs(server)["patch"]
    assert stop == "end_turn"
    # Asked first; the patch was planned against the buffer (its line is only there).
    assert [p[1].tool_call_id for p in editor.permissions] == ["patch"]
    assert str(notes) in editor.reads
    assert editor.written == {str(notes): "alpha\ngamma\n", str(new): "made in the editor\n"}
    # The editor saves (or not) as it likes: our side wrote neither file; the
    # delete, which fs/* cannot say, happened on disk.
    assert notes.read_text() == "alpha\nbeta\n" and not new.exists()
    assert not old.exists()
    assert seen == "Success. Updated the following files:\nA new.txt\nM notes.txt\nD old.txt"


async def test_a_write_the_editor_refuses_is_reported_and_undone(
    workspace: Path, isolated_home: Path
) -> None:
    notes, new, old = workspace / "notes.txt", workspace / "new.txt", workspace / "old.txt"
    old.write_text("to go\n")
    editor = FakeBufferEditor({notes: UNSAVED}, refuse={new})
    script = [
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="patch")]),
        Reply([Message("It failed.")]),
    ]
    with ScriptedModelServer(script) as server:
        assert await run_turn(server, workspace, isolated_home, editor) == "end_turn"
        seen = outputs(server)["patch"]
    assert seen.startswith("error: the patch was not applied: new.txt: the editor did not write it")
    assert "\n" not in seen and "Success" not in seen
    # notes.txt, written first, got its buffer back; nothing was deleted on disk.
    assert editor.buffers[notes] == UNSAVED
    assert old.read_text() == "to go\n"
    (end,) = [u for u in editor.of_kind("tool_call_update") if u.status in ("completed", "failed")]
    assert end.status == "failed"


@pytest.fixture
def outside() -> Iterator[Path]:
    """A host directory the editor may write, outside the workspace and not under
    /tmp (the sandbox gives commands a private /tmp, where a write "succeeds")."""
    folder = Path(tempfile.mkdtemp(prefix="acp-outside-", dir="/var/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("mechanism", ["bubblewrap", "landlock"])
async def test_a_command_runs_sandboxed_in_the_editors_terminal(
    workspace: Path,
    isolated_home: Path,
    outside: Path,
    mechanism: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEX_TUI_SANDBOX_MECHANISM", mechanism)
    escape = outside / "escaped.txt"
    script_text = (
        "echo hello-from-the-terminal; touch inside.txt; "
        f"touch {escape} 2>/dev/null && echo ESCAPED || echo write-refused"
    )
    editor = FakeBufferEditor()
    script = [
        Reply([FunctionCall("shell", {"command": ["bash", "-c", script_text]}, call_id="cmd")]),
        Reply([Message("Ran.")]),
    ]
    with ScriptedModelServer(script) as server:
        assert await run_turn(server, workspace, isolated_home, editor) == "end_turn"
        seen = outputs(server)["cmd"]
    ((command, args, cwd),) = editor.created
    argv = [command, *args]
    # `env -i VAR=…` and then the sandbox's wrapper, the bare command only at its end.
    assert Path(command).name == "env" and args[0] == "-i"
    marker = "bwrap" if mechanism == "bubblewrap" else "codex_tui.sandbox.confine"
    wrapper = [i for i, a in enumerate(argv) if Path(a).name == marker or marker in a]
    assert wrapper and wrapper[0] < len(argv) - 3, argv  # the sandbox's own wrapper
    assert argv[-3:] == ["bash", "-c", script_text]
    assert cwd == str(workspace)
    assert "Exit code: 0" in seen and "hello-from-the-terminal" in seen
    assert "write-refused" in seen and "ESCAPED" not in seen
    assert not escape.exists() and (workspace / "inside.txt").exists()
    # The tool call shows the editor's terminal, running and after it ended.
    contents = [c for u in editor.of_kind("tool_call_update") for c in u.content or []]
    terminals = [c.terminal_id for c in contents if isinstance(c, TerminalToolCallContent)]
    assert terminals and set(terminals) == {"term-1"}
    end = editor.of_kind("tool_call_update")[-1]
    assert end.status == "completed"
    assert isinstance(end.content[0], TerminalToolCallContent)
    assert editor.released == ["term-1"] and editor.killed == []


async def test_a_command_past_its_timeout_is_killed(workspace: Path, isolated_home: Path) -> None:
    editor = FakeBufferEditor()
    args = {"command": ["sleep", "30"], "timeout_ms": 500}
    script = [Reply([FunctionCall("shell", args, call_id="cmd")]), Reply([Message("Slow.")])]
    with ScriptedModelServer(script) as server:
        assert await run_turn(server, workspace, isolated_home, editor) == "end_turn"
        seen = outputs(server)["cmd"]
    assert "Exit code: 124" in seen and "timed out" in seen
    assert editor.killed == ["term-1"] and editor.released == ["term-1"]
    assert editor.processes["term-1"].returncode is not None


async def test_cancel_kills_the_editors_terminal(workspace: Path, isolated_home: Path) -> None:
    editor = FakeBufferEditor()
    script = [Reply([FunctionCall("shell", {"command": ["sleep", "30"]}, call_id="cmd")])]
    with ScriptedModelServer(script) as server:
        async with acp_agent(server, workspace, isolated_home, editor=editor) as (conn, _):
            session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
            sid = session.session_id
            turn = asyncio.create_task(conn.prompt(session_id=sid, prompt=[text_block("go")]))
            async with asyncio.timeout(20):
                await editor.started.wait()
            await conn.cancel(session_id=sid)
            async with asyncio.timeout(10):
                answer = await turn
            async with asyncio.timeout(10):
                while not editor.released:
                    await asyncio.sleep(0.05)
    assert answer.stop_reason == "cancelled"
    assert editor.killed == ["term-1"] and editor.released == ["term-1"]
    assert editor.processes["term-1"].returncode is not None


async def test_without_the_capabilities_nothing_goes_through_the_editor(
    workspace: Path, isolated_home: Path
) -> None:
    notes = workspace / "notes.txt"
    editor = FakeBufferEditor({notes: UNSAVED}, advertise=False)
    patch = "*** Begin Patch\n*** Add File: new.txt\n+on disk\n*** End Patch\n"
    script = [
        Reply(
            [
                FunctionCall("read_file", {"path": "notes.txt"}, call_id="read"),
                FunctionCall("apply_patch", {"input": patch}, call_id="patch"),
                FunctionCall("shell", {"command": ["cat", "new.txt"]}, call_id="cmd"),
            ]
        ),
        Reply([Message("Done.")]),
    ]
    with ScriptedModelServer(script) as server:
        assert await run_turn(server, workspace, isolated_home, editor) == "end_turn"
        seen = outputs(server)
    assert (editor.reads, editor.written, editor.created) == ([], {}, [])
    assert "2\tbeta" in seen["read"]
    assert (workspace / "new.txt").read_text() == "on disk\n"
    assert "Exit code: 0" in seen["cmd"] and "on disk" in seen["cmd"]
    ends = [u for u in editor.of_kind("tool_call_update") if u.tool_call_id == "cmd"]
    assert isinstance(ends[-1].content[0], ContentToolCallContent)
    assert json.dumps(server.bodies[1]["input"]).count("Success. Updated") == 1
