"""Background terminals: what one write_stdin round trip costs our side.

`cat` runs as a background terminal (a pipe, and a pseudo-terminal); each round
writes a line and waits until its echo has been read back, as write_stdin does
for a command that answers at once. An empty poll (chars "", yield 0) is timed
too. No sandbox: the figure is our layer's, not bubblewrap's start-up.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from codex_tui.sandbox.output import OutputLimits
from codex_tui.terminals.terminal import Terminal

ROUNDS = 500


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


async def round_trips(tty: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        terminal = Terminal(1, ("cat",), Path(tmp), tty, OutputLimits())
        await terminal.start(["cat"], dict(os.environ))
        times = []
        for n in range(ROUNDS):
            started = time.perf_counter()
            terminal.write(f"line {n}\n")
            while f"line {n}" not in terminal.take_output()[0]:
                terminal._new_output.clear()
                await asyncio.wait_for(terminal._new_output.wait(), 5)
            times.append((time.perf_counter() - started) * 1000)
        polls = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            await terminal.wait(0)
            terminal.take_output()
            polls.append((time.perf_counter() - started) * 1000)
        await terminal.stop()
    return statistics.median(times), statistics.median(polls)


def run() -> list[dict]:
    pipe, poll = asyncio.run(round_trips(False))
    pty, _ = asyncio.run(round_trips(True))
    note = f"median of {ROUNDS}: write a line to `cat`, until its echo is read back"
    return [
        fig("write_stdin round trip, pipe", pipe, "ms", "", note),
        fig("write_stdin round trip, pseudo-terminal", pty, "ms", "", note),
        fig('empty poll (chars "", yield 0)', poll, "ms", "", f"median of {ROUNDS}"),
    ]


if __name__ == "__main__":
    for f in run():
        print(f)
