"""Model history read back from a session file: items made fit to send again
(Codex CLI's item kinds mapped to ours), calls left without an output closed,
and the tool cells of Codex CLI sessions rebuilt from their call items."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from codex_tui.agent import events as ev
from codex_tui.agent.context import SUMMARY_PREFIX, is_user_request, message_text, user_message
from codex_tui.tools.plan import PlanStep

UNANSWERED_OUTPUT = "aborted: the session ended before this call finished"
SHELL_TOOLS = {"shell", "container.exec", "local_shell", "shell_command", "exec_command"}
PLAN_STATUSES = {"pending", "in_progress", "completed"}
# Messages Codex CLI and we put at the head of history (not the person's words).
CONTEXT_PREFIXES = ("<user_instructions>", "<environment_context>", "# AGENTS.md instructions")


def output_text(output: Any) -> str:
    """A function_call_output's `output` as text (Codex may store content parts)."""
    if isinstance(output, str):
        return output
    if isinstance(output, dict):
        if "content" in output:
            return output_text(output["content"])
        return json.dumps(output)
    if isinstance(output, list):
        return "".join(p.get("text", "") for p in output if isinstance(p, dict))
    return "" if output is None else str(output)


def normalize_item(item: dict[str, Any], source: str) -> dict[str, Any] | None:
    """The item as our model wires send it, or None when it cannot be sent."""
    kind = item.get("type", "message")
    if kind == "message":
        if item.get("role") not in ("user", "assistant"):
            return None  # developer / system messages belong to their own tool
        return item
    if kind == "reasoning":
        # Codex CLI's encrypted reasoning only decrypts for the account that made it.
        return item if source == "codex-tui" else None
    if kind == "function_call":
        if "call_id" not in item or "name" not in item:
            return None
        return item
    if kind == "function_call_output":
        if "call_id" not in item:
            return None
        output = item.get("output")
        if isinstance(output, str):
            return item
        return {
            "type": "function_call_output",
            "call_id": item["call_id"],
            "output": output_text(output),
        }
    if kind == "custom_tool_call" and "call_id" in item:
        return {
            "type": "function_call",
            "call_id": item["call_id"],
            "name": item.get("name", "custom_tool"),
            "arguments": json.dumps({"input": item.get("input", "")}),
        }
    if kind == "custom_tool_call_output" and "call_id" in item:
        return {
            "type": "function_call_output",
            "call_id": item["call_id"],
            "output": output_text(item.get("output")),
        }
    if kind == "local_shell_call":
        action = item.get("action") or {}
        call_id = item.get("call_id") or item.get("id")
        if not call_id or not isinstance(action.get("command"), list):
            return None
        arguments = {"command": action["command"]}
        if action.get("working_directory"):
            arguments["workdir"] = action["working_directory"]
        return {
            "type": "function_call",
            "call_id": call_id,
            "name": "shell",
            "arguments": json.dumps(arguments),
        }
    return None


def close_unanswered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every call gets exactly one output (a killed process leaves calls open),
    and outputs whose call is gone are dropped: the next request must be valid."""
    calls = {i["call_id"] for i in items if i.get("type") == "function_call"}
    answered = {i["call_id"] for i in items if i.get("type") == "function_call_output"}
    out: list[dict[str, Any]] = []
    seen_outputs: set[str] = set()
    for item in items:
        kind = item.get("type")
        if kind == "function_call_output":
            call_id = item["call_id"]
            if call_id not in calls or call_id in seen_outputs:
                continue
            seen_outputs.add(call_id)
        out.append(item)
        if kind == "function_call" and item["call_id"] not in answered:
            out.append(
                {
                    "type": "function_call_output",
                    "call_id": item["call_id"],
                    "output": UNANSWERED_OUTPUT,
                }
            )
            answered.add(item["call_id"])
    return out


def is_context_item(item: dict[str, Any]) -> bool:
    if item.get("type", "message") != "message" or item.get("role") != "user":
        return False
    return message_text(item).lstrip().startswith(CONTEXT_PREFIXES)


def without_context(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History minus the AGENTS.md / environment messages (to put fresh ones first)."""
    return [i for i in items if not is_context_item(i)]


def compacted_history(items: list[dict[str, Any]], summary: str) -> list[dict[str, Any]]:
    """What a `compacted` line without replacement history stands for: the context
    messages, the person's recent requests, then the summary."""
    from codex_tui.agent.context import Conversation

    prefix = [i for i in items if is_context_item(i)]
    requests = [i for i in items if is_user_request(i) and not is_context_item(i)]
    conversation = Conversation("", None, None, items=requests)
    conversation.compact(summary, prefix)
    return conversation.items


def summary_message(summary: str) -> dict[str, Any]:
    return user_message(SUMMARY_PREFIX + summary)


# --- tool cells of Codex CLI sessions, from their call items ------------------------------

