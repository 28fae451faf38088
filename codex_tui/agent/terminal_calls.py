"""exec_command and write_stdin: background terminals the model starts, reads,
types into and stops.

exec_command goes through the same policy, approval, hooks and undo snapshot
as `shell`, then starts the command in the sandbox without a deadline and waits
up to `yield_time_ms`: a command that ended by then answers like `shell`; one
that still runs answers with its session id and the output so far. The command
cell says so, and the session's terminals are listed in /ps.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, cast

from codex_tui.agent import events as ev
from codex_tui.policy import Action, is_known_safe
from codex_tui.sandbox.detect import SandboxUnavailable
from codex_tui.tools.arguments import ExecCommandArgs, WriteStdinArgs
from codex_tui.tools.registry import ToolArgumentError

if TYPE_CHECKING:
    from codex_tui.agent.tool_calls import CallResult, ToolRunner
    from codex_tui.terminals.registry import Terminals
    from codex_tui.terminals.terminal import Terminal

DEFAULT_YIELD_MS = 10_000
DEFAULT_POLL_MS = 1_000
MAX_YIELD_MS = 300_000
CHARS_PER_TOKEN = 4


def terminals_of(runner: ToolRunner) -> Terminals:
    if runner.env.terminals is None:
        from codex_tui.terminals.registry import Terminals

        runner.env.terminals = Terminals(
            max_sessions=runner.env.max_terminals, on_change=lambda t: runner.emit(changed(t))
        )
    return runner.env.terminals


def changed(terminal: Terminal) -> ev.TerminalChanged:
    return ev.TerminalChanged(
        session_id=terminal.session_id,
        command=terminal.command,
        pid=terminal.pid,
        state=terminal.state,
        exit_code=terminal.exit_code,
        last_line=terminal.last_line,
    )


def capped(text: str, max_tokens: int | None) -> str:
    if not max_tokens or max_tokens <= 0 or len(text) <= max_tokens * CHARS_PER_TOKEN:
        return text
    keep = max_tokens * CHARS_PER_TOKEN
    head, tail = text[: keep // 2], text[-(keep // 2) :]
    return f"{head}\n[… {len(text) - keep} characters not shown …]\n{tail}"


def report(terminal: Terminal, output: str, truncated: bool) -> str:
    if terminal.running:
        status = f"Session {terminal.session_id} is still running (pid {terminal.pid})."
    else:
        status = f"Session {terminal.session_id} exited with code {terminal.exit_code}."
    note = "\n(the middle of the output was dropped)" if truncated else ""
    return f"{status}\nWall time: {terminal.runtime_s:.1f} s\nOutput:\n{output}{note}"


async def exec_command(runner: ToolRunner, call_id: str, raw: dict[str, Any]) -> CallResult:
    from codex_tui.agent.tool_calls import CallResult

    args = cast(ExecCommandArgs, raw)
    cmd = args["cmd"]
    argv = ("bash", "-lc", cmd) if isinstance(cmd, str) else tuple(cmd)
    if not argv or not argv[-1] or not all(isinstance(a, str) for a in argv):
        raise ToolArgumentError("`cmd` must be a command line or a non-empty argv array")
    env = runner.env
    terminals = terminals_of(runner)
    if terminals.full():
        message = (
            f"error: {terminals.max_sessions} background terminals already run; stop one"
            " first (write_stdin with chars \\u0003 in tty mode) or ask the person (/ps)"
        )
        return CallResult(message, "refused")
    cwd, flags, decision, refused = await runner.approve_command(call_id, argv, raw)
    if refused is not None:
        return refused
    if env.snapshots is not None and not is_known_safe(argv):
        await env.snapshots.before_write()
    sandboxed = decision.action is Action.RUN_SANDBOXED
    started = time.monotonic()
    if sandboxed:  # the first command walks for `.git` and makes the network namespace
        await asyncio.to_thread(env.sandbox.prepare)
    try:
        launch = env.sandbox.launch(argv, cwd=cwd, sandboxed=sandboxed)
    except SandboxUnavailable as exc:
        runner.end_exec(call_id, argv, 1, str(exc), 0.0, "failed")
        return CallResult(f"error: {exc}", "failed", flags=flags)
    runner.emit(ev.ExecBegin(call_id=call_id, command=argv, cwd=cwd, sandboxed=sandboxed))
    try:
        terminal = await terminals.start(
            launch.argv,
            command=argv,
            cwd=launch.cwd,
            env=dict(launch.env),
            tty=bool(args.get("tty")),
        )
    except OSError as exc:
        runner.end_exec(call_id, argv, 126, str(exc), time.monotonic() - started, "failed")
        return CallResult(f"error: {argv[0]}: {exc.strerror or exc}", "failed", flags=flags)
    wait = min(args.get("yield_time_ms") or DEFAULT_YIELD_MS, MAX_YIELD_MS)
    await terminal.wait(wait / 1000)
    output, truncated = terminal.take_output()
    output = capped(output, args.get("max_output_tokens"))
    took = time.monotonic() - started
    if terminal.running:
        shown = f"[running in the background as session {terminal.session_id}]\n{output}"
        runner.end_exec(
            call_id, argv, None, shown, took, "background", terminal=terminal.session_id
        )
    else:
        status: ev.ExecStatus = "completed" if terminal.exit_code == 0 else "failed"
        runner.end_exec(call_id, argv, terminal.exit_code, output, took, status)
    return CallResult(
        report(terminal, output, truncated),
        decision.action.value,
        terminal.exit_code,
        int(took * 1000),
        flags,
    )


async def write_stdin(runner: ToolRunner, call_id: str, raw: dict[str, Any]) -> CallResult:
    from codex_tui.agent.tool_calls import CallResult

    args = cast(WriteStdinArgs, raw)
    terminals = terminals_of(runner)
    session = args["session_id"]
    terminal = terminals.get(session)
    if terminal is None:
        known = ", ".join(str(t) for t in terminals.terminals) or "none"
        raise ToolArgumentError(f"no background terminal {session} (sessions: {known})")
    chars = args.get("chars") or ""
    if chars:
        if not terminal.running:
            raise ToolArgumentError(
                f"session {session} has exited (code {terminal.exit_code}): nothing to write to"
            )
        try:
            terminal.write(chars)
        except OSError as exc:
            raise ToolArgumentError(f"session {session}: {exc}") from None
    wait = min(args.get("yield_time_ms") or DEFAULT_POLL_MS, MAX_YIELD_MS)
    await terminal.wait(wait / 1000)
    output, truncated = terminal.take_output()
    text = report(terminal, capped(output, args.get("max_output_tokens")), truncated)
    runner.emit(
        ev.ToolCallEnd(
            call_id=call_id, name="write_stdin", arguments=raw, output=text, success=True
        )
    )
    return CallResult(text, "run", terminal.exit_code)
