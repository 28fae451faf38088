"""Named points of a commit and of a recovery where a test can stop the process: in
process through `hook`, in a child with CODEX_TUI_TEST_PATCH_KILL_AT=<point>:<index>
(the process SIGKILLs itself there), e.g. `rename:1500`, `undo:3`.

Points: `journal` (written), `stage` i (before temp file i), `rename` i (before step i
is put in place), `committed` (past the commit point), `undo` i and `finish` i (before
recovery acts on step i)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

__all__ = ["KILL_AT_ENV", "checkpoint", "hook"]

KILL_AT_ENV = "CODEX_TUI_TEST_PATCH_KILL_AT"

hook: Callable[[str, int], None] | None = None

_point, _, _index = os.environ.get(KILL_AT_ENV, "").partition(":")
_KILL_AT = (_point, int(_index)) if _index.isdigit() else None


def checkpoint(point: str, index: int = 0) -> None:
    if hook is not None:
        hook(point, index)
    if (point, index) == _KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
