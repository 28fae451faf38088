"""What a set of hook runs decided, by Claude Code's contract.

- exit 2 blocks; the reason is stderr (stdout when stderr is empty).
- exit 0 with a JSON object on stdout may decide instead: `"continue": false`
  (with `stopReason`) ends the turn; `"decision": "block"` with `reason` blocks;
  for PreToolUse `hookSpecificOutput.permissionDecision` allow | deny | ask (with
  `permissionDecisionReason`); `additionalContext` (top level or in
  `hookSpecificOutput`) is added to the model's context.
- exit 0 with plain stdout: for UserPromptSubmit and SessionStart, context for
  the model; for other events it is only kept in the session.
- any other exit code, a timeout or a hook that could not start: a warning.

Of several hooks, a block beats everything; then deny, ask, allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from codex_tui.hooks.runner import HookRun

__all__ = ["Note", "Verdict", "verdict"]

Permission = Literal["allow", "deny", "ask"]
CONTEXT_EVENTS = ("UserPromptSubmit", "SessionStart")
REASON_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class Note:
    """One line for the transcript: what a hook decided or why it failed."""

    label: str
    kind: Literal["blocked", "denied", "allowed", "asked", "stopped", "context", "warning"]
    text: str


@dataclass
class Verdict:
    block: bool = False
    reason: str = ""
    permission: Permission | None = None
    stop: bool = False
    stop_reason: str = ""
    context: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS] + "…"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def verdict(event: str, runs: list[HookRun]) -> Verdict:
    out = Verdict()
    permissions: list[tuple[Permission, str, str]] = []
    for run in runs:
        label = run.hook.label
        if run.error:
            out.notes.append(Note(label, "warning", f"could not start: {run.error}"))
            continue
        if run.timed_out:
            out.notes.append(Note(label, "warning", f"timed out after {run.hook.timeout:g} s"))
            continue
        if run.exit_code == 2:
            reason = _clip(run.stderr or run.stdout) or "blocked (no reason given)"
            out.block, out.reason = True, out.reason or reason
            out.notes.append(Note(label, "blocked", reason))
            continue
        if run.exit_code != 0:
            why = _clip(run.stderr or run.stdout).splitlines()
            out.notes.append(
                Note(label, "warning", f"exited {run.exit_code}" + (f": {why[0]}" if why else ""))
            )
            continue
        data = run.json
        if data is None:
            if event in CONTEXT_EVENTS and run.stdout.strip():
                out.context.append(_clip(run.stdout))
                out.notes.append(Note(label, "context", "added context for the model"))
            continue
        specific = data.get("hookSpecificOutput")
        specific = specific if isinstance(specific, dict) else {}
        for extra in (
            _text(data.get("additionalContext")),
            _text(specific.get("additionalContext")),
        ):
            if extra:
                out.context.append(_clip(extra))
                out.notes.append(Note(label, "context", "added context for the model"))
        if data.get("continue") is False:
            out.stop = True
            out.stop_reason = _text(data.get("stopReason")) or "a hook ended the turn"
            out.notes.append(Note(label, "stopped", out.stop_reason))
        if data.get("decision") == "block":
            reason = _clip(_text(data.get("reason"))) or "blocked (no reason given)"
            out.block, out.reason = True, out.reason or reason
            out.notes.append(Note(label, "blocked", reason))
        decision = specific.get("permissionDecision")
        if event == "PreToolUse" and decision in ("allow", "deny", "ask"):
            reason = _clip(_text(specific.get("permissionDecisionReason")))
            permissions.append((decision, reason, label))
    for wanted in ("deny", "ask", "allow"):
        chosen = [p for p in permissions if p[0] == wanted]
        if chosen:
            decision, reason, label = chosen[0]
            out.permission = decision
            kind: Literal["denied", "asked", "allowed"] = (
                "denied" if decision == "deny" else "asked" if decision == "ask" else "allowed"
            )
            out.notes.append(Note(label, kind, reason or decision))
            if decision == "deny":
                out.block = True
                out.reason = out.reason or reason or "denied by a hook"
            break
    return out
