"""update_plan: validate the model's checklist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codex_tui.tools.arguments import UpdatePlanArgs
from codex_tui.tools.registry import ToolArgumentError

PlanStatus = Literal["pending", "in_progress", "completed"]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanStep:
    step: str
    status: PlanStatus


def parse_plan(args: UpdatePlanArgs) -> tuple[str | None, tuple[PlanStep, ...]]:
    steps = tuple(PlanStep(step=s["step"], status=s["status"]) for s in args["plan"])
    if sum(s.status == "in_progress" for s in steps) > 1:
        raise ToolArgumentError("at most one step may be in_progress")
    if any(not s.step.strip() for s in steps):
        raise ToolArgumentError("every step needs text")
    explanation = args.get("explanation") or None
    return explanation, steps
