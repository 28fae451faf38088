"""Agent core: controller overhead per tool round trip, and `exec` wall time for a
scripted two-request turn, next to Codex CLI's `codex exec` on the same script.

Codex CLI is measured when a `codex` binary is found ($CODEX_BIN, or on PATH):
`npm install @openai/codex` in a scratch folder and set CODEX_BIN to its
node_modules/.bin/codex.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codex_tui.agent.events import TokenUsage
from codex_tui.agent.items import HistoryItem, assistant_message
from codex_tui.agent.model_stream import Completed, ItemDone
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer

PLAN = {"plan": [{"step": "answer", "status": "in_progress"}]}


class InstantClient:
    """A model that answers at once: N tool calls, one per request, then a message."""

    def __init__(self, calls: int, name: str, arguments: dict) -> None:
        self.left = calls
        self.name = name
        self.arguments = json.dumps(arguments)

    async def stream(self, request):
        if self.left > 0:
            self.left -= 1
            item: HistoryItem = {
                "type": "function_call",
                "call_id": f"c{self.left}",
                "name": self.name,
                "arguments": self.arguments,
            }
        else:
            item = assistant_message("done")
        yield ItemDone(item=item)
        yield Completed(
            response_id="resp",
            usage=TokenUsage(
                input_tokens=10, cached_input_tokens=0, output_tokens=1, reasoning_tokens=0
            ),
        )

    async def close(self) -> None:
        pass


async def round_trip_ms(calls: int, name: str, arguments: dict, workspace: Path) -> float:
    from codex_tui.agent.session import build_agent
    from codex_tui.config import Config

    class NoApprovals:
        async def request_approval(self, request):
            raise AssertionError("no approval expected")

    config = Config(approval_policy="never")
    client = InstantClient(calls, name, arguments)
    agent = await build_agent(config, workspace, NoApprovals(), lambda e: None, client=client)
    started = time.perf_counter()
    outcome = await agent.submit("go")
    elapsed = time.perf_counter() - started
    assert outcome.status == "completed", outcome
    return elapsed / (calls + 1) * 1000


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


def two_request_script() -> list[Reply]:
    return [Reply([FunctionCall("update_plan", PLAN)]), Reply([Message("done")])]


SDK_FLOOR = (
    "import openai\n"
    "openai.AsyncOpenAI(api_key='x', base_url='http://127.0.0.1:9/v1', max_retries=0)"
)


def time_command(argv: list[str], env: dict, cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def time_exec(argv: list[str], env: dict, cwd: str, server: ScriptedModelServer) -> float:
    server.add(*two_request_script())
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {done.stderr[-500:]}")
    return elapsed


def run() -> list[dict]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CODEX_TUI_HOME"] = str(Path(tmp) / "home")
        work = Path(tmp) / "work"
        work.mkdir()
        (work / "a.txt").write_text("hello\n" * 100)
        for name, args in (("update_plan", PLAN), ("read_file", {"path": "a.txt"})):
            ms = asyncio.run(round_trip_ms(300, name, args, work))
            label = f"controller overhead per tool round trip ({name})"
            note = "300 calls, in-process instant model, audit log on"
            figures.append(fig(label, ms, "ms", "≤ 5 ms", note))

        # As installed by pip: codex-tui's modules compiled to bytecode (this development
        # environment sets PYTHONDONTWRITEBYTECODE, which would compile them on every run).
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                str(Path(__file__).parents[1] / "codex_tui"),
            ],
            check=True,
        )
        with ScriptedModelServer() as server:
            env = {**os.environ, "CODEX_TUI_HOME": str(Path(tmp) / "home")}
            ours = [
                sys.executable,
                "-m",
                "codex_tui",
                "-c",
                "model_provider=scripted",
                "-c",
                f"model_providers.scripted.base_url={server.base_url}",
                "exec",
                "say hi",
            ]
            codex = os.environ.get("CODEX_BIN") or shutil.which("codex")
            theirs_argv: list[str] = []
            cenv = dict(os.environ)
            if codex:
                codex_home = Path(tmp) / "codex-home"
                codex_home.mkdir()
                (codex_home / "config.toml").write_text(
                    'model = "gpt-5-codex"\nmodel_provider = "scripted"\n'
                    "[model_providers.scripted]\n"
                    f'name = "scripted"\nbase_url = "{server.base_url}"\nwire_api = "responses"\n'
                )
                cenv["CODEX_HOME"] = str(codex_home)
                theirs_argv = [codex, "exec", "--skip-git-repo-check", "say hi"]
            floor = [sys.executable, "-c", SDK_FLOOR]
            mine_runs, their_runs, floor_runs = [], [], []
            for _ in range(7):  # interleaved: the machine's speed drifts within minutes
                mine_runs.append(time_exec(ours, env, str(work), server))
                floor_runs.append(time_command(floor, env, str(work)))
                if theirs_argv:
                    their_runs.append(time_exec(theirs_argv, cenv, str(work), server))
            mine = statistics.median(mine_runs)
            figures.append(
                fig(
                    "codex-tui exec, scripted two-request turn",
                    mine * 1000,
                    "ms",
                    note="median of 7, whole process, bytecode compiled",
                )
            )
            figures.append(
                fig(
                    "of which: python, `import openai` and its client",
                    statistics.median(floor_runs) * 1000,
                    "ms",
                    note="median of 7 interleaved: the floor any exec through the openai SDK"
                    " pays before its first request (most of it pydantic building the SDK's"
                    " ~700 typed models)",
                )
            )
            if their_runs:
                theirs = statistics.median(their_runs)
                figures.append(
                    fig(
                        "codex exec (Codex CLI), same script",
                        theirs * 1000,
                        "ms",
                        note="median of 7, interleaved with ours",
                    )
                )
                figures.append(
                    fig("exec wall time ratio, codex-tui / Codex CLI", mine / theirs, "×", "≤ 1")
                )
            else:
                note = "no codex binary found; set CODEX_BIN"
                figures.append(fig("codex exec (Codex CLI), same script", "n/a", note=note))
    return figures
