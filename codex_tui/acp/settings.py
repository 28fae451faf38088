"""Session modes and config options a client can switch: modes are approval and
sandbox presets (the config's own settings are the default mode); the model and
the reasoning effort are select options."""

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
    # None: as the config sets it.
    approval_policy: ApprovalPolicy | None = None
    sandbox_mode: SandboxMode | None = None


MODES = (
    Mode(
        id="default", name="Default", description="The approval policy and sandbox of your config"
    ),
    Mode(
        id="read-only",
        name="Read only",
        description="Reads and answers; asks before changing anything",
        approval_policy="on-request",
        sandbox_mode="read-only",
    ),
    Mode(
        id="auto",
        name="Auto",
        description="Edits and runs commands inside the workspace; asks before going further",
        approval_policy="on-request",
        sandbox_mode="workspace-write",
    ),
    Mode(
        id="full-access",
        name="Full access",
        description="No sandbox and no questions: edits and runs anything",
        approval_policy="never",
        sandbox_mode="danger-full-access",
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
