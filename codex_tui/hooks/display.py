"""How a hook's decision reads in the transcript and on exec's stderr."""

from __future__ import annotations

HOOK_MARKS = {
    "blocked": "⛔ blocked by hook",
    "denied": "⛔ denied by hook",
    "stopped": "⏹ turn ended by hook",
    "allowed": "✓ allowed by hook",
    "asked": "? approval asked for by hook",
    "context": "+ context from hook",
    "warning": "⚠ hook",
}


def hook_line(kind: str, event: str, label: str, text: str) -> tuple[str, str]:
    """(notice kind, message) for what a hook decided: "⛔ blocked by hook guard.py: …"."""
    mark = HOOK_MARKS.get(kind, "hook")
    where = f" ({event})" if kind in ("warning", "context") else ""
    line = f"{mark} `{label}`{where}" + (f": {text}" if text and kind != "context" else "")
    return ("warning" if kind == "warning" else "hook"), line
