"""Working modes on top of the approval policy (shift+tab in the app).

- `default`: the configured policy and sandbox.
- `plan`: the model explores and answers with a plan. Enforced here and by the
  sandbox, not only asked for: no patch, no background terminal, no MCP tool
  that may write; commands run in a read-only sandbox and never leave it (the
  agent switches the sandbox and the policy while the mode lasts).
- `auto-edit`: a patch whose files all lie inside the workspace applies without
  asking; commands still follow the policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Literal

from codex_tui.policy.decision import Action, Decision

__all__ = ["MODES", "PLAN_REFUSAL", "Mode", "allowed_in_plan", "next_mode", "patch_in_mode"]

Mode = Literal["default", "auto-edit", "plan"]
# shift+tab walks them in this order.
MODES: tuple[Mode, ...] = ("default", "auto-edit", "plan")

PLAN_REFUSAL = (
    "Refused: plan mode is read-only. Explore with read-only tools and commands, then"
    " answer with a plan (update_plan); the person switches modes to carry it out."
)
# Tools that change something: never run in plan mode.
_WRITING = frozenset({"apply_patch", "exec_command", "write_stdin"})


def next_mode(mode: Mode) -> Mode:
    return MODES[(MODES.index(mode) + 1) % len(MODES)]


def allowed_in_plan(tool: str, *, read_only: bool) -> bool:
    """Whether plan mode offers and runs `tool` (`read_only`: an MCP tool's hint)."""
    if tool in _WRITING:
        return False
    if tool.startswith("mcp__"):
        return read_only
    return True


def patch_in_mode(
    decision: Decision, mode: Mode, paths: Iterable[PurePath], workspace: PurePath
) -> Decision:
    """The policy's decision on a patch, as the mode changes it."""
    if mode == "plan":
        return Decision(Action.REFUSE, "plan-mode", "plan mode is read-only", PLAN_REFUSAL,
                        subject="patch")  # fmt: skip
    if mode == "auto-edit" and decision.action is Action.ASK:
        inside = all(
            p.is_relative_to(workspace) and ".git" not in p.relative_to(workspace).parts
            for p in paths
        )
        if inside:
            return Decision(Action.APPLY, "auto-edit", "auto-edit mode: inside the workspace",
                            subject="patch")  # fmt: skip
    return decision
