"""Slash commands as data: one table feeds dispatch (`/name args` in the
composer), the composer's completion, the command palette and `/help`.

Each handler takes a `SlashContext` (the app and its session controller) and
the rest of the line, so a type checker follows every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast, get_args

from codex_tui.config.schema import ApprovalPolicy, ReasoningEffort, SandboxMode

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp
    from codex_tui.ui.session import SessionController

INIT_PROMPT = """\
Write an AGENTS.md file at the root of this repository for coding agents that will work \
here after you. Look around first (layout, build and test commands, conventions visible in \
the code and configuration). Keep it short and concrete: how to set up, build, run the \
tests and lint; the layout of the code; conventions to follow; anything surprising. If an \
AGENTS.md already exists, improve it instead of replacing what is still true."""

POLICY_HELP = {
    "untrusted": "ask before anything that is not known to be read-only",
    "on-failure": "run in the sandbox; ask to retry outside it when a command fails",
    "on-request": "run in the sandbox; the model asks when it needs more",
    "never": "never ask; what would need approval is refused",
}
SANDBOX_HELP = {
    "read-only": "commands may read anything and write nothing",
    "workspace-write": "commands may write inside the workspace (and /tmp), not .git",
    "danger-full-access": "no sandbox at all",
}
KEYS_HELP = [
    ("enter", "send (queues while a turn runs)"),
    ("alt+enter, ctrl+j", "new line (shift+enter where the terminal reports it)"),
    ("↑ / ↓", "walk the input history"),
    ("@", "complete a file path"),
    ("esc", "interrupt the turn"),
    ("esc esc", "rewind to an earlier request (empty composer, no turn running)"),
    ("ctrl+g", "edit the draft in $VISUAL / $EDITOR"),
    ("shift+tab", "cycle modes: default → auto-edit → plan"),
    ("ctrl+r", "in plan mode: carry out the plan"),
    ("alt+← / alt+→", "lower / raise the reasoning effort"),
    ("ctrl+v, drop a file", "attach an image (backspace on an empty input removes it)"),
    ("!command", "run a command yourself; the model sees its output"),
    ("ctrl+c", "copy selection · interrupt · clear · twice to quit"),
    ("pgup / pgdn, ctrl+end", "scroll the conversation · follow the bottom"),
    ("ctrl+t", "plan and diff panes"),
    ("ctrl+b", "sessions"),
    ("ctrl+p", "command palette"),
]


@dataclass(frozen=True)
class SlashContext:
    """What a command acts on: the app's screen and the session's agent."""

    app: CodexApp
    session: SessionController

    def note(self, kind: str, text: str) -> None:
        self.app.conversation.note(kind, text)


Handler = Callable[[SlashContext, str], None]


@dataclass(frozen=True, kw_only=True)
class SlashCommand:
    """`/name [args]`: `handler(ctx, args)`; `during_turn=False` commands wait
    for the running turn to end (the person is told so)."""

    name: str
    help: str
    handler: Handler
    during_turn: bool = True


# -- handlers ---------------------------------------------------------------------------


def _new(ctx: SlashContext, _args: str) -> None:
    ctx.session.new_session()


def _sessions(ctx: SlashContext, _args: str) -> None:
    ctx.app.show_sessions()


def _model(ctx: SlashContext, name: str) -> None:
    """`/model NAME` (a warning when the server does not list it), or a picker of
    the models the provider's server lists (or, when it cannot say, the known ones)."""
    ctx.app.run_worker(_choose_model(ctx, name), group="model", exclusive=True)


async def _choose_model(ctx: SlashContext, name: str) -> None:
    from codex_tui.agent.context import KNOWN_WINDOWS
    from codex_tui.ui.pickers import ChoiceScreen

    listed = await ctx.session.list_models()

    def choose(value: str | None) -> None:
        if value:
            ctx.session.override(model=value)
            ctx.note("info", f"Model: {value} (from the next request on).")

    if name:
        if listed and name not in listed:
            shown = ", ".join(listed[:8]) + (", …" if len(listed) > 8 else "")
            ctx.note("warning", f"the server does not list {name!r} (it lists {shown})")
        choose(name)
        return
    current = ctx.app.config.model
    models = listed or sorted({*KNOWN_WINDOWS, "gpt-5-codex", "gpt-5-mini"})
    models = sorted({current, *models})
    where = "the server's models" if listed else "known models (the server lists none)"
    title = f"Model: {where}, or type /model NAME"
    ctx.app.push_screen(ChoiceScreen(title, [(m, "") for m in models], current), choose)


