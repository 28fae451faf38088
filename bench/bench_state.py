"""Server-side conversation state: request body size and time to first token at
turn 50 of a long scripted session, `conversation_state: client` vs `server`;
and the cost of the response checker on one reply.

Each turn of the session reads a 4 KB file and answers in about 1.5 KB, so by
turn 50 the history is a few hundred KB. The scripted server answers at once:
time to first token here is what our side and the transfer cost, not the
model's prefill (which server state also shortens on a real server).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.checks.messages import message_flags
from codex_tui.agent.checks.paths import WorkspaceIndex, missing_paths
from codex_tui.config import Config
from codex_tui.config.schema import ModelProvider, ResponseChecks
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer, Usage

TURNS = 50
# Turns measured for time to first token (the median is reported).
MEASURED = range(TURNS, TURNS + 5)
ANSWER = (
    "The function `lookup_user` in `src/users.py` reads the row, then the profile, "
    "and formats both; caching the row by id would save one query per call. "
) * 10


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


def turn_script(turn: int) -> list[Reply]:
    usage = Usage(input_tokens=2000, output_tokens=300)
    return [
        Reply(
            [
                Message(f"Reading the file for question {turn}."),
                FunctionCall("read_file", {"path": "src/users.py"}, call_id=f"read{turn}"),
            ],
            usage=usage,
        ),
        Reply([Message(f"{turn}: {ANSWER}")], usage=usage),
    ]


class FirstToken:
    """An emit callback that notes when the first answer text arrives."""

    def __init__(self) -> None:
        self.at: float | None = None

    def __call__(self, event: ev.Event) -> None:
        if self.at is None and isinstance(event, ev.AgentMessageDelta):
            self.at = time.perf_counter()


async def session(state: str, workspace: Path) -> tuple[int, float]:
    """(bytes of the first request body of turn 50, median time to first token ms)."""
    from codex_tui.agent.model_client import ModelClient
    from codex_tui.agent.session import build_agent

    class NoApprovals:
        async def request_approval(self, request):
            raise AssertionError("no approval expected")

    with ScriptedModelServer() as server:
        config = Config(model="gpt-5-codex", model_provider="scripted", approval_policy="never")
        config.model_providers["scripted"] = ModelProvider(
            name="scripted", base_url=server.base_url, wire_api="responses"
        )
        config.model_context_window = 10_000_000
        config.conversation_state = state  # type: ignore[assignment]
        first = FirstToken()
        client = ModelClient("scripted", config.provider)
        agent = await build_agent(config, workspace, NoApprovals(), first, client=client)
        agent.conversation_state = state
        agent.checks = None
        size = 0
        waits = []
        for turn in range(1, MEASURED.stop):
            server.add(*turn_script(turn))
            before = len(server.bodies)
            first.at = None
            started = time.perf_counter()
            outcome = await agent.submit(f"Question {turn}: how does the user lookup work?")
            assert outcome.status == "completed", outcome
            if turn == TURNS:
                size = len(json.dumps(server.bodies[before]).encode())
            if turn in MEASURED and first.at is not None:
                waits.append((first.at - started) * 1000)
        await client.close()
    return size, statistics.median(waits)


def checker_us(workspace: Path) -> float:
    """Microseconds to check one ~1.5 KB reply for every kind of flag."""
    text = ANSWER + "\nRun `rm -rf build/` after editing `src/missing.py`."
    settings = ResponseChecks()
    index = WorkspaceIndex(workspace)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        message_flags(text, settings)
        missing_paths(text, workspace, index=index)
    return (time.perf_counter() - started) / rounds * 1e6


def run() -> list[dict]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CODEX_TUI_HOME"] = str(Path(tmp) / "home")
        work = Path(tmp) / "work"
        (work / "src").mkdir(parents=True)
        (work / "src" / "users.py").write_text("def lookup_user(user_id):\n    ...\n" * 120)
        client_size, client_ms = asyncio.run(session("client", work))
        server_size, server_ms = asyncio.run(session("server", work))
        note = f"{TURNS} turns of 2 requests; first request of turn {TURNS}"
        figures.append(fig("request body at turn 50, client state", client_size / 1024, "KiB",
                           note=note))  # fmt: skip
        figures.append(fig("request body at turn 50, server state", server_size / 1024, "KiB",
                           note=note))  # fmt: skip
        figures.append(
            fig(
                "server / client request body at turn 50",
                100 * server_size / client_size,
                "%",
                "≤ 10 %",
                "instructions and tool schemas are sent every time",
            )
        )
        note = "median of turns 50–54, submit to first text delta, local scripted server"
        figures.append(fig("time to first token at turn 50, client state", client_ms, "ms",
                           note=note))  # fmt: skip
        figures.append(fig("time to first token at turn 50, server state", server_ms, "ms",
                           "≤ client", note))  # fmt: skip
        figures.append(
            fig(
                "response checks on a 1.5 KB reply",
                checker_us(work),
                "µs",
                "≤ 5000 µs",
                "once per finished reply; ~60 % is the secret redactor",
            )
        )
    return figures
