"""Recorded sessions for the resume benchmarks: the same N turns written as a
codex-tui session (through our own recorder) and as a Codex CLI rollout.

Each turn is a request and a ~1.1 kB markdown answer (prose, lists, a code block)
from tui_corpus, so 500 turns (~150k tokens) fit a 272k context window. Every
answer ends with `answer_tail(n)`, so a screen showing the last one can be
recognised. Two history items a turn: the request and the answer.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from tui_corpus import turn_events

from codex_tui.agent import events as ev
from codex_tui.agent.items import assistant_message, user_message

MODEL = "gpt-5-codex"
CODEX_VERSION = "0.171.0"
STARTED = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


def answer_tail(n: int) -> str:
    return f"Answer {n} ends here (zt{n}q)."


def turn_text(n: int, distinct: int = 500) -> tuple[str, str]:
    """Request and answer of turn `n`; the content repeats every `distinct` turns
    (long sessions reuse it: building 10,000 answers adds nothing but time)."""
    user, events = turn_events(n % distinct, answer_chars=800)
    answer = next(e.text for e in events if isinstance(e, ev.AgentMessage))
    return f"Turn {n}: {user.split(': ', 1)[1]}", f"{answer}\n\n{answer_tail(n)}"


def _day_path(sessions: Path, session_id: str) -> Path:
    day = sessions / f"{STARTED:%Y}" / f"{STARTED:%m}" / f"{STARTED:%d}"
    return day / f"rollout-{STARTED:%Y-%m-%dT%H-%M-%S}-{session_id}.jsonl"


def write_ours(home: Path, cwd: Path, turns: int) -> tuple[str, Path]:
    """A codex-tui session of `turns` turns in `home`/sessions, written by
    SessionRecorder with the calls the agent makes in a turn; (id, path)."""
    from codex_tui.agent.instructions import environment_context
    from codex_tui.sessions.files import git_head
    from codex_tui.sessions.recorder import SessionRecorder, meta_payload

    session_id = str(uuid.uuid4())
    path = _day_path(home / "sessions", session_id)
    meta = meta_payload(session_id, cwd, MODEL, "scripted", git_head(cwd))
    recorder = SessionRecorder.create(path, meta)
    recorder.sync = lambda: None  # the same bytes, without an fsync a turn
    context = {
        "cwd": str(cwd),
        "approval_policy": "on-request",
        "sandbox_policy": {"type": "workspace-write"},
        "model": MODEL,
        "summary": "auto",
    }
    recorder.describe_turn = lambda: dict(context)
    env = environment_context(cwd, "on-request", "workspace-write", False, [])
    usage = ev.TokenUsage(
        input_tokens=2_000, cached_input_tokens=0, output_tokens=400, reasoning_tokens=0
    )
    total = ev.TokenUsage()
    try:
        for n in range(turns):
            ask, answer = turn_text(n)
            if n == 0:
                recorder.record_items([user_message(env)])
            recorder.record_event(ev.TurnStarted(turn_id=f"turn_{n}", user_input=ask))
            recorder.record_items([user_message(ask)])
            recorder.record_event(ev.AgentMessage(item_id=f"msg_{n}", text=answer))
            recorder.record_items([assistant_message(answer)])
            total = total + usage
            recorder.record_event(ev.TokenCount(total=total, last=usage, context_window=272_000))
            recorder.record_event(
                ev.TurnComplete(
                    turn_id=f"turn_{n}", last_message=answer, usage=usage, duration_s=4.2
                )
            )
    finally:
        recorder.close()
    return session_id, path


def _line(kind: str, payload: dict, n: int) -> str:
    when = STARTED.replace(second=n % 60).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return json.dumps({"timestamp": when, "type": kind, "payload": payload})


def _message(role: str, text: str) -> dict:
    kind = "output_text" if role == "assistant" else "input_text"
    return {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}


def write_codex(codex_home: Path, cwd: Path, turns: int) -> tuple[str, Path]:
    """The same turns as a Codex CLI rollout in `codex_home`/sessions, in the
    envelope tests/sessions/test_codex_sessions.py documents: session_meta, then per
    turn turn_context, task_started, the request (response_item + user_message
    event), the answer (response_item + agent_message event), token_count,
    task_complete; (id, path)."""
    session_id = str(uuid.uuid4())
    path = _day_path(codex_home / "sessions", session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "id": session_id,
        "timestamp": STARTED.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "cwd": str(cwd),
        "originator": "codex_cli_rs",
        "cli_version": CODEX_VERSION,
        "instructions": None,
        "source": "cli",
        "model_provider": "scripted",
    }
    lines = [_line("session_meta", meta, 0)]
    context = {
        "cwd": str(cwd),
        "approval_policy": "on-request",
        "sandbox_policy": {"type": "workspace-write", "network_access": False},
        "model": MODEL,
        "summary": "auto",
    }
    last = {"input_tokens": 2_000, "cached_input_tokens": 0, "output_tokens": 400}
    last |= {"reasoning_output_tokens": 0, "total_tokens": 2_400}
    for n in range(turns):
        ask, answer = turn_text(n)
        total = {key: value * (n + 1) for key, value in last.items()}
        info = {"total_token_usage": total, "last_token_usage": last}
        info["model_context_window"] = 272_000
        turn_id = f"turn_{n}"
        lines += [
            _line("turn_context", context, n),
            _line("event_msg", {"type": "task_started", "turn_id": turn_id}, n),
            _line("response_item", _message("user", ask), n),
            _line("event_msg", {"type": "user_message", "message": ask, "images": []}, n),
            _line("event_msg", {"type": "agent_message", "message": answer}, n),
            _line("response_item", _message("assistant", answer), n),
            _line("event_msg", {"type": "token_count", "info": info, "rate_limits": None}, n),
            _line(
                "event_msg",
                {"type": "task_complete", "turn_id": turn_id, "last_agent_message": answer},
                n,
            ),
        ]
    path.write_text("".join(f"{text}\n" for text in lines))
    return session_id, path