SETTINGS = {
    "approvals": ("When should codex-tui ask before acting?", POLICY_HELP),
    "sandbox": ("What may commands touch?", SANDBOX_HELP),
}


def _setting(ctx: SlashContext, what: str, value: str) -> None:
    """`/approvals VALUE` or `/sandbox VALUE` applies VALUE; without one, a
    picker offers the choices."""
    from codex_tui.ui.pickers import ChoiceScreen

    title, help_of = SETTINGS[what]
    if ctx.app.status_bar.mode == "plan":
        # Plan mode holds the sandbox read-only and the policy at never.
        ctx.note("warning", f"/{what}: plan mode sets these; leave it first (shift+tab)")
        return
    if value:
        if not _apply_setting(ctx, what, value):
            ctx.note("error", f"/{what} {value}: choose one of {', '.join(help_of)}")
        return
    config = ctx.app.config
    current = config.approval_policy if what == "approvals" else config.sandbox_mode

    def chosen(choice: str | None) -> None:
        if choice:
            _apply_setting(ctx, what, choice)

    ctx.app.push_screen(ChoiceScreen(title, list(help_of.items()), current), chosen)


def _apply_setting(ctx: SlashContext, what: str, value: str) -> bool:
    """Apply one of the setting's values (typed as its Literal); False for others."""
    if what == "approvals":
        policy = next((p for p in get_args(ApprovalPolicy) if p == value), None)
        if policy is not None:
            ctx.session.override(approval_policy=policy)
            ctx.note("info", f"Approval policy: {policy}.")
        return policy is not None
    mode = next((m for m in get_args(SandboxMode) if m == value), None)
    if mode is not None:
        ctx.session.override(sandbox_mode=mode)
        ctx.note("info", f"Sandbox: {mode}.")
    return mode is not None


def _approvals(ctx: SlashContext, value: str) -> None:
    _setting(ctx, "approvals", value)


def _sandbox(ctx: SlashContext, value: str) -> None:
    _setting(ctx, "sandbox", value)


def _theme(ctx: SlashContext, name: str) -> None:
    """`/theme NAME` applies and saves NAME; `/theme` opens a picker that previews each
    theme as the highlight moves (Esc puts back the one before)."""
    from codex_tui.ui.theme_picker import ThemePicker

    app = ctx.app
    if name:
        app.switch_theme(name)
        return
    app.push_screen(ThemePicker(app), lambda choice: app.switch_theme(choice) if choice else None)


def _diff(ctx: SlashContext, _args: str) -> None:
    ctx.app.show_git_diff()


def _compact(ctx: SlashContext, _args: str) -> None:
    ctx.session.compact()


def _status(ctx: SlashContext, _args: str) -> None:
    config = ctx.app.config
    agent = ctx.session.agent
    rows = [
        ("model", config.model),
        ("provider", f"{config.model_provider} ({config.provider.base_url})"),
        ("approval policy", config.approval_policy),
    ]
    if agent is not None:
        status = agent.status()
        rows.append(("sandbox", f"{config.sandbox_mode} — {status.sandbox}"))
        rows.append(("session", status.session_id))
        total, last = status.total_tokens, status.last_input_tokens
        if status.estimated:
            tokens = f"unknown: the server reports none (about {total:,} by our count)"
        else:
            tokens = f"{total:,} total · {last:,} in the last request"
            if status.cached_input_tokens:
                tokens += f" · {status.cached_input_tokens:,} served from the prompt cache"
        rows.append(("tokens", tokens))
        if status.usage is not None and not status.estimated:
            from codex_tui.agent.pricing import describe_usage

            cost = status.cost_usd
            shown = describe_usage(status.usage, cost)
            if cost is None:
                shown += " · no price known for this model (model_prices in config)"
            rows.append(("usage", shown))
        if status.context_window:
            left = status.context_left_percent
            rows.append(("context left", f"{left}% of {status.context_window:,}"))
        rows.append(("AGENTS.md", ", ".join(status.docs) if status.docs else "none found"))
    else:
        rows.append(("sandbox", f"{config.sandbox_mode} (starting…)"))
    rows.append(("workspace", str(ctx.app.cwd)))
    rows.append(("undo", undo_status(ctx)))
    table = "\n".join(f"| {k} | {v.replace('|', '/')} |" for k, v in rows)
    ctx.app.conversation.markdown("**Status**\n\n| | |\n|---|---|\n" + table)


