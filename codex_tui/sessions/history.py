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
from codex_tui.agent.context import is_user_request
from codex_tui.agent.items import (
    HistoryItem,
    call_output,
    history_item,
    is_call,
    is_output,
    message_text,
)
from codex_tui.sessions.event_codec import ReadState, decode, plan_event

UNANSWERED_OUTPUT = "aborted: the session ended before this call finished"
SHELL_TOOLS = {"shell", "container.exec", "local_shell", "shell_command", "exec_command"}
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


def normalize_item(raw: dict[str, Any], source: str) -> HistoryItem | None:
    """A session file's item as our model wires send it (Codex CLI's own kinds
    mapped to ours), or None when it cannot be sent again."""
    kind = raw.get("type", "message")
    if kind == "message" and raw.get("role") not in ("user", "assistant"):
        return None  # developer / system messages belong to their own tool
    if kind == "reasoning" and source != "codex-tui":
        # Codex CLI's encrypted reasoning only decrypts for the account that made it.
        return None
    if kind == "function_call_output" and "call_id" in raw:
        raw = {**raw, "output": output_text(raw.get("output"))}
    elif kind == "custom_tool_call" and "call_id" in raw:
        raw = {
            "type": "function_call",
            "call_id": raw["call_id"],
            "name": raw.get("name", "custom_tool"),
            "arguments": json.dumps({"input": raw.get("input", "")}),
        }
    elif kind == "custom_tool_call_output" and "call_id" in raw:
        raw = {
            "type": "function_call_output",
            "call_id": raw["call_id"],
            "output": output_text(raw.get("output")),
        }
    elif kind == "local_shell_call":
        raw = _local_shell_call(raw)
    return history_item(raw)


def _local_shell_call(raw: dict[str, Any]) -> dict[str, Any]:
    action = raw.get("action")
    action = action if isinstance(action, dict) else {}
    command = action.get("command")
    arguments: dict[str, Any] = {"command": command}
    if action.get("working_directory"):
        arguments["workdir"] = action["working_directory"]
    return {
        "type": "function_call" if isinstance(command, list) else "unusable",
        "call_id": raw.get("call_id") or raw.get("id"),
        "name": "shell",
        "arguments": json.dumps(arguments),
    }


def close_unanswered(items: list[HistoryItem]) -> list[HistoryItem]:
    """Every call gets exactly one output (a killed process leaves calls open),
    and outputs whose call is gone are dropped: the next request must be valid."""
    calls = {i["call_id"] for i in items if is_call(i)}
    answered = {i["call_id"] for i in items if is_output(i)}
    out: list[HistoryItem] = []
    seen_outputs: set[str] = set()
    for item in items:
        if is_output(item):
            if item["call_id"] not in calls or item["call_id"] in seen_outputs:
                continue
            seen_outputs.add(item["call_id"])
        out.append(item)
        if is_call(item) and item["call_id"] not in answered:
            out.append(call_output(item["call_id"], UNANSWERED_OUTPUT))
            answered.add(item["call_id"])
    return out


def is_context_item(item: HistoryItem) -> bool:
    if item["type"] != "message" or item["role"] != "user":
        return False
    return message_text(item).lstrip().startswith(CONTEXT_PREFIXES)


def without_context(items: list[HistoryItem]) -> list[HistoryItem]:
    """History minus the AGENTS.md / environment messages (to put fresh ones first)."""
    return [i for i in items if not is_context_item(i)]


def compacted_history(items: list[HistoryItem], summary: str) -> list[HistoryItem]:
    """What a `compacted` line without replacement history stands for: the context
    messages, the person's recent requests, then the summary."""
    from codex_tui.agent.context import Conversation

    prefix = [i for i in items if is_context_item(i)]
    requests: list[HistoryItem] = [
        i for i in items if is_user_request(i) and not is_context_item(i)
    ]
    conversation = Conversation("", None, None, items=requests)
    conversation.compact(summary, prefix)
    return conversation.items


# --- tool cells of Codex CLI sessions, from their call items ------------------------------

_EXIT_RE = re.compile(r"^Exit code: (-?\d+)", re.MULTILINE)
_WALL_RE = re.compile(r"^Wall time: ([\d.]+) seconds", re.MULTILINE)
_OUTPUT_RE = re.compile(r"^Output:\n", re.MULTILINE)


def parse_exec_output(text: str) -> tuple[str, int | None, float]:
    """(output, exit code, seconds) from the ways Codex CLI words a command result."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the C stack
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
    except (ValueError, RecursionError):
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
        status: ev.PatchStatus = "completed" if success else "failed"
        return [
            ev.PatchBegin(call_id=call_id, changes=changes, diff=patch),
            ev.PatchEnd(
                call_id=call_id, changes=changes, success=success, output=text, status=status
            ),
        ]
    if name in SHELL_TOOLS or call.get("type") == "local_shell_call":
        # Read as the exec_command_end line we would have written for it.
        text, code, seconds = parse_exec_output(output)
        ended = {
            "type": "exec_command_end",
            "call_id": call_id,
            "command": list(argv),
            "exit_code": code,
            "aggregated_output": text,
            "duration": seconds,
            "status": "completed" if code in (0, None) else "failed",
            "cwd": args.get("workdir"),
            "sandboxed": True,
        }
        return decode(ended, ReadState(cwd=str(default_cwd)))
    if name == "update_plan":
        return [plan_event(args)]
    return [ev.ToolCallEnd(call_id=call_id, name=name, arguments=args, output=output, success=True)]
