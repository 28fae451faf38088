"""The right column's plan pane and the status bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from codex_tui.ui import cells
from codex_tui.ui.cells import format_duration, plan_text

if TYPE_CHECKING:  # the agent's modules load after the first frame
    from codex_tui.agent import events as ev
    from codex_tui.policy import Mode
    from codex_tui.tools.plan import PlanStep


class PlanPane(VerticalScroll):
    """The live checklist from `update_plan`, updated in place; ←/→ page through
    earlier plans of the session."""

    can_focus = True
    BINDINGS = [
        Binding("left", "older", "Earlier plan", show=False),
        Binding("right", "newer", "Later plan", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plans: list[tuple[str | None, tuple[PlanStep, ...]]] = []
        self.index = -1
        self.body = Static("No plan yet. The model shows one here for multi-step work.")
        self.border_title = "Plan"

    def compose(self):
        yield self.body

    def update_plan(self, explanation: str | None, plan: Sequence[PlanStep]) -> None:
        """A new plan replaces the shown one when it continues it (same steps);
        otherwise it starts a new page."""
        entry = (explanation, tuple(plan))
        steps = [s.step for s in plan]
        if self.plans and [s.step for s in self.plans[-1][1]] == steps:
            self.plans[-1] = entry
        else:
            self.plans.append(entry)
        self.index = len(self.plans) - 1
        self._show()

    def reset(self) -> None:
        self.plans.clear()
        self.index = -1
        self.body.update("No plan yet. The model shows one here for multi-step work.")
        self.border_title = "Plan"

    def action_older(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._show()

    def action_newer(self) -> None:
        if 0 <= self.index < len(self.plans) - 1:
            self.index += 1
            self._show()

    def _show(self) -> None:
        explanation, plan = self.plans[self.index]
        self.body.update(plan_text(explanation, plan, heading=False))
        done = sum(1 for s in plan if s.status == "completed")
        title = f"Plan {done}/{len(plan)}"
        if len(self.plans) > 1:
            title += f" · {self.index + 1} of {len(self.plans)} (←/→)"
        self.border_title = title


class StatusBar(Static):
    """model · provider · policy · sandbox · branch · context left · tokens, and
    "Working 12s · esc to interrupt" while a turn runs."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = ""
        self.provider = ""
        self.policy = ""
        self.sandbox = ""
        self.sandbox_enforced = True
        self.branch: str | None = None
        self.percent_left: int | None = None
        self.tokens = 0
        self.estimated = False  # the server reports no usage: our own estimate
        self.working_since: float | None = None
        self.note = ""
        self.queued = 0
        self.waiting = False
        self.terminals = 0  # background terminals running
        self.effort: str | None = None  # the reasoning effort, when one is set
        self.mode: Mode = "default"  # the working mode (shift+tab)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.refresh_text()

    def _tick(self) -> None:
        if self.working_since is not None:
            self.refresh_text()

    def configure(self, model: str, provider: str, policy: str, sandbox: str) -> None:
        self.model, self.provider, self.policy, self.sandbox = model, provider, policy, sandbox
        self.refresh_text()

    def set_tokens(self, event: ev.TokenCount) -> None:
        self.tokens = event.total.total_tokens
        self.percent_left = event.percent_left
        self.estimated = event.estimated
        self.refresh_text()

    def set_working(self, working: bool) -> None:
        self.working_since = cells.clock() if working else None
        self.refresh_text()

    def set_waiting(self, waiting: bool) -> None:
        """An approval dialog is open: the turn waits for the person, not the model."""
        self.waiting = waiting
        self.refresh_text()

    def on_resize(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.working_since is not None and self.waiting:
            line.append("Waiting for your approval", "bold")
            line.append("  │  ", "dim")
        elif self.working_since is not None:
            elapsed = format_duration(cells.clock() - self.working_since)
            line.append(f"Working {elapsed}", "bold")
            line.append(" · esc to interrupt", "dim")
            if self.queued:
                line.append(f" · {self.queued} queued", "bold")
            line.append("  │  ", "dim")
        elif self.note:
            line.append(self.note, "bold")
            line.append("  │  ", "dim")
        about = "~" if self.estimated else ""
        # (text, style, priority): when the bar is too narrow, the lowest go first.
        parts: list[tuple[str, str, int]] = []
        if self.mode != "default":
            from codex_tui.ui.modes_ui import MODE_LABELS

            parts.append((MODE_LABELS[self.mode], "bold yellow", 10))
        parts.append((self.model, "bold", 9))
        if self.terminals:
            count = self.terminals
            parts.append((f"⧗ {count} background terminal{'s' if count != 1 else ''}", "bold", 8))
        parts.append((self.provider, "", 1))
        if self.effort:
            parts.append((f"effort: {self.effort}", "", 6))
        parts.append((f"approval: {self.policy}", "", 5))
        if self.sandbox_enforced:
            parts.append((f"sandbox: {self.sandbox}", "", 4))
        else:
            parts.append((f"⚠ sandbox: {self.sandbox} (not enforced)", "bold red", 8))
        if self.branch:
            parts.append((f"⎇ {self.branch}", "", 2))
        if self.percent_left is not None:
            parts.append((f"{about}{self.percent_left}% context left", "", 7))
        if self.estimated:
            parts.append(("tokens unknown", "dim", 3))
        elif self.tokens:
            parts.append((f"{self.tokens:,} tokens", "dim", 3))
        shown = [p for p in parts if p[0]]
        room = (self.content_size.width or 10_000) - line.cell_len
        while len(shown) > 1 and sum(len(t) + 3 for t, _, _ in shown) - 3 > room:
            shown.remove(min(shown, key=lambda p: p[2]))
        for index, (text, style, _) in enumerate(shown):
            if index:
                line.append(" · ", "dim")
            line.append(text, style)
        self.update(line, layout=False)  # one line, always (#status): no layout for a tick
