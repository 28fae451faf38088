"""What a tool call looks like to an ACP client: its title, kind, locations and
content (command output as a code block, patches as ACP diffs)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import text_block, tool_content, tool_diff_content
from acp.schema import (
    ContentToolCallContent,
    FileEditToolCallContent,
    TerminalToolCallContent,
    ToolCallLocation,
    ToolKind,
)

from codex_tui.policy.unwrap import SHELLS, shell_script

if TYPE_CHECKING:
    from codex_tui.agent import events as ev
    from codex_tui.patch import PatchPlan

# How much of an output a tool call shows (its head and its tail).
OUTPUT_CHARS = 16_000
# A file's whole text goes into a diff up to this size; past it, only the hunks.
WHOLE_FILE_CHARS = 1_000_000

Content = ContentToolCallContent | FileEditToolCallContent | TerminalToolCallContent


def command_title(argv: Sequence[str]) -> str:
    """`ls -la` for `bash -lc "ls -la"`, the argv joined otherwise."""
    script = shell_script(list(argv), runners=SHELLS)
    return script if script is not None else shlex.join(argv)


def clip(text: str, limit: int = OUTPUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    left_out = len(text) - 2 * half
    return f"{text[:half]}\n… {left_out} characters left out …\n{text[-half:]}"


def code_block(text: str) -> ContentToolCallContent:
    """`text` in a fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = clip(text).rstrip("\n")
    return tool_content(text_block(f"{fence}\n{body}\n{fence}"))


def note(text: str) -> ContentToolCallContent:
    return tool_content(text_block(text))


def terminal_content(terminal_id: str) -> TerminalToolCallContent:
    """The editor's own terminal, shown live in the tool call."""
    return TerminalToolCallContent(type="terminal", terminal_id=terminal_id)


# --- the read-only tools (ToolCallEnd) -----------------------------------------------


def tool_kind(name: str) -> ToolKind:
    if name in ("read_file", "git_status", "git_diff", "view_image"):
        return "read"
    if name == "search_files":
        return "search"
    if name == "write_stdin":
        return "execute"
    if "fetch" in name or "web_search" in name:
        return "fetch"
    return "other"


def tool_title(name: str, args: Mapping[str, Any]) -> str:
    path = args.get("path")
    match name:
        case "read_file":
            start, end = args.get("start_line"), args.get("end_line")
            lines = f" (lines {start or 1}–{end or 'end'})" if start or end else ""
            return f"Read {path}{lines}"
        case "search_files":
            return f"Search {args.get('pattern')!r}" + (f" in {path}" if path else "")
        case "git_status":
            return "git status"
        case "git_diff":
            return " ".join(
                [
                    "git diff",
                    *(["--staged"] if args.get("staged") else []),
                    *([str(path)] if path else []),
                ]
            )
        case "view_image":
            return f"View {path}"
        case "write_stdin":
            return f"Write to terminal {args.get('session_id')}"
    return name


def tool_locations(name: str, args: Mapping[str, Any], root: Path) -> list[ToolCallLocation]:
    path = args.get("path")
    if not isinstance(path, str) or not path or name == "search_files":
        return []
    line = args.get("start_line") if name == "read_file" else None
    return [ToolCallLocation(path=str(root / path), line=line if isinstance(line, int) else None)]


# --- patches -------------------------------------------------------------------------


def patch_title(changes: Sequence[ev.ChangedFile]) -> str:
    if len(changes) != 1:
        return f"Edit {len(changes)} files"
    change = changes[0]
    verb = {"add": "Add", "delete": "Delete", "move": "Move"}.get(change.kind, "Edit")
    target = f" → {change.move_path}" if change.move_path else ""
    return f"{verb} {change.path}{target}"


def patch_locations(changes: Sequence[ev.ChangedFile], root: Path) -> list[ToolCallLocation]:
    return [ToolCallLocation(path=str(root / (c.move_path or c.path))) for c in changes]


def plan_diffs(patch: PatchPlan) -> list[Content]:
    """Each file's whole text before and after (only its hunks when it is huge)."""
    out: list[Content] = []
    for change in patch.files:
        path = change.new_abspath or change.old_abspath or patch.root / change.path
        old, new = change.old_text, change.new_text
        if max(len(old or ""), len(new or "")) > WHOLE_FILE_CHARS:
            out.extend(diff_text_diffs(change.diff, patch.root))
            continue
        out.append(file_diff(str(path), new or "", old))
    return out


def file_diff(path: str, new: str, old: str | None) -> FileEditToolCallContent:
    """An ACP diff whose `oldText` is "" for a new file rather than none, which the
    SDK would leave out of the message: Toad shows no diff (not in its permission
    prompt either) for a diff without an `oldText` key."""
    return tool_diff_content(path, new, "" if old is None else old)


def diff_text_diffs(diff: str, root: Path) -> list[Content]:
    """ACP diffs from unified diff text (what PatchBegin and a session file hold):
    the hunks' lines on each side, without the rest of the file. Text that does
    not parse is shown as it is."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    try:
        files = PatchSet(diff)
    except UnidiffParseError:
        return [code_block(diff)] if diff.strip() else []
    out: list[Content] = []
    for patched in files:
        old: list[str] = []
        new: list[str] = []
        for number, hunk in enumerate(patched):
            if number:  # hunks apart: a marker line on both sides
                old.append("⋯\n")
                new.append("⋯\n")
            for line in hunk:
                if not line.is_added:
                    old.append(line.value)
                if not line.is_removed:
                    new.append(line.value)
        path = str(root / patched.path)
        out.append(file_diff(path, "".join(new), None if patched.is_added_file else "".join(old)))
    return out or ([code_block(diff)] if diff.strip() else [])