def undo_status(ctx: SlashContext) -> str:
    undo = ctx.app.config.undo
    if not undo.enabled:
        return "off (undo.enabled: false)"
    history = ctx.session.undo_history
    count = history.undoable()
    turns = f"{count} turn{'s' if count != 1 else ''} can be undone"
    limits = (
        f"snapshots of the last {undo.keep_turns} turns kept; files over {undo.max_file_mb} MB"
        f" and ignored folders over {undo.max_ignored_files:,} files not covered"
    )
    return f"{turns} · {limits}"


def _init(ctx: SlashContext, _args: str) -> None:
    ctx.session.send(INIT_PROMPT)


def _copy(ctx: SlashContext, _args: str) -> None:
    text = ctx.app.conversation.last_answer
    if not text:
        ctx.note("warning", "/copy: there is no answer to copy yet")
        return
    ctx.app.copy_to_clipboard(text)
    ctx.app.notify("Copied the last answer (markdown).", timeout=3)


def _plan(ctx: SlashContext, _args: str) -> None:
    ctx.app.action_toggle_side()


def _help(ctx: SlashContext, _args: str) -> None:
    lines = [f"| `/{c.name}` | {c.help} |" for c in SLASH_COMMANDS]
    lines += [f"| {k} | {v} |" for k, v in KEYS_HELP]
    table = "\n".join(lines)
    ctx.app.conversation.markdown("**Commands and keys**\n\n| | |\n|---|---|\n" + table)


def _key(ctx: SlashContext, _args: str) -> None:
    ctx.app.ask_for_key()


def _undo(ctx: SlashContext, _args: str) -> None:
    ctx.session.undo("undo")


def _redo(ctx: SlashContext, _args: str) -> None:
    ctx.session.undo("redo")


def _mcp(ctx: SlashContext, _args: str) -> None:
    from codex_tui.ui.mcp_status import mcp_markdown

    agent = ctx.session.agent
    manager = agent.tools.env.mcp if agent is not None else None
    configured = len(ctx.app.config.mcp_servers)
    ctx.app.conversation.markdown(mcp_markdown(manager, configured))


def _hooks(ctx: SlashContext, args: str) -> None:
    from codex_tui.ui.hooks_view import hooks_markdown, set_repo_trust

    if args in ("trust", "untrust"):
        set_repo_trust(ctx.app, ctx.session, args == "trust")
    elif args:
        ctx.note("warning", "/hooks: say `/hooks`, `/hooks trust` or `/hooks untrust`")
    else:
        ctx.app.conversation.markdown(hooks_markdown(ctx.app, ctx.session))


EFFORTS = ("minimal", "low", "medium", "high")


def _effort(ctx: SlashContext, args: str) -> None:
    """`/effort LEVEL`: the reasoning effort of the next request on (the
    `model_reasoning_effort` key); `/effort` alone says the current one."""
    config = ctx.app.config
    if not args:
        current = config.model_reasoning_effort or "the model's default"
        ctx.note("info", f"Reasoning effort: {current} (/effort {' | '.join(EFFORTS)})")
        return
    if args not in EFFORTS:
        ctx.note("warning", f"/effort: say one of {', '.join(EFFORTS)}")
        return
    level = cast(ReasoningEffort, args)
    config.model_reasoning_effort = level
    ctx.app.status_bar.effort = level
    ctx.app.status_bar.refresh_text()
    agent = ctx.session.agent
    if agent is not None:
        ctx.app.run_worker(agent.override(reasoning_effort=level), group="settings")
    ctx.note("info", f"Reasoning effort: {level} (from the next request on).")


