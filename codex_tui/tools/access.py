"""Where the tools read and write file text and run commands, when not the disk
and our own processes: an editor's buffers and terminals (ACP's `fs/*` and
`terminal/*`). The tools keep every check of theirs (paths, policy, sandbox);
only the last step, the read, the write or the spawn, goes through these."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from codex_tui.sandbox import ExecResult, Sandbox


class EditorFilesError(Exception):
    """The editor could not read or write a file (its one-line reason)."""


class EditorFiles(Protocol):
    """An editor's view of files: unsaved buffers included. `path` is absolute
    and already allowed by the policy; failures raise EditorFilesError."""

    async def read_text(self, path: Path) -> str: ...

    async def write_text(self, path: Path, text: str) -> None: ...


class CommandRunner(Protocol):
    """Runs an approved command as `Sandbox.run` would (the default), somewhere
    else: the runner asks `sandbox` for the wrapped command line, so the sandbox
    applies wherever the process starts."""

    async def run(
        self,
        sandbox: Sandbox,
        argv: tuple[str, ...],
        *,
        call_id: str,
        cwd: Path,
        timeout_ms: int | None,
        sandboxed: bool,
        on_output: Callable[[bytes], None] | None,
    ) -> ExecResult: ...
