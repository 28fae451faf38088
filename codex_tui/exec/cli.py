"""`codex-tui exec [--json] [-o FILE] [PROMPT | -]`: one turn, no screen, no prompts."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from codex_tui.agent import events as ev

if TYPE_CHECKING:
    from codex_tui.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", help="the request; `-` or absent reads stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    parser.add_argument(
        "-o", "--output-last-message", metavar="FILE", help="write the final message to FILE"
    )


class HeadlessApprover:
    """Nobody is there to ask: whatever would need approval is declined."""

    async def request_approval(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        return ev.ApprovalDecision(
            ev.Decision.DENY,
            "codex-tui exec runs without a person to approve; this needed approval"
            f" ({request.reason}). Continue without it, or explain what is needed.",
        )


def read_prompt(ctx: Context) -> str:
    from codex_tui.cli import CliError

    prompt = ctx.args.prompt
    if prompt is None or prompt == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise CliError('exec needs a prompt: codex-tui exec "..." (or pipe it on stdin)', 2)
        prompt = sys.stdin.read()
    if not prompt.strip():
        raise CliError("exec: the prompt is empty", 2)
    return prompt


def run(ctx: Context) -> int:
    prompt = read_prompt(ctx)
    config = ctx.config
    if ctx.loaded.source_of("approval_policy") == "default":
        config.approval_policy = "never"  # headless: never wait for a person
    return asyncio.run(run_exec(ctx, prompt))


async def run_exec(ctx: Context, prompt: str) -> int:
    from codex_tui.agent.session import build_agent
    from codex_tui.exec.human import ProgressPrinter
    from codex_tui.exec.jsonl import JsonEventWriter

    def write_out(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def write_err(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    if ctx.args.json:
        writer = JsonEventWriter(write_out)
        emit = writer
    else:
        writer = None
        emit = ProgressPrinter(write_err)
    agent = await build_agent(ctx.config, ctx.cwd, HeadlessApprover(), emit)
    if writer is not None:
        writer.thread_started(agent.session_id)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, agent.interrupt)
    loop.add_signal_handler(signal.SIGTERM, agent.interrupt)
    try:
        outcome = await agent.submit(prompt)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)
        await agent.client.close()
    if outcome is None:  # pragma: no cover - submit only queues while a turn runs
        return 1
    if ctx.args.output_last_message:
        Path(ctx.args.output_last_message).write_text(outcome.last_message or "")
    if not ctx.args.json and outcome.last_message:
        write_out(outcome.last_message.rstrip("\n") + "\n")
    return 0 if outcome.status == "completed" else 1
