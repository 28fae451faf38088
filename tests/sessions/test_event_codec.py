"""The session file's event_msg codec: every recorded kind reads back as the event
it was written from, and every event the agent has is either recorded or on a
short list of those that deliberately are not."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.images.store import Attachment
from codex_tui.sessions.event_codec import BY_EVENT, KINDS, ReadState, WriteState, decode, encode
from codex_tui.tools.plan import PlanStep

SHOT = Attachment(
    name="shot.png", stored="a" * 64 + ".png", mime="image/png", width=1280, height=720,
    size=86_000, original=(2560, 1440),
)  # fmt: skip
USAGE = ev.TokenUsage(input_tokens=10, cached_input_tokens=2, output_tokens=5, reasoning_tokens=1)
CHANGES = (
    ev.ChangedFile(path="a.py", kind="update", added=2, removed=1),
    ev.ChangedFile(path="b.py", kind="add", added=3),
    ev.ChangedFile(path="c.py", kind="move", added=1, removed=1, move_path="d.py"),
)
# Declined, with what the person typed in the approval dialog.
DECLINED_COMMAND = ev.ExecEnd(
    call_id="c1",
    command=("ls", "-la"),
    exit_code=None,
    output="declined",
    duration_s=0.0,
    status="declined",
    feedback="use git ls-files",
)
DECLINED_PATCH = ev.PatchEnd(
    call_id="p1",
    changes=CHANGES,
    success=False,
    output="declined",
    status="declined",
    feedback="keep the old name",
)
SAMPLES: list[ev.Event] = [
    ev.UserMessage(text="fix it"),
    ev.UserMessage(text="look", images=(SHOT,)),
    ev.ToolImages(call_id="v1", tool="view_image", images=(SHOT,)),
    ev.WebSearchEnd(
        call_id="ws1",
        query="textual 8 release",
        sources=("https://a.example/x",),
        status="completed",
    ),
    ev.AgentMessage(item_id="replay-1", text="done"),
    ev.AgentMessageCutOff(item_id="replay-1", text="Half an ans", reason="dropped"),
    ev.Reasoning(item_id="replay-1", text="thinking"),
    ev.ExecEnd(
        call_id="c1",
        command=("ls", "-la"),
        exit_code=2,
        output="nope",
        duration_s=1.5,
        status="completed",
    ),
    DECLINED_COMMAND,
    ev.PatchEnd(call_id="p1", changes=CHANGES, success=True, output="M a.py", status="completed"),
    DECLINED_PATCH,
    ev.ToolCallEnd(
        call_id="t1", name="read_file", arguments={"path": "a.py"}, output="1: x", success=True
    ),
    ev.PlanUpdated(
        explanation="why",
        plan=(PlanStep(step="a", status="completed"), PlanStep(step="b", status="pending")),
    ),
    ev.TokenCount(total=USAGE, last=USAGE, context_window=1000),
    ev.Compacted(summary="", automatic=True),
    ev.Compacted(summary="", automatic=False, tokens_before=182_000, tokens_after=6_400),
    ev.ResponseStored(response_id="resp_1"),
    ev.WarningEvent(message="careful"),
    ev.Error(message="broken"),
    ev.TurnComplete(turn_id="t", last_message="done", usage=USAGE, duration_s=2.5),
    ev.TurnAborted(turn_id="t", reason="interrupted", duration_s=0.25),
    ev.TurnFailed(turn_id="t", message="server down", duration_s=1.0),
    ev.SnapshotTaken(
        turn_id="t",
        phase="end",
        roots=(ev.SnapshotRoot(root=Path("/w"), commit="ab" * 20, git_dir=Path("/w/.git")),),
        not_covered=("node_modules/",),
        duration_s=0.125,
    ),
    ev.SnapshotFailed(turn_id="t", phase="start", message="disk full"),
    ev.UndoApplied(turn_id="t", direction="redo", restored=("a.py",), failed=("b.py: busy",)),
    ev.ThreadRolledBack(num_turns=2),
    ev.McpToolCallEnd(
        call_id="m1",
        server="git",
        tool="git_status",
        arguments={"repo_path": "."},
        result="On branch main",
        status="completed",
        duration_s=0.5,
    ),
    ev.McpToolCallEnd(
        call_id="m2", server="s", tool="t", arguments={}, result="boom", status="failed"
    ),
    ev.HookNoted(event="PreToolUse", label="guard.py", kind="blocked", text="no rm", call_id="c"),
    ev.TerminalChanged(
        session_id=2, command=("npm", "run", "dev"), pid=41, state="running", last_line="ready"
    ),
    ev.TerminalChanged(session_id=2, command=("x",), pid=41, state="exited", exit_code=0),
]
# Events with no line of their own: streaming deltas, state a new session
# rebuilds, and the parts of a call that its end event carries.
NOT_RECORDED = {
    ev.SessionConfigured,
    ev.SettingsChanged,
    ev.ModeChanged,  # a setting of the live session, like SettingsChanged
    ev.TurnStarted,  # written as turn_context + user_message
    ev.AgentMessageDelta,
    ev.ReasoningDelta,
    ev.ExecBegin,  # folded into exec_command_end
    ev.ExecOutput,
    ev.PatchBegin,  # folded into patch_apply_end
    ev.StreamRetry,
    ev.ResponseFlagged,
    ev.CompactionStarted,
    ev.CompactionFailed,
    ev.QueueChanged,
    ev.Idle,
    ev.McpToolCallBegin,  # folded into mcp_tool_call_end
}


def test_every_event_is_recorded_or_deliberately_not() -> None:
    events = {c for c in vars(ev).values() if inspect.isclass(c) and issubclass(c, ev.Event)} - {
        ev.Event
    }
    assert set(BY_EVENT) | NOT_RECORDED == events
    assert not set(BY_EVENT) & NOT_RECORDED
    assert {type(s) for s in SAMPLES} == set(BY_EVENT)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_each_kind_reads_back_as_written(event: ev.Event) -> None:
    turn = WriteState(turn_id="t")
    turn.exec_begins["c1"] = ev.ExecBegin(
        call_id="c1", command=("ls", "-la"), cwd=Path("/w"), sandboxed=True
    )
    turn.patch_diffs["p1"] = "--- a/a.py\n+++ b/a.py\n"
    payload = encode(event, turn)
    assert payload is not None
    # Through JSON, as the file holds it.
    back = decode(json.loads(json.dumps(payload)), ReadState(cwd="/w"))
    assert back[-1] == event
    if isinstance(event, ev.ExecEnd):
        assert back[0] == ev.ExecBegin(
            call_id="c1", command=("ls", "-la"), cwd=Path("/w"), sandboxed=True
        )
    if isinstance(event, ev.PatchEnd):
        assert back[0] == ev.PatchBegin(
            call_id="p1", changes=CHANGES, diff="--- a/a.py\n+++ b/a.py\n"
        )


@pytest.mark.parametrize("odd", ["exploded", ["a list"], {"a": "mapping"}, 3])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_hostile_fields_read_as_empty_values_not_errors(kind, odd) -> None:
    garbage = {
        "type": kind.name,
        "message": 3,
        "text": ["x"],
        "call_id": {},
        "command": 7,
        "exit_code": "0",
        "status": odd,
        "changes": {"a": "not a mapping", "b": {"type": odd, "added": "many"}},
        "arguments": "nope",
        "plan": [{"step": 1, "status": odd}, "x"],
        "info": {"total_token_usage": {"input_tokens": "ten"}, "model_context_window": "big"},
        "usage": None,
        "duration": {"secs": "1"},
        "duration_s": True,
        "response_id": 5,
    }
    events = decode(garbage, ReadState())
    for event in events:
        assert isinstance(event, ev.Event)
