"""`codex-tui exec [--json] [-o FILE] [PROMPT | -]`: one turn, no screen, no prompts.

`codex-tui exec --prompt NAME [key=value ...]` sends a prompt template rendered
with those values (see codex_tui.prompts).

`codex-tui exec resume (ID | --last) [PROMPT | -]` runs the turn in a recorded
session: the model gets the earlier history, and the turn is recorded in the
same file (a Codex CLI session continues as a new codex-tui session instead).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from codex_tui.agent import events as ev
from codex_tui.cli_context import CliError, Context, decode_arg, global_flags, resolve_cwd

if TYPE_CHECKING:
    from codex_tui.images.store import Attachment


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "prompt",
        nargs="?",
        help='the request; `-` or absent reads stdin; `resume ID "..."` continues a session',
    )
    exec_flags(parser)
    # Words after the prompt (`resume ID PROMPT`, or flags written last) are parsed
    # in run(): argparse cannot mix optional positionals with flags in between.
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def exec_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    parser.add_argument(
        "-o", "--output-last-message", metavar="FILE", help="write the final message to FILE"
    )
    parser.add_argument(
        "--last", action="store_true", help="with resume: the latest session of this repository"
    )
    parser.add_argument(
        "--prompt",
        metavar="NAME",
        dest="template",
        help="send the prompt template NAME; the words after it are key=value values",
    )


class _WordsParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"exec: {message}", 2)


def parse_rest(ctx: Context) -> list[str]:
    """Fold the flags among the trailing words into ctx.args; return the words."""

    if not ctx.args.rest:
        return []
    parser = _WordsParser(prog="codex-tui exec", add_help=False, parents=[global_flags()])
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    parser.add_argument("-o", "--output-last-message", default=argparse.SUPPRESS)
    parser.add_argument("--last", action="store_true", default=argparse.SUPPRESS)
    parser.add_argument("--prompt", dest="template", default=argparse.SUPPRESS)
    parser.add_argument("words", nargs="*")
    extra = parser.parse_intermixed_args(ctx.args.rest)
    for key, value in vars(extra).items():
        if key == "words":
            continue
        if key == "config":
            value = [*(ctx.args.config or []), *value]
        setattr(ctx.args, key, value)
        if key == "cd":
            ctx.cwd = resolve_cwd(value)
    return list(extra.words)


def resume_target(ctx: Context) -> Path | None:
    """For `exec resume ...`: the session file, with ctx.args.prompt set to the
    prompt; None for a plain `exec`."""

    words = parse_rest(ctx)
    if ctx.args.template:
        return template_target(ctx, words)
    if ctx.args.prompt != "resume":
        if words:
            raise CliError(f"exec: unexpected `{words[0]}` (quote the prompt as one argument)", 2)
        if ctx.args.last:
            raise CliError("exec: --last goes with resume: codex-tui exec resume --last ...", 2)
        return None
    from codex_tui.sessions.cli import resolve_session

    session_id = None if ctx.args.last else (words.pop(0) if words else None)
    if len(words) > 1:
        raise CliError(f"exec resume: unexpected `{words[1]}` (quote the prompt)", 2)
    target = resolve_session(ctx.cwd, session_id, ctx.args.last, "exec resume")
    ctx.args.prompt = words[0] if words else None
    return target


def template_target(ctx: Context, words: list[str]) -> Path | None:
    """`--prompt NAME k=v ...` (also after `resume ID`): render the template into
    ctx.args.prompt; return the session to resume, if any."""
    from codex_tui.prompts import TemplateError, render_named

    target = None
    if ctx.args.prompt == "resume":
        from codex_tui.sessions.cli import resolve_session

        session_id = None if ctx.args.last else (words.pop(0) if words else None)
        target = resolve_session(ctx.cwd, session_id, ctx.args.last, "exec resume")
    elif ctx.args.prompt is not None:
        words.insert(0, ctx.args.prompt)
    try:
        ctx.args.prompt = render_named(ctx.cwd, ctx.args.template, words)
    except TemplateError as exc:
        raise CliError(f"exec: {exc}", 2) from None
    return target


class StopOnSignal:
    """Ctrl-C (or SIGTERM) interrupts the turn, which ends as aborted; a second
    one ends the process at once, whatever is still running (a thread stuck in
    a system call cannot be cancelled, and would otherwise hold the exit)."""

    def __init__(self, interrupt: Callable[[], None], write_err: Callable[[str], None]) -> None:
        self.interrupt = interrupt
        self.write_err = write_err
        self.signals = 0

    def __call__(self) -> None:
        self.signals += 1
        if self.signals > 1:
            self.write_err("codex-tui: interrupted\n")
            os._exit(130)
            return  # (only when os._exit is replaced, as in tests)
        self.write_err("codex-tui: interrupting (press ctrl+c again to stop at once)\n")
        self.interrupt()


class HeadlessApprover:
    """Nobody is there to ask: whatever would need approval is declined."""

    async def request_approval(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        return ev.ApprovalDecision(
            decision=ev.ReviewDecision.DENY,
            feedback="codex-tui exec runs without a person to approve; this needed approval"
            f" ({request.reason}). Continue without it, or explain what is needed.",
        )


def read_prompt(ctx: Context) -> str:
    """The prompt from the command line or stdin; invalid UTF-8 in either becomes
    U+FFFD here, at the edge, so nothing downstream sees undecodable text."""
    prompt: str | None = ctx.args.prompt
    if prompt is None or prompt == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise CliError('exec needs a prompt: codex-tui exec "..." (or pipe it on stdin)', 2)
        prompt = sys.stdin.buffer.read().decode("utf-8", "replace")
    else:
        prompt = decode_arg(prompt)
    if not prompt.strip():
        raise CliError("exec: the prompt is empty", 2)
    return prompt


def check_output_path(value: str | None) -> None:
    """`-o FILE` is checked before the turn, so a bad path costs no model request."""
    if not value:
        return
    path = Path(value)
    if path.is_dir():
        raise CliError(f"exec: -o {value}: is a directory; give a file name", 2)
    if not path.parent.is_dir():
        raise CliError(f"exec: -o {value}: no such directory {path.parent}", 2)


def run(ctx: Context) -> int:
    resume = resume_target(ctx)
    prompt = read_prompt(ctx)
    check_output_path(ctx.args.output_last_message)
    from codex_tui.images.cli import attach_images

    images = attach_images(ctx.args, ctx.cwd)
    config = ctx.config
    if ctx.loaded.source_of("approval_policy") == "default":
        config.approval_policy = "never"  # headless: never wait for a person
    return asyncio.run(run_exec(ctx, prompt, resume, images))


async def run_exec(
    ctx: Context, prompt: str, resume: Path | None = None, images: Sequence[Attachment] = ()
) -> int:
    from codex_tui.agent.session import build_agent
    from codex_tui.exec.human import ProgressPrinter
    from codex_tui.exec.jsonl import JsonEventWriter
    from codex_tui.sessions import SessionError

    def write_out(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def write_err(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    # With --json, thread.started is written on SessionConfigured, before any warning.
    emit: Callable[[ev.Event], None] = (
        JsonEventWriter(write_out) if ctx.args.json else ProgressPrinter(write_err)
    )
    try:
        agent = await build_agent(
            ctx.config, ctx.cwd, HeadlessApprover(), emit, resume=resume, source="exec"
        )
    except SessionError as exc:
        raise CliError(f"exec resume: {exc}", 1) from None
    loop = asyncio.get_running_loop()
    stop = StopOnSignal(agent.interrupt, write_err)
    loop.add_signal_handler(signal.SIGINT, stop)
    loop.add_signal_handler(signal.SIGTERM, stop)
    try:
        outcome = await agent.submit(prompt, images)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)
        await agent.aclose()
    if outcome is None:  # pragma: no cover - submit only queues while a turn runs
        return 1
    if ctx.args.output_last_message:
        try:
            Path(ctx.args.output_last_message).write_text(outcome.last_message or "")
        except OSError as exc:
            raise CliError(f"exec: -o {ctx.args.output_last_message}: {exc.strerror}") from None
    if not ctx.args.json and outcome.last_message:
        write_out(outcome.last_message.rstrip("\n") + "\n")
    return 0 if outcome.status == "completed" else 1
