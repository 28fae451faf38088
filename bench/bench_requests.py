"""What one model request costs our side as the history grows: the event loop's
own CPU time from `stream()` to the last event (building the body, the SDK,
reading the reply; the loop is frozen for the person while it runs), against the
scripted server on 127.0.0.1, which runs in other threads and is not counted.

Before this session the SDK's typed parameter transform walked the whole history
on every request, on the event loop: 480 ms of loop CPU at 1,000 items and
2,385 ms at 5,000 on the Responses wire (147 / 724 ms on the chat wire), same
machine, same harness.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from codex_tui.agent.items import HistoryItem, assistant_message, user_message
from codex_tui.agent.model_client import ModelClient
from codex_tui.agent.model_stream import ModelRequest
from codex_tui.config.schema import ModelProvider
from codex_tui.scripted import Message, Reply, ScriptedModelServer
from codex_tui.tools.registry import responses_tools

RUNS = 7


def history(items: int) -> list[HistoryItem]:
    out: list[HistoryItem] = []
    for i in range(items // 2):
        out.append(user_message(f"request {i}: " + "make the parser accept commas " * 6))
        out.append(assistant_message(f"answer {i}: " + "the parser now accepts them " * 12))
    return out


async def request_ms(items: int, wire: str) -> float:
    """The median event-loop CPU milliseconds of one request."""
    with ScriptedModelServer([Reply([Message("ok")])] * (RUNS + 1)) as server:
        provider = ModelProvider(name="s", base_url=server.base_url, wire_api=wire, env_key=None)
        client = ModelClient("s", provider)
        req = ModelRequest(
            model="m", instructions="be brief", input=history(items), tools=responses_tools()
        )
        async for _ in client.stream(req):  # warm: the openai import, the connection
            pass
        times = []
        for _ in range(RUNS):
            started = time.thread_time()  # this thread: the event loop's
            async for _ in client.stream(req):
                pass
            times.append(time.thread_time() - started)
        await client.close()
    return statistics.median(times) * 1000


def run() -> list[dict]:
    figures = []
    for wire, goals in (("responses", ("≤ 20 ms", "≤ 50 ms")), ("chat", ("", ""))):
        for items, goal in zip((1_000, 5_000), goals, strict=True):
            figures.append(
                {
                    "name": f"event loop per request, {items:,} history items, {wire} wire",
                    "value": asyncio.run(request_ms(items, wire)),
                    "unit": "ms",
                    "goal": goal,
                    "note": f"event-loop CPU, median of {RUNS}; was 480/2385 ms (responses),"
                    " 147/724 ms (chat) with the SDK's transform",
                }
            )
    return figures