_EXIT_RE = re.compile(r"^Exit code: (-?\d+)", re.MULTILINE)
_WALL_RE = re.compile(r"^Wall time: ([\d.]+) seconds", re.MULTILINE)
_OUTPUT_RE = re.compile(r"^Output:\n", re.MULTILINE)


def parse_exec_output(text: str) -> tuple[str, int | None, float]:
    """(output, exit code, seconds) from the ways Codex CLI words a command result."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and "output" in data:
        meta = data.get("metadata") or {}
        code = meta.get("exit_code")
        return (
            str(data["output"]),
            code if isinstance(code, int) else None,
            float(meta.get("duration_seconds") or 0.0),
        )
    code_match = _EXIT_RE.search(text)
    body_match = _OUTPUT_RE.search(text)
    if code_match and body_match:
        wall = _WALL_RE.search(text)
        return (
            text[body_match.end() :],
            int(code_match.group(1)),
            float(wall.group(1) if wall else 0),
        )
    return text, None, 0.0


def call_arguments(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("type") == "custom_tool_call":
        return {"input": item.get("input", "")}
    if item.get("type") == "local_shell_call":
        return {"command": (item.get("action") or {}).get("command") or []}
    raw = item.get("arguments", "{}")
    try:
        args = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return args if isinstance(args, dict) else {}


def command_argv(args: dict[str, Any]) -> tuple[str, ...]:
    command = args.get("command", args.get("cmd"))
    if isinstance(command, list):
        return tuple(str(c) for c in command)
    if isinstance(command, str):
        try:
            return tuple(shlex.split(command))
        except ValueError:
            return (command,)
    return ()


def patch_changes(patch: str) -> tuple[ev.ChangedFile, ...]:
    """Files and +/- counts from an apply_patch text (headers and line marks only)."""
    changes: list[ev.ChangedFile] = []
    current: dict[str, Any] | None = None
    for line in patch.splitlines():
        header = _patch_header(line)
        if header is not None:
            if current:
                changes.append(ev.ChangedFile(**current))
            kind, path = header
            current = {"path": path, "kind": kind, "added": 0, "removed": 0}
        elif current is not None and line.startswith("*** Move to:"):
            current["kind"] = "move"
            current["move_path"] = line[len("*** Move to:") :].strip()
        elif current is not None and line.startswith("+"):
            current["added"] += 1
        elif current is not None and line.startswith("-"):
            current["removed"] += 1
    if current:
        changes.append(ev.ChangedFile(**current))
    return tuple(changes)


def _patch_header(line: str) -> tuple[str, str] | None:
    for marker, kind in (
        ("*** Add File:", "add"),
        ("*** Delete File:", "delete"),
        ("*** Update File:", "update"),
    ):
        if line.startswith(marker):
            return kind, line[len(marker) :].strip()
    return None


def tool_events(call: dict[str, Any], output: str, default_cwd: Path) -> list[ev.Event]:
    """The transcript events for one Codex CLI call and its output."""
    call_id = call.get("call_id") or call.get("id") or ""
    name = call.get("name") or ("shell" if call.get("type") == "local_shell_call" else "")
    args = call_arguments(call)
    argv = command_argv(args)
    patch = None
    if name == "apply_patch":
        patch = str(args.get("input", ""))
    elif name in SHELL_TOOLS and len(argv) >= 2 and argv[0] in ("apply_patch", "applypatch"):
        patch = argv[1]
    if patch is not None:
        text, code, _ = parse_exec_output(output)
        success = code == 0 if code is not None else text.lower().startswith("success")
        changes = patch_changes(patch)
        status = "completed" if success else "failed"
        return [
            ev.PatchBegin(call_id=call_id, changes=changes, diff=patch),
            ev.PatchEnd(
                call_id=call_id, changes=changes, success=success, output=text, status=status
            ),
        ]
    if name in SHELL_TOOLS or call.get("type") == "local_shell_call":
        text, code, seconds = parse_exec_output(output)
        status = "completed" if code in (0, None) else "failed"
        workdir = args.get("workdir")
        cwd = Path(workdir) if isinstance(workdir, str) and workdir else default_cwd
        return [
            ev.ExecBegin(call_id=call_id, command=argv, cwd=cwd, sandboxed=True),
            ev.ExecEnd(
                call_id=call_id,
                command=argv,
                exit_code=code,
                output=text,
                duration_s=seconds,
                status=status,
            ),
        ]
    if name == "update_plan":
        return [plan_event(args)]
    return [ev.ToolCallEnd(call_id=call_id, name=name, arguments=args, output=output, success=True)]


def plan_event(args: dict[str, Any]) -> ev.PlanUpdated:
    steps = []
    for raw in args.get("plan") or []:
        if isinstance(raw, dict):
            status = raw.get("status")
            steps.append(
                PlanStep(str(raw.get("step", "")), status if status in PLAN_STATUSES else "pending")
            )
    explanation = args.get("explanation")
    return ev.PlanUpdated(
        explanation=explanation if isinstance(explanation, str) else None, plan=tuple(steps)
    )
