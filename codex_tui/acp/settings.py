"""Session modes and config options a client can switch: the modes are the app's
working modes (default, auto-edit, plan; see `policy.modes`); the model and the
reasoning effort are select options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from acp.schema import (
    SessionConfigOptionBoolean,
    SessionConfigOptionSelect,
    SessionConfigSelectOption,
    SessionMode,
    SessionModeState,
)

from codex_tui.config.schema import ReasoningEffort

if TYPE_CHECKING:
    from codex_tui.config.schema import ApprovalPolicy, SandboxMode

ConfigOption = SessionConfigOptionSelect | SessionConfigOptionBoolean

MODEL = "model"
EFFORT = "reasoning_effort"
DEFAULT_EFFORT = "default"  # the option value for "the model's own default"


@dataclass(frozen=True, kw_only=True, slots=True)
class Mode:
    id: str
    name: str
    description: str


# The app's working modes (shift+tab there), under the same ids.
MODES = (
    Mode(
        id="default", name="Default", description="The approval policy and sandbox of your config"
    ),
    Mode(
        id="auto-edit",
        name="Auto-edit",
        description="Patches inside the workspace apply without asking; commands follow the policy",
    ),
    Mode(
        id="plan",
        name="Plan",
        description="Read-only: the agent explores and answers with a plan, changing nothing",
    ),
)
MODES_BY_ID = {mode.id: mode for mode in MODES}


def mode_state(current: str, policy: ApprovalPolicy, sandbox: SandboxMode) -> SessionModeState:
    """The modes, the default one described by the config's own settings."""
    modes = [
        SessionMode(
            id=m.id,
            name=m.name,
            description=f"{m.description} (approvals {policy}, sandbox {sandbox})"
            if m.id == "default"
            else m.description,
        )
        for m in MODES
    ]
    return SessionModeState(current_mode_id=current, available_modes=modes)


def known_models(current: str, listed: Sequence[str] | None) -> list[str]:
    """What the server lists, or when it cannot say the models we know of."""
    from codex_tui.agent.context import KNOWN_WINDOWS

    models = listed or sorted({*KNOWN_WINDOWS, "gpt-5-codex", "gpt-5-mini"})
    return sorted({current, *models})


def config_options(
    model: str, models: Sequence[str], effort: ReasoningEffort | None
) -> list[ConfigOption]:
    efforts = [DEFAULT_EFFORT, *get_args(ReasoningEffort)]
    return [
        SessionConfigOptionSelect(
            id=MODEL,
            name="Model",
            description="The model the next request goes to",
            category="model",
            type="select",
            current_value=model,
            options=[SessionConfigSelectOption(value=m, name=m) for m in models],
        ),
        SessionConfigOptionSelect(
            id=EFFORT,
            name="Reasoning effort",
            description="How hard the model thinks (models that reason)",
            category="thought_level",
            type="select",
            current_value=effort or DEFAULT_EFFORT,
            options=[SessionConfigSelectOption(value=e, name=e) for e in efforts],
        ),
    ]


def effort_value(value: str) -> ReasoningEffort | None:
    """The reasoning effort an option value names; ValueError for another value."""
    if value == DEFAULT_EFFORT:
        return None
    for effort in get_args(ReasoningEffort):
        if value == effort:
            result: ReasoningEffort = effort
            return result
    raise ValueError(value)