def _mode(ctx: SlashContext, args: str) -> None:
    from codex_tui.ui.modes_ui import pick_mode

    pick_mode(ctx.app, args)


def _review(ctx: SlashContext, args: str) -> None:
    from codex_tui.ui.review_ui import start_review

    start_review(ctx.app, args)


def _go(ctx: SlashContext, _args: str) -> None:
    from codex_tui.ui.modes_ui import go

    go(ctx.app)


def _ps(ctx: SlashContext, _args: str) -> None:
    from codex_tui.ui.ps_screen import PsScreen

    agent = ctx.session.agent
    terminals = agent.tools.env.terminals if agent is not None else None
    if terminals is None or not terminals.terminals:
        ctx.note("info", "No background terminals in this session.")
        return
    ctx.app.push_screen(PsScreen(terminals))


def _rewind(ctx: SlashContext, _args: str) -> None:
    ctx.session.rewind()


def _quit(ctx: SlashContext, _args: str) -> None:
    ctx.app.exit()


SLASH_COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand(name="new", help="start a new session", handler=_new),
    SlashCommand(name="resume", help="resume a recorded session", handler=_sessions),
    SlashCommand(name="sessions", help="browse recorded sessions", handler=_sessions),
    SlashCommand(name="model", help="choose the model (/model NAME)", handler=_model),
    SlashCommand(name="approvals", help="choose when to ask for approval", handler=_approvals),
    SlashCommand(name="sandbox", help="choose the sandbox mode", handler=_sandbox),
    SlashCommand(name="diff", help="show the working tree's git diff", handler=_diff),
    SlashCommand(
        name="undo",
        help="undo the files the last turn changed (each /undo steps back one more)",
        handler=_undo,
        during_turn=False,
    ),
    SlashCommand(name="redo", help="take back the last /undo", handler=_redo, during_turn=False),
    SlashCommand(
        name="rewind",
        help="go back to an earlier request: code, conversation or both (esc esc)",
        handler=_rewind,
        during_turn=False,
    ),
    SlashCommand(
        name="compact",
        help="summarise the conversation to free context",
        handler=_compact,
        during_turn=False,
    ),
    SlashCommand(name="status", help="model, policy, sandbox, tokens, AGENTS.md", handler=_status),
    SlashCommand(name="init", help="ask the model to write an AGENTS.md", handler=_init),
    SlashCommand(name="theme", help="choose the colour theme (/theme NAME)", handler=_theme),
    SlashCommand(name="copy", help="copy the last answer as markdown", handler=_copy),
    SlashCommand(name="plan", help="show or hide the plan and diff panes", handler=_plan),
    SlashCommand(
        name="effort", help="reasoning effort: minimal | low | medium | high", handler=_effort
    ),
    SlashCommand(name="mode", help="default | auto-edit | plan (shift+tab cycles)", handler=_mode),
    SlashCommand(
        name="review",
        help="review the uncommitted changes, a commit (/review HEAD~1) or /review branch",
        handler=_review,
        during_turn=False,
    ),
    SlashCommand(name="go", help="carry out the plan made in plan mode (ctrl+r)", handler=_go),
    SlashCommand(name="mcp", help="MCP servers, their state and tools", handler=_mcp),
    SlashCommand(name="ps", help="background terminals: live output, k kills", handler=_ps),
    SlashCommand(
        name="hooks",
        help="the hooks that run (/hooks trust | untrust: the repository's own)",
        handler=_hooks,
    ),
    SlashCommand(name="key", help="paste an API key for this session only", handler=_key),
    SlashCommand(name="help", help="list the commands and keys", handler=_help),
    SlashCommand(name="quit", help="quit codex-tui", handler=_quit),
)


def find(name: str) -> SlashCommand | None:
    return next((c for c in SLASH_COMMANDS if c.name == name), None)


def parse_slash(text: str) -> tuple[str, str]:
    """`/name rest of line` → ("name", "rest of line")."""
    body = text.strip()[1:]
    name, _, args = body.partition(" ")
    return name.strip(), args.strip()


def run_command(ctx: SlashContext, command: SlashCommand, args: str) -> None:
    if not command.during_turn and ctx.session.busy:
        ctx.note("warning", f"/{command.name}: wait for the current turn to end")
        return
    command.handler(ctx, args)
