"""What the slash commands do, as methods mixed into the app."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, get_args

from textual import work

from codex_tui.config.schema import ApprovalPolicy, SandboxMode
from codex_tui.ui.pickers import ChoiceScreen

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

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


class SlashActions:
    """Methods behind the slash commands; `self` is the CodexApp."""

    @work(group="agent", exclusive=True)
    async def new_session(self: CodexApp) -> None:
        await self._retire_agent()
        self.conversation.clear_cells()
        self.plan_pane.reset()
        if self.diff_view is not None:
            self.diff_view.show_message("No changes yet. /diff shows the working tree's diff.")
        self.status_bar.tokens = 0
        self.status_bar.percent_left = None
        self.conversation.note("info", "New session.")
        await self._start_agent(None).wait()

    def show_sessions(self: CodexApp) -> None:
        from codex_tui.ui.sidebar import SessionSidebar

        self.screen.add_class("-show-sidebar")
        slot = self.query_one("#sidebar")
        found = slot.query(SessionSidebar)
        if found:
            found.first().action_focus_filter()
            return
        sidebar = SessionSidebar(self.cwd)
        slot.mount(sidebar)
        self.call_after_refresh(sidebar.action_focus_filter)

    # -- model, policy, sandbox, theme -------------------------------------------------

    def choose_model(self: CodexApp, name: str) -> None:
        if name:
            self.set_model(name)
            return
        models = sorted({self.config.model, *known_models()})
        choices = [(m, "") for m in models]
        self.push_screen(
            ChoiceScreen("Model (or type /model NAME for any other)", choices, self.config.model),
            lambda value: value and self.set_model(value),
        )

    def set_model(self: CodexApp, name: str) -> None:
        self.config.model = name
        if self.agent is not None:
            from codex_tui.agent.context import context_window

            conversation = self.agent.conversation
            conversation.model = name
            conversation.window = context_window(name, self.config.model_context_window)
        self.status_bar.model = name
        self.status_bar.refresh_text()
        self.conversation.note("info", f"Model: {name} (from the next request on).")

    def choose_policy(self: CodexApp, value: str) -> None:
        policies = list(get_args(ApprovalPolicy))
        if value:
            if value not in policies:
                self.conversation.note(
                    "error", f"/approvals {value}: choose one of {', '.join(policies)}"
                )
                return
            self.set_policy(value)
            return
        self.push_screen(
            ChoiceScreen(
                "When should codex-tui ask before acting?",
                [(p, POLICY_HELP[p]) for p in policies],
                self.config.approval_policy,
            ),
            lambda choice: choice and self.set_policy(choice),
        )

    def set_policy(self: CodexApp, policy: str) -> None:
        self.config.approval_policy = policy  # type: ignore[assignment]
        self._apply_rules()
        self.status_bar.policy = policy
        self.status_bar.refresh_text()
        self.conversation.note("info", f"Approval policy: {policy}.")

    def _apply_rules(self: CodexApp) -> None:
        from codex_tui.policy import PolicyRules

        if self.agent is None:
            return
        env = self.agent.tools.env
        env.rules = PolicyRules.from_config(self.config, sandbox_enforced=env.sandbox.enforced)

    def choose_sandbox(self: CodexApp, value: str) -> None:
        modes = list(get_args(SandboxMode))
        if value:
            if value not in modes:
                self.conversation.note(
                    "error", f"/sandbox {value}: choose one of {', '.join(modes)}"
                )
                return
            self.set_sandbox(value)
            return
        self.push_screen(
            ChoiceScreen(
                "What may commands touch?",
                [(m, SANDBOX_HELP[m]) for m in modes],
                self.config.sandbox_mode,
            ),
            lambda choice: choice and self.set_sandbox(choice),
        )

    @work(group="settings")
    async def set_sandbox(self: CodexApp, mode: str) -> None:
        from codex_tui.sandbox import Sandbox

        self.config.sandbox_mode = mode  # type: ignore[assignment]
        if self.agent is not None:
            env = self.agent.tools.env
            env.sandbox = await asyncio.to_thread(
                Sandbox.from_config, self.config, workspace=env.root
            )
            self._apply_rules()
            self.status_bar.sandbox_enforced = env.sandbox.enforced
        self.status_bar.sandbox = mode
        self.status_bar.refresh_text()
        self.conversation.note("info", f"Sandbox: {mode}.")

    def choose_theme(self: CodexApp, name: str) -> None:
        if name:
            self.switch_theme(name)
            return
        choices = [(n, "") for n in sorted(self.theme_specs)]
        self.push_screen(
            ChoiceScreen("Theme (saved to config.yaml)", choices, self.config.theme),
            lambda choice: choice and self.switch_theme(choice),
        )

    def switch_theme(self: CodexApp, name: str) -> None:
        from codex_tui.ui.themes import save_theme_choice

        if name not in self.theme_specs:
            known = ", ".join(sorted(self.theme_specs))
            self.conversation.note("error", f"/theme {name}: no such theme (themes: {known})")
            return
        self.apply_theme(name)
        self.config.theme = name
        try:
            save_theme_choice(name)
        except OSError as exc:
            self.conversation.note("warning", f"theme applied but not saved: {exc}")
            return
        self.notify(f"Theme {name} (saved to config.yaml)", timeout=3)

    # -- diff, compact, status, copy, help ----------------------------------------------

    @work(group="diff", exclusive=True)
    async def show_git_diff(self: CodexApp) -> None:
        from codex_tui.tools.git import working_tree_diff
        from codex_tui.tools.registry import ToolArgumentError

        if self.diff_view is None:
            return
        try:
            text = await working_tree_diff(self.cwd)
        except ToolArgumentError as exc:
            self.diff_view.show_message(f"/diff: {exc}")
            self.show_side()
            return
        if text.strip():
            self.diff_view.show_diff_text(text, title="git diff (working tree)")
        else:
            self.diff_view.show_message("No uncommitted changes.")
        self.show_side()

    @work(group="turn")
    async def compact(self: CodexApp) -> None:
        from codex_tui.agent.model_stream import ModelError

        if self.agent is None or self.busy:
            self.conversation.note("warning", "/compact: wait for the current turn to end")
            return
        self._busy = True
        self.status_bar.set_working(True)
        self.conversation.note("info", "Compacting the conversation…")
        try:
            await self.agent.compact()
        except ModelError as exc:
            self.conversation.note("error", f"compaction failed: {exc}")
        finally:
            self._busy = False
            self.status_bar.set_working(False)

    def show_status(self: CodexApp) -> None:
        config = self.config
        agent = self.agent
        rows = [
            ("model", config.model),
            ("provider", f"{config.model_provider} ({config.provider.base_url})"),
            ("approval policy", config.approval_policy),
        ]
        if agent is not None:
            sandbox = agent.tools.env.sandbox
            rows.append(("sandbox", f"{config.sandbox_mode} — {sandbox.status_line()}"))
            conv = agent.conversation
            rows.append(("session", agent.session_id))
            last = conv.last.input_tokens
            rows.append(
                ("tokens", f"{conv.total.total_tokens:,} total · {last:,} in the last request")
            )
            if conv.window:
                used = conv.last.input_tokens + conv.last.output_tokens
                left = max(0, round(100 * (1 - used / conv.window)))
                rows.append(("context left", f"{left}% of {conv.window:,}"))
            docs = [str(getattr(d, "path", d)) for d in agent.docs]
            rows.append(("AGENTS.md", ", ".join(docs) if docs else "none found"))
        else:
            rows.append(("sandbox", f"{config.sandbox_mode} (starting…)"))
        rows.append(("workspace", str(self.cwd)))
        table = "\n".join(f"| {k} | {v.replace('|', '/')} |" for k, v in rows)
        self.conversation.markdown("**Status**\n\n| | |\n|---|---|\n" + table)

    def copy_last_answer(self: CodexApp) -> None:
        text = self.conversation.last_answer
        if not text:
            self.conversation.note("warning", "/copy: there is no answer to copy yet")
            return
        self.copy_to_clipboard(text)
        self.notify("Copied the last answer (markdown).", timeout=3)

    def send_init(self: CodexApp) -> None:
        from codex_tui.ui.commands import INIT_PROMPT

        self.send(INIT_PROMPT)

    def show_help(self: CodexApp) -> None:
        from codex_tui.ui.commands import SLASH_COMMANDS

        lines = [f"| `/{c.name}` | {c.description} |" for c in SLASH_COMMANDS]
        keys = [
            ("enter", "send (queues while a turn runs)"),
            ("shift+enter, ctrl+j", "new line"),
            ("↑ / ↓", "walk the input history"),
            ("@", "complete a file path"),
            ("esc", "interrupt the turn"),
            ("ctrl+c", "copy selection · interrupt · clear · twice to quit"),
            ("pgup / pgdn, ctrl+end", "scroll the conversation · follow the bottom"),
            ("ctrl+t", "plan and diff panes"),
            ("ctrl+b", "sessions"),
            ("ctrl+p", "command palette"),
        ]
        lines += [f"| {k} | {v} |" for k, v in keys]
        self.conversation.markdown("**Commands and keys**\n\n| | |\n|---|---|\n" + "\n".join(lines))


def known_models() -> list[str]:
    """Model names offered by /model (any other can be typed)."""
    from codex_tui.agent.context import KNOWN_WINDOWS

    return [*KNOWN_WINDOWS, "gpt-5-codex", "gpt-5-mini"]
