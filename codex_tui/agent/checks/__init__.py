"""The response checker: flags what the model says or proposes that deserves a
second look (paths that do not exist, destructive operations, secrets).

Flags are advice, never a gate: the turn goes on, the person decides. Every
check is a regular expression or a `stat`, so it costs microseconds per reply;
the one workspace walk (to forgive a path given without its directory) happens
at most once per turn and only when a path is missing.

The turn loop uses `TurnChecks` and `grounding_text`; the finer functions are
exported for tests and for callers that check one text.
"""

from __future__ import annotations

from codex_tui.agent.checks.dangers import find_dangers
from codex_tui.agent.checks.patches import patch_flags, patch_paths
from codex_tui.agent.checks.paths import find_paths, missing_paths
from codex_tui.agent.checks.turn import TurnChecks, grounding_text

__all__ = [
    "TurnChecks",
    "find_dangers",
    "find_paths",
    "grounding_text",
    "missing_paths",
    "patch_flags",
    "patch_paths",
]
