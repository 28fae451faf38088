"""The arguments of each tool as TypedDicts: what `registry.parse_call` has checked
against the tool's JSON schema, so code reading them can rely on the types."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class ShellArgs(TypedDict):
    command: list[str]
    workdir: NotRequired[str | None]
    timeout_ms: NotRequired[int | None]
    with_escalated_permissions: NotRequired[bool | None]
    justification: NotRequired[str | None]


class ExecCommandArgs(TypedDict):
    cmd: str | list[str]
    workdir: NotRequired[str | None]
    yield_time_ms: NotRequired[int | None]
    max_output_tokens: NotRequired[int | None]
    tty: NotRequired[bool | None]
    with_escalated_permissions: NotRequired[bool | None]
    justification: NotRequired[str | None]


class WriteStdinArgs(TypedDict):
    session_id: int
    chars: NotRequired[str | None]
    yield_time_ms: NotRequired[int | None]
    max_output_tokens: NotRequired[int | None]


class ApplyPatchArgs(TypedDict):
    input: str


class PlanStepArgs(TypedDict):
    step: str
    status: Literal["pending", "in_progress", "completed"]


class UpdatePlanArgs(TypedDict):
    plan: list[PlanStepArgs]
    explanation: NotRequired[str | None]


class ReadFileArgs(TypedDict):
    path: str
    start_line: NotRequired[int | None]
    end_line: NotRequired[int | None]


class SearchFilesArgs(TypedDict):
    pattern: str
    path: NotRequired[str | None]
    context: NotRequired[int | None]


class GitDiffArgs(TypedDict):
    path: NotRequired[str | None]
    staged: NotRequired[bool | None]


class ViewImageArgs(TypedDict):
    path: str
