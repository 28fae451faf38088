"""Modes and effort from the keyboard: shift+tab cycles default → auto-edit →
plan, `/mode NAME` picks one, ctrl+r ("go") leaves plan mode and asks the model
to carry out its plan; alt+← / alt+→ step the reasoning effort."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from codex_tui.config.schema import ReasoningEffort
    from codex_tui.policy import Mode
    from codex_tui.ui.app import CodexApp

__all__ = ["MODE_LABELS", "MODE_NOTES", "cycle_effort", "cycle_mode", "go", "pick_mode"]

MODE_LABELS = {
    "default": "",
    "auto-edit": "⏵⏵ auto-edit (patches in the workspace apply) · shift+tab",
    "plan": "⏸ plan mode (read-only) · shift+tab",
}
MODE_NOTES = {
    "default": "Default mode: the configured approval policy and sandbox.",
    "auto-edit": "Auto-edit mode: patches inside the workspace apply without asking;"
    " commands follow the approval policy.",
    "plan": "Plan mode: read-only sandbox, no patches; the model explores and answers with"
    " a plan. ctrl+r then carries it out.",
}
EFFORTS = ("minimal", "low", "medium", "high")


def _switch(app: CodexApp, mode: Mode) -> None:
    agent = app.session.agent
    if agent is None:
        app.conversation.note("warning", "the agent is still starting; try again in a moment")
        return
    from codex_tui.agent.modes import set_mode

    app.run_worker(set_mode(agent, mode), group="settings")


def cycle_mode(app: CodexApp) -> None:
    from codex_tui.policy import next_mode

    if app.reviewing:  # the review holds plan mode until it ends
        app.conversation.note("info", "a review is running in plan mode; switch when it ends")
        return
    _switch(app, next_mode(app.status_bar.mode))


def pick_mode(app: CodexApp, name: str) -> None:
    """`/mode [NAME]`."""
    from codex_tui.policy import MODES

    if not name:
        modes = " | ".join(MODES)
        app.conversation.note("info", f"Mode: {app.status_bar.mode} (/mode {modes}, shift+tab)")
        return
    if name not in MODES:
        app.conversation.note("warning", f"/mode: say one of {', '.join(MODES)}")
        return
    _switch(app, name)


def go(app: CodexApp) -> None:
    """ctrl+r / `/go`: out of plan mode, and the model is told to carry the plan out."""
    if app.reviewing:
        app.conversation.note("info", "a review's findings are not a plan to carry out")
        return
    if app.status_bar.mode != "plan":
        app.conversation.note("info", "ctrl+r carries out a plan made in plan mode (shift+tab)")
        return
    agent = app.session.agent
    if agent is None:
        return
    from codex_tui.agent.modes import GO_PROMPT, set_mode

    async def work() -> None:
        await set_mode(agent, "default")
        app.session.send(GO_PROMPT)

    app.run_worker(work(), group="settings")


def cycle_effort(app: CodexApp, step: int) -> None:
    """alt+→ / alt+←: the next or previous reasoning effort, for the next request."""
    config = app.config
    current = config.model_reasoning_effort
    index = EFFORTS.index(current) if current in EFFORTS else EFFORTS.index("medium")
    level = cast("ReasoningEffort", EFFORTS[max(0, min(len(EFFORTS) - 1, index + step))])
    config.model_reasoning_effort = level
    app.status_bar.effort = level
    app.status_bar.refresh_text()
    agent = app.session.agent
    if agent is not None:
        app.run_worker(agent.override(reasoning_effort=level), group="settings")
