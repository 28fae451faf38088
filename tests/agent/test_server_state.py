"""Server-side conversation state: `store` and `previous_response_id` on the
Responses wire, only new items sent, the fallback when the server lost the
response, compaction and resume restarting the chain, and chat keeping it all."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.agent.context import Conversation
from codex_tui.agent.controller import Agent
from codex_tui.agent.session import build_agent
from codex_tui.agent.wire_responses import input_items
from codex_tui.scripted import (
    Failed,
    FunctionCall,
    Message,
    Reasoning,
    Reply,
    ScriptedModelServer,
    previous_response_not_found,
)
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover


async def make_agent(server, workspace, log, state: str, wire: str = "responses") -> Agent:
    config = scripted_config(server, wire)
    agent = await build_agent(config, workspace, FakeApprover(), log, client=fast_client(config))
    # As build_agent will pass it from `conversation_state` in the config.
    agent.conversation_state = state
    return agent


def user_text(item: dict) -> str | None:
    if item.get("type") == "message" and item.get("role") == "user":
        return "".join(p["text"] for p in item["content"])
    return None


def shape(items: list[dict]) -> list[str]:
    """A short picture of request input: user text, assistant text, call ids."""
    out = []
    for item in items:
        kind = item.get("type")
        if kind == "message" and item.get("role") == "user":
            text = user_text(item) or ""
            out.append("ctx" if text.startswith("<") else f"user:{text}")
        elif kind == "message":
            out.append("assistant:" + "".join(p["text"] for p in item["content"]))
        elif kind == "function_call":
            out.append(f"call:{item['call_id']}")
        elif kind == "function_call_output":
            out.append(f"output:{item['call_id']}")
        else:
            out.append(kind)
    return out


def two_turn_script() -> list[Reply]:
    return [
        Reply([Message("Looking."), FunctionCall("git_status", {}, call_id="c1")], id="resp_1"),
        Reply([Message("Clean tree.")], id="resp_2"),
        Reply([Message("Second answer.")], id="resp_3"),
    ]


async def test_server_state_sends_previous_response_id_and_only_new_items(
    workspace: Path,
) -> None:
    log = EventLog()
    with ScriptedModelServer(two_turn_script()) as server:
        agent = await make_agent(server, workspace, log, "server")
        await agent.submit("is the tree clean?")
        await agent.submit("thanks, and now?")
        bodies = server.bodies

    assert [b["store"] for b in bodies] == [True, True, True]
    assert [b.get("previous_response_id") for b in bodies] == [None, "resp_1", "resp_2"]
    assert shape(bodies[0]["input"]) == ["ctx", "user:is the tree clean?"]
    assert shape(bodies[1]["input"]) == ["output:c1"]
    assert shape(bodies[2]["input"]) == ["user:thanks, and now?"]
    # Instructions and tools are not inherited through previous_response_id.
    assert all(b["instructions"] and b["tools"] for b in bodies)
    assert [e.response_id for e in log.of(ev.ResponseStored)] == ["resp_1", "resp_2", "resp_3"]
    assert agent.previous_response_id == "resp_3"
    # The history the agent keeps is still complete.
    assert shape(agent.conversation.items)[-3:] == [
        "assistant:Clean tree.",
        "user:thanks, and now?",
        "assistant:Second answer.",
    ]


async def test_client_state_sends_full_history_without_storage(workspace: Path) -> None:
    log = EventLog()
    with ScriptedModelServer(two_turn_script()) as server:
        agent = await make_agent(server, workspace, log, "client")
        await agent.submit("is the tree clean?")
        await agent.submit("thanks, and now?")
        bodies = server.bodies

    assert [b["store"] for b in bodies] == [False, False, False]
    assert all("previous_response_id" not in b for b in bodies)
    assert shape(bodies[2]["input"]) == [
        "ctx",
        "user:is the tree clean?",
        "assistant:Looking.",
        "call:c1",
        "output:c1",
        "assistant:Clean tree.",
        "user:thanks, and now?",
    ]
    assert not any("id" in item for item in bodies[2]["input"])
    assert log.of(ev.ResponseStored) == []


@pytest.mark.parametrize("lost", ["http_404", "response_failed"])
async def test_unknown_previous_response_falls_back_to_full_history_once(
    workspace: Path, lost: str
) -> None:
    not_found = (
        previous_response_not_found("resp_1")
        if lost == "http_404"
        else Reply(end=Failed("previous_response_not_found", "Previous response not found."))
    )
    script = [
        Reply([Message("First.")], id="resp_1"),
        not_found,
        Reply([Message("Second.")], id="resp_2"),
        Reply([Message("Third.")], id="resp_3"),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, "server")
        await agent.submit("one")
        outcome = await agent.submit("two")
        await agent.submit("three")
        bodies = server.bodies

    assert outcome.status == "completed" and outcome.last_message == "Second."
    assert [b.get("previous_response_id") for b in bodies] == [None, "resp_1", None, "resp_2"]
    assert shape(bodies[1]["input"]) == ["user:two"]
    assert shape(bodies[2]["input"]) == ["ctx", "user:one", "assistant:First.", "user:two"]
    # Sent whole, the history must stand on its own: no server item ids.
    assert not any("id" in item for item in bodies[2]["input"])
    assert shape(bodies[3]["input"]) == ["user:three"]
    warnings = [w.message for w in log.of(ev.WarningEvent)]
    assert warnings == ["the server no longer has the previous response; sending the full history"]
    assert not log.of(ev.TurnFailed)


async def test_fallback_happens_once_then_the_error_stands(workspace: Path) -> None:
    script = [
        Reply([Message("First.")], id="resp_1"),
        previous_response_not_found("resp_1"),
        previous_response_not_found("resp_1"),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, "server")
        await agent.submit("one")
        outcome = await agent.submit("two")
        assert len(server.bodies) == 3

    assert outcome.status == "failed"
    (failed,) = log.of(ev.TurnFailed)
    assert "not found" in failed.message


async def test_compaction_restarts_the_chain(workspace: Path) -> None:
    script = [
        Reply([Message("First.")], id="resp_1"),
        Reply([Message("SUMMARY: asked once.")], id="resp_sum"),
        Reply([Message("After.")], id="resp_2"),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, "server")
        await agent.submit("one")
        await agent.summarise()
        await agent.submit("two")
        bodies = server.bodies

    # The summary request continues the chain (cheap), but does not extend it.
    assert bodies[1]["previous_response_id"] == "resp_1"
    assert shape(bodies[1]["input"])[-1].startswith("user:Write a hand-off note")
    # After compaction the history is new: sent whole, with no previous response.
    assert "previous_response_id" not in bodies[2]
    assert shape(bodies[2]["input"])[0] == "ctx"
    assert any("SUMMARY: asked once." in (user_text(i) or "") for i in bodies[2]["input"])
    assert [e.response_id for e in log.of(ev.ResponseStored)] == ["resp_1", "resp_2"]


async def test_resume_continues_from_the_stored_response(workspace: Path) -> None:
    script = [
        Reply([Reasoning("think"), Message("First.")], id="resp_1"),
        Reply([Message("Resumed.")], id="resp_2"),
        Reply([Message("Resumed without ids.")], id="resp_3"),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        first = await make_agent(server, workspace, log, "server")
        await first.submit("one")
        history = list(first.conversation.items)

        def resume(items: list[dict]) -> Agent:
            conversation = Conversation(first.conversation.model, None, None, list(items))
            return Agent(
                first.client,
                conversation,
                first.tools,
                log,
                instructions=first.instructions,
                context_items=first.context_items,
                conversation_state="server",
                previous_response_id="resp_1",
            )

        await resume(history).submit("two")
        # A history whose items lost their server ids cannot say what is
        # stored: the full history goes, and a new chain starts.
        stripped = [{k: v for k, v in i.items() if k != "id"} for i in history]
        await resume(stripped).submit("three")
        bodies = server.bodies

    assert bodies[1]["previous_response_id"] == "resp_1"
    assert shape(bodies[1]["input"]) == ["user:two"]
    assert "previous_response_id" not in bodies[2]
    assert shape(bodies[2]["input"]) == ["ctx", "user:one", "assistant:First.", "user:three"]


async def test_chat_wire_keeps_full_history_and_says_so(workspace: Path) -> None:
    script = [Reply([Message("a")]), Reply([Message("b")])]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await make_agent(server, workspace, log, "server", wire="chat")
        await agent.submit("one")
        await agent.submit("two")
        bodies = server.bodies

    assert all("store" not in b and "previous_response_id" not in b for b in bodies)
    assert [m["role"] for m in bodies[1]["messages"]][-3:] == ["user", "assistant", "user"]
    (warning,) = log.of(ev.WarningEvent)
    assert "conversation_state: server needs the Responses API" in warning.message
    assert log.of(ev.ResponseStored) == []


def test_input_items_keep_ids_only_when_chained() -> None:
    items = [
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "xyz"},
        {"type": "message", "id": "msg_1", "role": "assistant", "content": []},
    ]
    assert input_items(items, chained=True) == items
    # Reasoning the server cannot decrypt goes; encrypted reasoning travels whole.
    assert input_items(items, chained=False) == [
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "xyz"},
        {"type": "message", "role": "assistant", "content": []},
    ]
