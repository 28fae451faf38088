"""Command-line entry point: global flags, subcommand dispatch, one-line errors.

argparse (not click): it is in the standard library, so start-up stays fast and
there is one dependency fewer; subcommands are plain sub-parsers.

A subcommand lives in its own module exposing
`configure(parser: argparse.ArgumentParser) -> None` and
`run(ctx: Context) -> int`; modules are imported only when their command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import signal
import sys

from codex_tui import __version__
from codex_tui.cli_context import (
    SUB_PREFIX,
    CliError,
    Context,
    global_flags,
    merge_flags,
    resolve_cwd,
)

# name -> (module, help); module None = reserved, not yet available.
SUBCOMMANDS: dict[str, tuple[str | None, str]] = {
    "exec": ("codex_tui.exec.cli", "run one turn headless"),
    "resume": ("codex_tui.ui.resume_cli", "resume a recorded session"),
    "sessions": ("codex_tui.sessions.cli", "list recorded sessions"),
    "undo": ("codex_tui.undo.cli", "undo a recorded session's last turn"),
    "mcp": ("codex_tui.mcp.cli", "manage MCP servers in config.yaml"),
    "apply-patch": ("codex_tui.patch.cli", "apply a patch to the workspace"),
    "sandbox": ("codex_tui.sandbox.cli", "run a command inside the sandbox"),
    "config": ("codex_tui.config.cli", "print the effective configuration"),
    "tools": ("codex_tui.tools.cli", "list the tools the model is given"),
    "acp": ("codex_tui.acp.cli", "serve the Agent Client Protocol on stdio (editors, Toad)"),
}

# Subcommands that open the app: collection stays paused until its first frame, as
# for `codex-tui` itself (reading a long session and laying it out otherwise ran
# ~20 collections, one of them a full pass).
TUI_COMMANDS = frozenset({"resume"})


def build_parser(command: str | None) -> argparse.ArgumentParser:
    """The parser for `codex-tui [PROMPT]`, or for `codex-tui COMMAND ...`."""
    common = global_flags()
    parser = argparse.ArgumentParser(
        prog="codex-tui",
        description="A terminal coding agent. Without a command, starts the full-screen app.",
        epilog="commands: "
        + "; ".join(f"{name} ({text})" for name, (_m, text) in SUBCOMMANDS.items()),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"codex-tui {__version__}")
    if command is None:
        parser.add_argument("prompt", nargs="?", help="send this request first")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="try the app on a built-in scripted session (no API key needed)",
        )
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    module, help_text = SUBCOMMANDS[command]
    after = global_flags(SUB_PREFIX)
    cmd = sub.add_parser(command, help=help_text, parents=[after], description=help_text)
    if module:
        importlib.import_module(module).configure(cmd)
    else:
        cmd.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    # "An optional subcommand, or else free text" is not expressible in argparse,
    # so look at the first positional word and build the matching parser.
    first = next((a for i, a in enumerate(argv) if _is_positional(argv, i)), None)
    command = first if first in SUBCOMMANDS else None
    args = build_parser(command).parse_args(argv)
    merge_flags(args)
    for key in GLOBAL_KEYS:
        if not hasattr(args, key):
            setattr(args, key, None)
    args.command = command
    return args


GLOBAL_KEYS = (
    "cd", "model", "profile", "config", "ask_for_approval", "sandbox", "prompt", "demo", "image",
    "search",
)  # fmt: skip
FLAGS_WITH_VALUE = frozenset(
    {"-C", "--cd", "-m", "--model", "-p", "--profile", "-c", "--config",
     "-a", "--ask-for-approval", "-s", "--sandbox", "-i", "--image"}
)  # fmt: skip


def _is_positional(argv: list[str], i: int) -> bool:
    """True when argv[i] is a positional word, not a flag or a flag's value."""
    if argv[i].startswith("-"):
        return False
    return i == 0 or argv[i - 1] not in FLAGS_WITH_VALUE


def main(argv: list[str] | None = None) -> int:
    # Run as the program (not called from Python), `exec` leaves without the
    # interpreter's teardown.
    as_program = argv is None
    argv = sys.argv[1:] if argv is None else argv
    # Start-up creates a few hundred thousand objects (modules, classes, CSS rules)
    # that live as long as the process; collecting them while they are being made
    # costs ~50 ms, a full pass among them. Collection is paused until the app's
    # first frame (the app resumes it, see codex_tui.collection) or the subcommand's
    # module is loaded, and always resumed when main returns.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        args = parse_args(argv)
        if as_program:
            stop_background_on_signals()
        cwd = resolve_cwd(args.cd)
        ctx = Context(args=args, cwd=cwd)
        if args.command is None:
            return run_tui(ctx)
        module, _ = SUBCOMMANDS[args.command]
        if module is None:
            raise CliError(f"`codex-tui {args.command}` is not yet available", code=2)
        command = importlib.import_module(module)
        if gc_was_enabled and args.command in MANY_OBJECTS:
            from codex_tui.collection import tune_collection

            tune_collection()
        elif gc_was_enabled and args.command not in TUI_COMMANDS:
            gc.enable()
        code: int = command.run(ctx)
        if as_program and args.command in LEAVE_AT_ONCE:
            leave_at_once(code)
        return code
    except CliError as exc:
        print(f"codex-tui: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("codex-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout closed early (e.g. piped into `head`): not an error worth a trace.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if not is_config_error(exc):
            raise
        print(f"codex-tui: {exc}", file=sys.stderr)
        return 2
    finally:
        if gc_was_enabled:
            gc.enable()


def is_config_error(exc: Exception) -> bool:
    """Whether `exc` is a ConfigError. Its module is loaded by then if it is one, so
    commands that never read the config (apply-patch) never import it, nor YAML."""
    errors = sys.modules.get("codex_tui.config.errors")
    return errors is not None and isinstance(exc, errors.ConfigError)


def stop_background_on_signals() -> None:
    """SIGHUP (the terminal went away) and SIGTERM end codex-tui the way the signal
    would, after killing every background terminal's processes (they run in
    process groups of their own, which the signal does not reach)."""

    def handler(signum: int, _frame: object) -> None:
        registry = sys.modules.get("codex_tui.terminals.registry")
        if registry is not None:
            registry.stop_everything()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for signum in (signal.SIGHUP, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            signal.signal(signum, handler)


# Commands that may build millions of objects (a resumed session's decoded lines,
# `sessions --all`'s 50,000 rows): fewer full collections while they do.
MANY_OBJECTS = frozenset({"exec", "sessions"})

# Commands that close what they open before they return, so the process can end
# without the interpreter's teardown.
LEAVE_AT_ONCE = frozenset({"exec", "sessions"})


def leave_at_once(code: int) -> None:
    """End the process now: exec has closed what it opened (the session file is
    fsynced, the audit log written, every command's process tree killed, the
    sandbox's /tmp removed), `sessions` its index, and the interpreter's teardown
    (module and object finalisation: ~0.15 s after exec, ~30 ms after a listing
    of 50,000 sessions) would only delay the shell prompt."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_tui(ctx: Context) -> int:
    """Start the full-screen app."""
    ctx.config  # noqa: B018 - validate the config before the screen takes over
    from codex_tui.ui.launch import run

    return run(ctx)
