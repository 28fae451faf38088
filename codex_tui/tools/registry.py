"""The tools the model sees: one spec per tool, schemas for both wires, and
argument checking that turns bad calls into messages the model can act on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]
    # Read-only tools may run concurrently; the others run one at a time, in order.
    read_only: bool


class ToolArgumentError(Exception):
    """The model's arguments do not fit the tool; the message goes back to it."""


def obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}

SHELL = ToolSpec(
    "shell",
    "Run a command and get its exit code and output. `command` is an argv array; use"
    ' ["bash", "-lc", "..."] for shell syntax. Runs in the sandbox; set'
    " with_escalated_permissions and a one-sentence justification to ask the person"
    " to run it without the sandbox.",
    obj(
        {
            "command": {"type": "array", "items": STR, "description": "argv"},
            "workdir": {**STR, "description": "working directory (default: workspace)"},
            "timeout_ms": {**INT, "description": "kill the command after this long"},
            "with_escalated_permissions": BOOL,
            "justification": STR,
        },
        ["command"],
    ),
    read_only=False,
)

APPLY_PATCH = ToolSpec(
    "apply_patch",
    "Edit files with a patch: *** Begin Patch, then *** Add File: / *** Delete File: /"
    " *** Update File: (optionally *** Move to:) sections with @@ context headers and"
    " ' ', '-', '+' lines, then *** End Patch. Paths are relative to the workspace.",
    obj({"input": {**STR, "description": "the whole patch text"}}, ["input"]),
    read_only=False,
)

UPDATE_PLAN = ToolSpec(
    "update_plan",
    "Record the plan for this task as a short checklist; keep at most one step"
    " in_progress and update it as you go.",
    obj(
        {
            "explanation": STR,
            "plan": {
                "type": "array",
                "items": obj(
                    {
                        "step": STR,
                        "status": {
                            "type": "string",
                            "enum": ["pending", "in_progress", "completed"],
                        },
                    },
                    ["step", "status"],
                ),
            },
        },
        ["plan"],
    ),
    read_only=True,
)

READ_FILE = ToolSpec(
    "read_file",
    "Read a text file in the workspace as numbered lines, a page at a time.",
    obj(
        {
            "path": STR,
            "start_line": {**INT, "description": "first line, 1-based (default 1)"},
            "end_line": {**INT, "description": "last line, inclusive"},
        },
        ["path"],
    ),
    read_only=True,
)

SEARCH_FILES = ToolSpec(
    "search_files",
    "Search file contents in the workspace for a regular expression (ripgrep syntax);"
    " results are file:line:text, capped.",
    obj(
        {
            "pattern": STR,
            "path": {**STR, "description": "directory or file to search (default: workspace)"},
            "context": {**INT, "description": "lines of context around each match"},
        },
        ["pattern"],
    ),
    read_only=True,
)

GIT_STATUS = ToolSpec(
    "git_status", "Show the branch and changed files (git status).", obj({}, []), read_only=True
)

GIT_DIFF = ToolSpec(
    "git_diff",
    "Show uncommitted changes (git diff), optionally for one path or the staged ones.",
    obj({"path": STR, "staged": BOOL}, []),
    read_only=True,
)

VIEW_IMAGE = ToolSpec(
    "view_image",
    "Look at an image file in the workspace (PNG, JPEG, GIF, WebP; others are converted):"
    " it is attached to the conversation so you can see it.",
    obj({"path": STR}, ["path"]),
    read_only=True,
)

EXEC_COMMAND = ToolSpec(
    "exec_command",
    "Start a long-running or interactive command (a dev server, a watcher, a REPL) in"
    " the sandbox, under the same approval as shell. Waits up to yield_time_ms: if it"
    " ended by then you get its exit code and output, as from shell; if it still runs"
    " you get a session_id and the output so far; read more, or type into it, with"
    " write_stdin. Use shell for commands that finish on their own.",
    obj(
        {
            "cmd": {
                "description": "a shell command line (run with bash -lc), or an argv array",
                "anyOf": [STR, {"type": "array", "items": STR}],
            },
            "workdir": {**STR, "description": "working directory (default: workspace)"},
            "yield_time_ms": {**INT, "description": "how long to wait first (default 10000)"},
            "max_output_tokens": {**INT, "description": "cap on the output returned"},
            "tty": {**BOOL, "description": "a pseudo-terminal (REPLs, ctrl-c as \\u0003)"},
            "with_escalated_permissions": BOOL,
            "justification": STR,
        },
        ["cmd"],
    ),
    read_only=False,
)

