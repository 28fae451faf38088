"""The pieces of `codex_tui.acp` that need no process: events to updates,
approval requests to permission requests and back, the editor's MCP servers to
our config, prompt blocks to a message, and the wire guard's verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from acp import RequestError, resource_link_block, text_block
from acp.schema import (
    AllowedOutcome,
    DeniedOutcome,
    EmbeddedResourceContentBlock,
    EnvVariable,
    HttpHeader,
    HttpMcpServer,
    McpServerStdio,
    RequestPermissionResponse,
    SseMcpServer,
    TextResourceContents,
    ToolCallProgress,
    ToolCallStart,
)
from acp.utils import serialize_params

from codex_tui.acp.approver import AcpApprover, options
from codex_tui.acp.content import mention, read_prompt
from codex_tui.acp.framing import problem
from codex_tui.acp.mcp_servers import client_servers
from codex_tui.acp.settings import effort_value
from codex_tui.acp.tool_content import diff_text_diffs, plan_diffs
from codex_tui.acp.updates import Translator
from codex_tui.agent import events as ev
from codex_tui.patch import build_patch_plan
from codex_tui.tools.plan import PlanStep

ROOT = Path("/work/repo")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_streamed_answers_are_not_sent_twice() -> None:
    tr = Translator(ROOT)
    chunks = tr.translate(ev.AgentMessageDelta(item_id="m", delta="Hel"))
    chunks += tr.translate(ev.AgentMessageDelta(item_id="m", delta="lo"))
    assert [c.content.text for c in chunks] == ["Hel", "lo"]
    assert all(c.message_id == "m" for c in chunks)
    assert tr.translate(ev.AgentMessage(item_id="m", text="Hello")) == []
    # Not streamed (a replayed session, a server that does not stream): whole.
    (whole,) = tr.translate(ev.AgentMessage(item_id="n", text="Bye"))
    assert whole.session_update == "agent_message_chunk" and whole.content.text == "Bye"
    (thought,) = tr.translate(ev.Reasoning(item_id="r", text="hmm"))
    assert thought.session_update == "agent_thought_chunk"


def test_a_command_starts_streams_its_output_and_ends() -> None:
    clock = Clock()
    tr = Translator(ROOT, clock)
    argv = ("bash", "-lc", "make test")
    (start,) = tr.translate(ev.ExecBegin(call_id="c", command=argv, cwd=ROOT, sandboxed=True))
    assert isinstance(start, ToolCallStart)
    assert (start.title, start.kind, start.status) == ("make test", "execute", "in_progress")
    assert tr.translate(ev.ExecOutput(call_id="c", chunk="one\n")) == []  # too soon
    clock.now = 1.0
    (progress,) = tr.translate(ev.ExecOutput(call_id="c", chunk="two\n"))
    assert progress.content[0].content.text == "```\none\ntwo\n```"
    (end,) = tr.translate(
        ev.ExecEnd(call_id="c", command=argv, exit_code=2, output="one\ntwo\n", duration_s=1,
                   status="completed")
    )  # fmt: skip
    assert isinstance(end, ToolCallProgress)
    assert end.status == "failed" and end.raw_output == {"exit_code": 2, "status": "completed"}


def test_a_background_command_ends_with_its_terminal() -> None:
    tr = Translator(ROOT)
    argv = ("npm", "run", "dev")
    tr.translate(ev.ExecBegin(call_id="bg", command=argv, cwd=ROOT, sandboxed=True))
    (going,) = tr.translate(
        ev.ExecEnd(call_id="bg", command=argv, exit_code=None, output="ready", duration_s=1,
                   status="background", terminal=3)
    )  # fmt: skip
    assert going.status == "in_progress"
    # The turn ends; the terminal's call is not closed with it.
    assert tr.translate(ev.TurnComplete(turn_id="t", last_message=None, usage=ev.TokenUsage(),
                                        duration_s=1)) == []  # fmt: skip
    (done,) = tr.translate(
        ev.TerminalChanged(session_id=3, command=argv, pid=9, state="exited", exit_code=0)
    )
    assert done.tool_call_id == "bg" and done.status == "completed"


def test_a_refused_patch_is_one_failed_call_and_an_unanswered_one_fails_at_turn_end() -> None:
    tr = Translator(ROOT)
    change = ev.ChangedFile(path="../x", kind="update")
    (refused,) = tr.translate(
        ev.PatchEnd(call_id="p", changes=(change,), success=False, output="outside the workspace",
                    status="refused")
    )  # fmt: skip
    assert isinstance(refused, ToolCallStart) and refused.status == "failed"
    assert "Refused by the policy: outside the workspace" in refused.content[-1].content.text
    request = ev.CommandApprovalRequest(call_id="c", command=("rm", "-r", "x"), cwd=ROOT,
                                        reason="untrusted")  # fmt: skip
    tr.permission(request)
    (closed,) = tr.translate(ev.TurnAborted(turn_id="t", reason="interrupted", duration_s=1))
    assert closed.tool_call_id == "c" and closed.status == "failed"


def test_read_only_tools_plan_and_usage() -> None:
    tr = Translator(ROOT)
    args = {"path": "src/a.py", "start_line": 10}
    (read,) = tr.translate(ev.ToolCallEnd(call_id="r", name="read_file", arguments=args,
                                          output="10: x", success=True))  # fmt: skip
    assert (read.kind, read.status, read.title) == (
        "read",
        "completed",
        "Read src/a.py (lines 10–end)",
    )
    assert read.locations[0].path == "/work/repo/src/a.py" and read.locations[0].line == 10
    (search,) = tr.translate(ev.ToolCallEnd(call_id="s", name="search_files",
                                            arguments={"pattern": "TODO"}, output="",
                                            success=True))  # fmt: skip
    assert search.kind == "search"
    steps = (PlanStep(step="a", status="completed"), PlanStep(step="b", status="pending"))
    (plan,) = tr.translate(ev.PlanUpdated(explanation=None, plan=steps))
    assert [(e.content, e.status, e.priority) for e in plan.entries] == [
        ("a", "completed", "medium"), ("b", "pending", "medium"),
    ]  # fmt: skip
    usage = ev.TokenUsage(input_tokens=900, output_tokens=100)
    (used,) = tr.translate(ev.TokenCount(total=usage, last=usage, context_window=10_000))
    assert (used.used, used.size) == (1000, 10_000)


def test_permission_options_follow_what_the_policy_can_remember() -> None:
    cmd = ev.CommandApprovalRequest(call_id="c", command=("git", "commit"), cwd=ROOT, reason="r",
                                    session_prefix=("git", "commit"))  # fmt: skip
    assert [(o.option_id, o.kind) for o in options(cmd)] == [
        ("allow-once", "allow_once"), ("allow-always", "allow_always"), ("reject", "reject_once"),
    ]  # fmt: skip
    assert "git commit" in options(cmd)[1].name
    once = ev.CommandApprovalRequest(call_id="c", command=("sudo", "x"), cwd=ROOT, reason="r")
    assert [o.option_id for o in options(once)] == ["allow-once", "reject"]


class FakeClient:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.asked: list[dict[str, Any]] = []

    async def request_permission(self, **kwargs: Any) -> RequestPermissionResponse:
        self.asked.append(kwargs)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return RequestPermissionResponse(outcome=self.outcome)


@pytest.mark.parametrize(
    ("outcome", "decision"),
    [
        (AllowedOutcome(outcome="selected", option_id="allow-once"), ev.ReviewDecision.APPROVE),
        (AllowedOutcome(outcome="selected", option_id="allow-always"),
         ev.ReviewDecision.APPROVE_SESSION),
        (AllowedOutcome(outcome="selected", option_id="reject"), ev.ReviewDecision.DENY),
        (AllowedOutcome(outcome="selected", option_id="made-up"), ev.ReviewDecision.DENY),
        (DeniedOutcome(outcome="cancelled"), ev.ReviewDecision.ABORT),
        (ConnectionError("gone"), ev.ReviewDecision.ABORT),
        (RequestError(-32603, "client bug"), ev.ReviewDecision.DENY),
    ],
)  # fmt: skip
async def test_answers_become_decisions(outcome: Any, decision: ev.ReviewDecision) -> None:
    sent: list[Any] = []

    async def send(updates: list[Any]) -> None:
        sent.extend(updates)

    client = FakeClient(outcome)
    approver = AcpApprover(client, "s1", Translator(ROOT), send)  # type: ignore[arg-type]
    request = ev.McpToolApprovalRequest(call_id="m", server="git", tool="git_commit",
                                        arguments={"message": "x"}, reason="it writes")  # fmt: skip
    answer = await approver.request_approval(request)
    assert answer.decision is decision
    # The editor heard of the call before it was asked about it.
    assert isinstance(sent[0], ToolCallStart) and sent[0].status == "pending"
    (asked,) = client.asked
    assert asked["session_id"] == "s1" and asked["tool_call"].title == "git: git_commit"


def test_the_editors_mcp_servers_become_config_entries() -> None:
    servers, warnings = client_servers([
        McpServerStdio(name="fs", command="/bin/fs", args=["--root", "."],
                       env=[EnvVariable(name="A", value="1")]),
        HttpMcpServer(type="http", name="web", url="https://mcp.example/mcp",
                      headers=[HttpHeader(name="Authorization", value="Bearer t")]),
        SseMcpServer(type="sse", name="old", url="https://sse.example", headers=[]),
    ])  # fmt: skip
    assert servers["fs"].command == "/bin/fs" and servers["fs"].args == ["--root", "."]
    assert servers["fs"].env == {"A": "1"}
    assert servers["web"].url == "https://mcp.example/mcp"
    assert servers["web"].http_headers == {"Authorization": "Bearer t"}
    assert "old" not in servers and len(warnings) == 1 and "'old'" in warnings[0]


async def test_prompt_blocks_become_one_message(tmp_path: Path) -> None:
    selection = EmbeddedResourceContentBlock(
        type="resource",
        resource=TextResourceContents(uri=(tmp_path / "a.py").as_uri(), text="x = 1"),
    )
    text, images = await read_prompt(
        [text_block("fix "), resource_link_block("b.py", (tmp_path / "src/b.py").as_uri()),
         selection],
        tmp_path,
    )  # fmt: skip
    assert text == "fix @src/b.py\n\n<context ref='@a.py'>\nx = 1\n</context>"
    assert images == []
    assert mention("x", "https://example.com/doc", tmp_path) == "[@x](https://example.com/doc)"
    assert mention("h", "file:///etc/hosts", tmp_path) == "@/etc/hosts"
    with pytest.raises(RequestError):
        await read_prompt([text_block("  ")], tmp_path)


def test_reasoning_effort_values() -> None:
    assert effort_value("default") is None
    assert effort_value("high") == "high"
    with pytest.raises(ValueError):
        effort_value("max")


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"{", -32700),
        (b"\xff\xfe", -32700),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, -32700, id="nested-past-the-C-stack"),
        (b"[]", -32600),
        (b"null", -32600),
        (b'{"id": {}, "method": "x"}', -32600),
        (b'{"id": 1, "method": null}', -32600),
        (b'{"id": 1}', -32600),
        (b'{"id": 1, "method": "x"}', None),
        (b'{"method": "session/cancel", "params": {}}', None),
        (b'{"id": 1, "result": {}}', None),
    ],
)
def test_the_wire_guard(line: bytes, code: int | None) -> None:
    reply = problem(line)
    if code is None:
        assert reply is None
    else:
        assert reply is not None and reply["error"]["code"] == code
        json.dumps(reply)  # always sendable


NEW_FILE_DIFF = """\
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+fresh
"""


def test_a_new_files_diff_carries_an_empty_old_text_on_the_wire(tmp_path: Path) -> None:
    """Toad matches diffs on the `oldText` key and shows nothing without it; the
    SDK leaves a None out of the message, so a new file's old text is ""."""
    plan = build_patch_plan(
        "*** Begin Patch\n*** Add File: new.txt\n+fresh\n*** End Patch\n", tmp_path
    )
    for diffs in (plan_diffs(plan), diff_text_diffs(NEW_FILE_DIFF, tmp_path)):
        (diff,) = diffs
        wire = serialize_params(diff)
        assert wire == {
            "type": "diff",
            "path": str(tmp_path / "new.txt"),
            "oldText": "",
            "newText": "fresh\n",
        }
