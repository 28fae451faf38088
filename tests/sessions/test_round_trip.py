"""Record → read: every kind of line comes back as it went in."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.context import Conversation
from codex_tui.agent.items import message_text, user_message
from codex_tui.agent.session import build_agent
from codex_tui.scripted import FunctionCall, Message, Reasoning, Reply, ScriptedModelServer
from codex_tui.sessions import SessionRecorder, read_session
from codex_tui.sessions.files import encode_line, session_path
from codex_tui.sessions.history import UNANSWERED_OUTPUT
from codex_tui.sessions.recorder import meta_payload
from codex_tui.tools.plan import PlanStep
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover

USAGE = ev.TokenUsage(
    input_tokens=120, cached_input_tokens=20, output_tokens=30, reasoning_tokens=5
)
CHANGES = (
    ev.ChangedFile(path="new.txt", kind="add", added=2, removed=0),
    ev.ChangedFile(path="old.txt", kind="delete", added=0, removed=4),
    ev.ChangedFile(path="a.py", kind="update", added=3, removed=1),
    ev.ChangedFile(path="b.py", kind="move", added=1, removed=1, move_path="c.py"),
)
BEGINS = ev.ExecBegin | ev.PatchBegin


def new_recorder(root: Path, session_id: str = "0b6e1d5c-1111-4222-8333-944455556666"):
    meta = meta_payload(
        session_id, root, "gpt-5-codex", "openai", {"branch": "main", "commit_hash": "abc"}
    )
    recorder = SessionRecorder.create(session_path(session_id), meta)
    recorder.describe_turn = lambda: {
        "cwd": str(root),
        "approval_policy": "on-request",
        "sandbox_policy": {"type": "workspace-write"},
        "model": "gpt-5-codex",
        "summary": "auto",
    }
    return recorder


def shape(item: dict) -> tuple[str, str]:
    """What identifies a history item in a request: its type and text or call id."""
    if item.get("type", "message") == "message":
        return ("message", message_text(item))
    return (item["type"], item["call_id"])


def without_item_ids(events: list[ev.Event]) -> list[ev.Event]:
    """Message and reasoning ids are made up on replay; the rest must match."""
    return [
        dataclasses.replace(e, item_id="") if isinstance(e, ev.AgentMessage | ev.Reasoning) else e
        for e in events
    ]


def test_every_event_and_line_kind_round_trips(tmp_path: Path) -> None:
    recorder = new_recorder(tmp_path)
    conversation = Conversation("gpt-5-codex", 1000, 900)
    conversation.on_add = recorder.record_items
    conversation.on_compact = recorder.record_compacted
    shown = EventLog()
    emit = recorder.wrap(shown)
    context = user_message("<environment_context>here</environment_context>")
    conversation.add(context)
    assert not recorder.path.exists(), "no file before the first request"

    plan = (PlanStep(step="Read", status="completed"), PlanStep(step="Fix", status="in_progress"))
    emit(ev.TurnStarted(turn_id="t1", user_input="fix the parser"))
    conversation.add(user_message("fix the parser"))
    call = {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{}"}
    conversation.add(call)
    first_turn = [
        ev.Reasoning(item_id="r1", text="Look first."),
        ev.AgentMessage(item_id="m1", text="On it."),
        ev.ExecBegin(call_id="c1", command=("pytest", "-q"), cwd=tmp_path, sandboxed=True),
        ev.ExecEnd(
            call_id="c1",
            command=("pytest", "-q"),
            exit_code=1,
            output="1 failed\n",
            duration_s=1.25,
            status="completed",
        ),
        ev.ExecEnd(
            call_id="c2",
            command=("rm", "-rf", "/"),
            exit_code=None,
            output="declined",
            duration_s=0.0,
            status="declined",
        ),
        ev.PatchBegin(call_id="p1", changes=CHANGES, diff="--- a/a.py\n+++ b/a.py\n"),
        ev.PatchEnd(
            call_id="p1", changes=CHANGES, success=True, output="applied", status="completed"
        ),
        ev.PatchEnd(
            call_id="p2",
            changes=CHANGES[:1],
            success=False,
            output="context not found",
            status="failed",
        ),
        ev.ToolCallEnd(
            call_id="r9",
            name="read_file",
            arguments={"path": "a.py"},
            output="1 x = 1",
            success=True,
        ),
        ev.PlanUpdated(explanation="Two steps.", plan=plan),
        ev.TokenCount(total=USAGE, last=USAGE, context_window=272_000),
        ev.WarningEvent(message="the response stopped early"),
        ev.Error(message="something broke"),
        ev.ResponseStored(response_id="resp_1"),
        ev.TurnComplete(turn_id="t1", last_message="On it.", usage=USAGE, duration_s=2.5),
    ]
    for event in first_turn:
        emit(event)
    conversation.add({"type": "function_call_output", "call_id": "c1", "output": "1 failed"})
    assert recorder.path.exists()

    emit(ev.TurnStarted(turn_id="t2", user_input="now compact"))
    conversation.add(user_message("now compact"))
    conversation.compact("We fixed the parser.", [context])
    emit(ev.Compacted(summary="We fixed the parser.", automatic=True))
    emit(ev.TurnAborted(turn_id="t2", reason="interrupted", duration_s=0.5))
    emit(ev.TurnStarted(turn_id="t3", user_input="again"))
    conversation.add(user_message("again"))
    conversation.add(
        {"type": "function_call", "call_id": "open", "name": "shell", "arguments": "{}"}
    )
    emit(ev.TurnFailed(turn_id="t3", message="server down", duration_s=0.25))
    emit(ev.AgentMessageDelta(item_id="m1", delta="not recorded"))
    emit(ev.ExecOutput(call_id="c1", chunk="not recorded"))
    recorder.record_rename("Parser work")
    recorder.close()

    kinds = [json.loads(text)["type"] for text in recorder.path.read_text().splitlines()]
    assert kinds[0] == "session_meta"
    assert set(kinds) == {"session_meta", "response_item", "event_msg", "turn_context", "compacted"}
    assert kinds.count("turn_context") == 3
    assert len(shown.events) == len(first_turn) + 8, "every event still reaches the front end"

    data = read_session(recorder.path)
    meta = data.meta
    assert (meta.title, meta.cwd, meta.branch, meta.commit) == (
        "Parser work",
        str(tmp_path),
        "main",
        "abc",
    )
    assert (meta.model, meta.provider, meta.turns, meta.tokens) == ("gpt-5-codex", "openai", 3, 150)
    assert (meta.source, meta.read_only) == ("codex-tui", False)
    assert meta.updated >= meta.created
    assert data.torn_lines == 0
    expected = [
        ev.UserMessage(text="fix the parser"),
        *[e for e in first_turn if not isinstance(e, BEGINS | ev.ResponseStored)],
        ev.UserMessage(text="now compact"),
        ev.Compacted(summary="We fixed the parser.", automatic=True),
        ev.TurnAborted(turn_id="t2", reason="interrupted", duration_s=0.5),
        ev.UserMessage(text="again"),
        ev.TurnFailed(turn_id="t3", message="server down", duration_s=0.25),
    ]
    # Begin events are rebuilt in front of their ends, so cells render as live ones do.
    got = [e for e in data.transcript if not isinstance(e, BEGINS)]
    assert without_item_ids(got) == without_item_ids(expected)
    begins = [e for e in data.transcript if isinstance(e, BEGINS)]
    assert begins == [
        ev.ExecBegin(call_id="c1", command=("pytest", "-q"), cwd=tmp_path, sandboxed=True),
        ev.ExecBegin(call_id="c2", command=("rm", "-rf", "/"), cwd=tmp_path, sandboxed=False),
        ev.PatchBegin(call_id="p1", changes=CHANGES, diff="--- a/a.py\n+++ b/a.py\n"),
        ev.PatchBegin(call_id="p2", changes=CHANGES[:1], diff=""),
    ]
    # History restarts at the compaction; the call a dead process left open is answered.
    assert data.history == [
        *conversation.items,
        {"type": "function_call_output", "call_id": "open", "output": UNANSWERED_OUTPUT},
    ]
    assert data.history[0] == context
    assert data.previous_response_id is None, "a compaction ends the server-side chain"
    assert (data.total_usage, data.last_usage, data.context_window) == (USAGE, USAGE, 272_000)
    # What `exec resume` reads: all of that but the transcript.
    continued = read_session(recorder.path, transcript=False)
    assert continued == dataclasses.replace(data, transcript=[])


def test_a_rewind_reads_the_same_without_the_transcript(tmp_path: Path) -> None:
    recorder = new_recorder(tmp_path)
    conversation = Conversation("gpt-5-codex", 1000, 900)
    conversation.on_add = recorder.record_items
    emit = recorder.wrap(EventLog())
    for n, words in enumerate(["one", "two", "three"]):
        emit(ev.TurnStarted(turn_id=f"t{n}", user_input=words))
        conversation.add(user_message(words))
        emit(ev.AgentMessage(item_id=f"m{n}", text=f"answer {words}"))
        conversation.add({"type": "message", "role": "assistant", "content": [
            {"type": "output_text", "text": f"answer {words}"}]})  # fmt: skip
        emit(ev.TurnComplete(turn_id=f"t{n}", last_message="", usage=USAGE, duration_s=1.0))
    emit(ev.ResponseStored(response_id="resp_9"))
    emit(ev.ThreadRolledBack(num_turns=2))
    emit(ev.TurnStarted(turn_id="t9", user_input="four"))
    conversation.add(user_message("four"))
    recorder.close()
    whole = read_session(recorder.path)
    continued = read_session(recorder.path, transcript=False)
    assert [message_text(i) for i in continued.history] == ["one", "answer one", "four"]
    assert continued.meta.turns == whole.meta.turns == 2
    assert continued.previous_response_id is None  # the rewind ended the chain
    assert continued == dataclasses.replace(whole, transcript=[])


def test_without_the_transcript_event_lines_are_timed_and_the_last_count_is_kept(
    tmp_path: Path,
) -> None:
    recorder = new_recorder(tmp_path)
    emit = recorder.wrap(EventLog())
    later = ev.TokenUsage(input_tokens=900, output_tokens=80)
    emit(ev.TurnStarted(turn_id="t1", user_input="one"))
    emit(ev.TokenCount(total=USAGE, last=USAGE, context_window=1000))
    emit(ev.TokenCount(total=later, last=USAGE, context_window=2000))
    emit(ev.AgentMessage(item_id="m1", text="answer"))
    recorder.close()
    with recorder.path.open("ab") as file:
        # A count without one (Codex CLI writes those for rate limits) does not
        # replace the last that holds one; the newest time is on a line that is
        # only timed.
        file.write(encode_line("event_msg", {"type": "token_count", "info": None}))
        late = {"type": "agent_message", "message": "late"}
        file.write(encode_line("event_msg", late, "2031-05-06T07:08:09.000Z"))
    whole = read_session(recorder.path)
    continued = read_session(recorder.path, transcript=False)
    assert (continued.total_usage, continued.context_window) == (later, 2000)
    assert continued.meta.updated == datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert continued == dataclasses.replace(whole, transcript=[])
    # Such a line is not decoded at all: torn after its kind, it is not seen as torn.
    with recorder.path.open("ab") as file:
        file.write(b'{"timestamp":"2031-05-06T07:08:10.000Z","type":"event_msg",')
        file.write(b'"payload":{"type":"agent_message","message":"cut\n')
    assert read_session(recorder.path).torn_lines == 1
    assert read_session(recorder.path, transcript=False).torn_lines == 0


def test_torn_last_line_is_skipped_and_appending_starts_a_clean_line(tmp_path: Path) -> None:
    recorder = new_recorder(tmp_path)
    emit = recorder.wrap(EventLog())
    emit(ev.TurnStarted(turn_id="t1", user_input="first"))
    emit(ev.ResponseStored(response_id="resp_7"))
    recorder.close()
    with recorder.path.open("ab") as fh:
        fh.write(b'{"timestamp":"2025-01-02T10:00:00.000Z","type":"event_msg","payl')
    data = read_session(recorder.path)
    assert data.torn_lines == 1
    assert data.previous_response_id == "resp_7"
    assert data.transcript == [ev.UserMessage(text="first")]

    again = SessionRecorder.append_to(recorder.path, data.meta.id)
    again.wrap(EventLog())(ev.TurnStarted(turn_id="t2", user_input="second"))
    again.close()
    data = read_session(recorder.path)
    assert data.torn_lines == 1
    assert data.transcript == [ev.UserMessage(text="first"), ev.UserMessage(text="second")]
    assert data.meta.turns == 2


async def test_agent_records_its_session_and_resumes_from_it(
    workspace: Path, scripted_server: ScriptedModelServer
) -> None:
    plan = {"plan": [{"step": "Say hi", "status": "in_progress"}]}
    scripted_server.add(
        Reply([Reasoning("Plan it."), FunctionCall("update_plan", plan, call_id="p1")]),
        Reply([Message("Hi there.")]),
        Reply([Message("Still here.")]),
    )
    config = scripted_config(scripted_server)
    log = EventLog()
    agent = await build_agent(config, workspace, FakeApprover(), log, client=fast_client(config))
    assert agent.session_path is not None and not agent.session_path.exists()
    outcome = await agent.submit("say hi")
    assert outcome is not None and outcome.status == "completed"
    await agent.aclose()

    data = read_session(agent.session_path)
    assert data.meta.id == agent.session_id
    assert data.meta.title == "say hi"
    assert data.history == agent.conversation.items
    assert [type(e).__name__ for e in data.transcript] == [
        "UserMessage", "Reasoning", "TokenCount", "PlanUpdated", "AgentMessage", "TokenCount",
        "TurnComplete",
    ]  # fmt: skip

    resumed_log = EventLog()
    resumed = await build_agent(
        config, workspace, FakeApprover(), resumed_log, client=fast_client(config),
        resume=agent.session_path,
    )  # fmt: skip
    assert resumed.session_id == agent.session_id
    assert resumed.session_path == agent.session_path
    await resumed.submit("are you there?")
    await resumed.aclose()
    sent = [shape(i) for i in scripted_server.last_body["input"]]
    earlier = [shape(i) for i in data.history if i.get("type") != "reasoning"]
    assert ("function_call", "p1") in earlier and ("message", "say hi") in earlier
    assert sent == [*earlier, ("message", "are you there?")]
    again = read_session(agent.session_path)
    assert again.meta.turns == 2
    assert again.transcript[-2] == ev.TokenCount(
        total=again.total_usage, last=again.last_usage, context_window=again.context_window
    )
    assert len(list(agent.session_path.parent.iterdir())) == 1, "one file, appended to"


async def test_server_state_session_resumes_its_stored_chain(
    workspace: Path, scripted_server: ScriptedModelServer
) -> None:
    stored = Reply([Message("Noted.")])
    scripted_server.add(stored, Reply([Message("Still noted.")]))
    config = scripted_config(scripted_server, conversation_state="server")
    agent = await build_agent(
        config, workspace, FakeApprover(), EventLog(), client=fast_client(config)
    )
    await agent.submit("remember the number 7")
    await agent.aclose()
    assert read_session(agent.session_path).previous_response_id == stored.id

    resumed = await build_agent(
        config, workspace, FakeApprover(), EventLog(), client=fast_client(config),
        resume=agent.session_path,
    )  # fmt: skip
    await resumed.submit("which number?")
    await resumed.aclose()
    body = scripted_server.last_body
    assert body["previous_response_id"] == stored.id
    assert message_text(body["input"][-1]) == "which number?"


def test_command_output_is_recorded_with_secrets_redacted(tmp_path: Path) -> None:
    secret = "sk-proj-" + "a1B2c3D4" * 4
    recorder = new_recorder(tmp_path)
    emit = recorder.wrap(EventLog())
    emit(ev.TurnStarted(turn_id="t1", user_input="show the env"))
    emit(
        ev.ExecEnd(
            call_id="c1",
            command=("env",),
            exit_code=0,
            output=f"OPENAI_API_KEY={secret}\nHOME=/root\n",
            duration_s=0.1,
            status="completed",
        )
    )
    emit(
        ev.ToolCallEnd(
            call_id="c2",
            name="read_file",
            arguments={"path": ".env"},
            output=f"1 KEY={secret}",
            success=True,
        )
    )
    recorder.close()
    text = recorder.path.read_text()
    assert secret not in text
    (end,) = [e for e in read_session(recorder.path).transcript if isinstance(e, ev.ExecEnd)]
    assert "HOME=/root" in end.output and "[REDACTED]" in end.output
