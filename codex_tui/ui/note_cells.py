"""The short cells around a turn: notices (warnings, errors, retries, "Compacting…"),
the mark under an answer that was cut off, plan updates and the end-of-turn
divider. Notices can be rewritten in place, so a line that reports progress
("Reconnecting 2/5", "Compacting…") turns into its outcome instead of piling up."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from codex_tui.ui.cells import Cell, Factory, inline_markdown, plan_text

if TYPE_CHECKING:  # the agent's modules load after the first frame
    from codex_tui.agent.events import Compacted, CutOffReason
    from codex_tui.tools.plan import PlanStep

PREFIXES = {"warning": "⚠ ", "error": "✗ ", "retry": "↻ ", "info": "", "hook": ""}

CUT_OFF = {
    "interrupted": "interrupted",
    "failed": "the request failed",
    "dropped": "the connection dropped (the request was sent again)",
}
MARKS = {"completed": ("✔ ", "green"), "in_progress": ("▶ ", "bold"), "pending": ("□ ", "")}


class NoticeCell(Cell):
    """A warning, an error, a retry or an informational note."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(classes=f"notice-cell -{kind}")
        self.kind = kind
        self.message = message
        self.body = Static(self.line())

    def compose(self):
        yield self.body

    def line(self) -> Text:
        return Text(PREFIXES.get(self.kind, "")) + inline_markdown(self.message)

    def set_message(self, kind: str, message: str) -> None:
        """Say something else in the same place (progress turning into its outcome)."""
        self.remove_class(f"-{self.kind}")
        self.add_class(f"-{kind}")
        self.kind, self.message = kind, message
        self.body.update(self.line())

    def rebuild(self) -> Factory:
        return partial(NoticeCell, self.kind, self.message)


class CutOffNote(NoticeCell):
    """Under an answer whose stream stopped before it was complete: why."""

    DEFAULT_CSS = """
    CutOffNote { color: $warning; text-style: italic; }
    """

    def __init__(self, reason: CutOffReason) -> None:
        super().__init__("cut-off", f"✂ cut off: {CUT_OFF.get(reason, reason)}")
        self.reason = reason

    def rebuild(self) -> Factory:
        return partial(CutOffNote, self.reason)


def compacted_line(event: Compacted) -> str:
    """ "Compacted: 182,000 → ~6,400 tokens": the context before (the summary
    request's input) and after (estimated: no request has used the new history yet)."""
    how = " automatically" if event.automatic else ""
    if not (event.tokens_before or event.tokens_after):  # a file from before the figures
        return f"The conversation was compacted{how or ' on request'}; the model keeps a summary."
    return f"Compacted{how}: {event.tokens_before:,} → ~{event.tokens_after:,} tokens"


def same_steps(before: Sequence[PlanStep], plan: Sequence[PlanStep]) -> bool:
    """`plan` continues `before`: the same steps, perhaps in other states."""
    return [s.step for s in before] == [s.step for s in plan]


def plan_changes(before: Sequence[PlanStep], plan: Sequence[PlanStep]) -> Text:
    """One line for an update of the same plan: its progress and the steps whose
    state changed, e.g. "Plan 2/3 · ✔ Read greet.py → ▶ Add the option"."""
    done = sum(1 for s in plan if s.status == "completed")
    text = Text(f"Plan {done}/{len(plan)}", "bold")
    text.append(" · ", "dim")
    changed = [new for old, new in zip(before, plan, strict=True) if old.status != new.status]
    for index, step in enumerate(changed):
        if index:
            text.append(" → ", "dim")
        mark, style = MARKS.get(step.status, MARKS["pending"])
        text.append(mark, style)
        text.append(step.step)
    return text


class PlanCell(Cell):
    """A plan update: the whole checklist when it is a new plan, one line of what
    changed when it continues the last one (the plan pane keeps the whole of it)."""

    DEFAULT_CSS = """
    PlanCell.plan-update { padding: 0 1 0 2; }
    """

    def __init__(
        self,
        explanation: str | None,
        plan: Sequence[PlanStep],
        before: Sequence[PlanStep] | None = None,
    ) -> None:
        # The whole plan is drawn as a block (app.tcss); an update is one plain line.
        super().__init__(classes="plan-cell" if before is None else "plan-update")
        self.explanation = explanation
        self.plan = tuple(plan)
        self.before = tuple(before) if before is not None else None

    @classmethod
    def update(
        cls, explanation: str | None, plan: Sequence[PlanStep], before: Sequence[PlanStep] | None
    ) -> PlanCell | None:
        """The cell for `plan` after `before` (the last plan shown); None when no
        step changed state (nothing to say in the conversation)."""
        if before is None or not same_steps(before, plan):
            return cls(explanation, plan)
        if all(old.status == new.status for old, new in zip(before, plan, strict=True)):
            return None
        return cls(explanation, plan, before)

    def compose(self):
        if self.before is None:
            yield Static(plan_text(self.explanation, self.plan))
        else:
            yield Static(plan_changes(self.before, self.plan))

    def rebuild(self) -> Factory:
        return partial(PlanCell, self.explanation, self.plan, self.before)


class SeparatorCell(Cell):
    """The end of a turn, with how long it took."""

    def __init__(self, label: str) -> None:
        super().__init__(classes="separator-cell")
        self.label = label

    def compose(self):
        yield Static(Text(f"── {self.label} ──"))

    def rebuild(self) -> Factory:
        return partial(SeparatorCell, self.label)


class WebSearchCell(Cell):
    """`searched: QUERY` and the pages the server's web search read, as links
    (the query and the addresses are the server's: plain text, never markup)."""

    DEFAULT_CSS = (
        "WebSearchCell { padding: 0 0 0 0; } WebSearchCell > .sources { color: $text-muted; }"
    )
    SHOWN = 8

    def __init__(self, query: str, sources: Sequence[str], status: str) -> None:
        super().__init__(classes="web-search-cell")
        # (`query` would shadow Widget.query.)
        self.searched, self.sources, self.status = query, tuple(sources), status

    def compose(self):
        from rich.style import Style

        mark = "•" if self.status == "completed" else "✗"
        head = Text(f"{mark} searched: ", style="bold")
        head.append(self.searched or "(no query given)")
        yield Static(head)
        if self.sources:
            lines = Text()
            for url in self.sources[: self.SHOWN]:
                lines.append("  ")
                lines.append(url, Style(link=url, underline=True))
                lines.append("\n")
            more = len(self.sources) - self.SHOWN
            if more > 0:
                lines.append(f"  … and {more} more\n")
            lines.rstrip()
            yield Static(lines, classes="sources")

    def rebuild(self) -> Factory:
        return partial(WebSearchCell, self.searched, self.sources, self.status)