WRITE_STDIN = ToolSpec(
    "write_stdin",
    "Type into a background terminal started by exec_command (chars may be empty just"
    " to read), wait up to yield_time_ms, and get the output printed since the last read"
    " and whether it has exited. In tty mode \\u0003 is ctrl-c.",
    obj(
        {
            "session_id": INT,
            "chars": {**STR, "description": "text to send (default: none, just read)"},
            "yield_time_ms": {**INT, "description": "how long to wait (default 1000)"},
            "max_output_tokens": {**INT, "description": "cap on the output returned"},
        },
        ["session_id"],
    ),
    read_only=False,
)

TOOLS: dict[str, ToolSpec] = {
    t.name: t
    for t in (
        SHELL,
        EXEC_COMMAND,
        WRITE_STDIN,
        APPLY_PATCH,
        UPDATE_PLAN,
        READ_FILE,
        SEARCH_FILES,
        GIT_STATUS,
        GIT_DIFF,
        VIEW_IMAGE,
    )
}


def responses_tools(extra: Mapping[str, ToolSpec] | None = None) -> list[dict[str, Any]]:
    """Function tool definitions in the Responses API's shape; `extra` are the
    tools of MCP servers (their names never collide: they start with `mcp__`)."""
    specs = [*TOOLS.values(), *(extra or {}).values()]
    return [
        {
            "type": "function",
            "name": t.name,
            "description": t.description,
            "parameters": t.parameters,
            "strict": False,
        }
        for t in specs
    ]


def manifest() -> str:
    """`codex-tui tools --json`: the tool definitions the model is given."""
    return json.dumps(responses_tools(), indent=2)


def parse_arguments(spec: ToolSpec, raw: str | dict[str, Any]) -> dict[str, Any]:
    """Decode and check a call's arguments against the tool's schema."""
    if isinstance(raw, dict):
        args = raw
    else:
        try:
            args = json.loads(raw or "{}")
        except json.JSONDecodeError as exc:
            raise ToolArgumentError(f"arguments are not valid JSON ({exc.msg})") from None
        except ValueError:  # an integer of thousands of digits
            raise ToolArgumentError("arguments hold a number too long to read") from None
        except RecursionError:
            raise ToolArgumentError("arguments are nested too deeply to read") from None
    if not isinstance(args, dict):
        raise ToolArgumentError("arguments must be a JSON object")
    check_value(args, spec.parameters, "")
    return args


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolCall:
    """One call the model made, its arguments decoded and checked once: the turn
    loop, the response checker and the runner all read this."""

    call_id: str
    name: str
    # Checked against the tool's schema; empty when `error` is set.
    args: dict[str, Any] = field(default_factory=dict)
    # Why the call cannot run (unknown tool, bad arguments): the model is told.
    error: str | None = None

    @property
    def spec(self) -> ToolSpec | None:
        return TOOLS.get(self.name)

    @property
    def read_only(self) -> bool:
        spec = self.spec
        return spec is not None and spec.read_only and self.error is None


def parse_call(
    call_id: str, name: str, arguments: str, extra: Mapping[str, ToolSpec] | None = None
) -> ToolCall:
    """The model's call as a ToolCall; a bad call carries its error instead."""
    spec = TOOLS.get(name) or (extra or {}).get(name)
    if spec is None:
        known = [*TOOLS, *(extra or {})]
        shown = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
        error = f"unknown tool `{name}`; available: {shown}"
        return ToolCall(call_id=call_id, name=name, error=error)
    try:
        args = parse_arguments(spec, arguments)
    except ToolArgumentError as exc:
        return ToolCall(call_id=call_id, name=name, error=str(exc))
    return ToolCall(call_id=call_id, name=name, args=args)


def check_value(value: Any, schema: dict[str, Any], where: str) -> None:
    kind = str(schema.get("type"))
    label = f"`{where}`" if where else "arguments"
    expected: type | None = {
        "string": str,
        "integer": int,
        "boolean": bool,
        "array": list,
        "object": dict,
    }.get(kind)
    ok = isinstance(value, expected) if expected else True
    if kind == "integer" and isinstance(value, bool):
        ok = False
    if not ok:
        raise ToolArgumentError(f"{label} must be a{'n' if kind[0] in 'aeiou' else ''} {kind}")
    if "enum" in schema and value not in schema["enum"]:
        raise ToolArgumentError(f"{label} must be one of {', '.join(schema['enum'])}")
    if kind == "object":
        for name in schema.get("required", []):
            if name not in value:
                raise ToolArgumentError(f"`{prefix(where, name)}` is required")
        props = schema.get("properties", {})
        for name, item in value.items():
            if name not in props:
                if schema.get("additionalProperties") is False:
                    raise ToolArgumentError(f"unknown argument `{prefix(where, name)}`")
                continue
            if item is None and name not in schema.get("required", []):
                continue
            check_value(item, props[name], prefix(where, name))
    elif kind == "array":
        for i, item in enumerate(value):
            check_value(item, schema.get("items", {}), f"{where}[{i}]")


def prefix(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
