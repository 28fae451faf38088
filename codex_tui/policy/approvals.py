"""What the person approved for the rest of the session (the `a` key)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from codex_tui.policy.prefixes import Prefix, covered_by, session_prefixes

__all__ = ["SessionApprovals"]


@dataclass
class SessionApprovals:
    """Approved command prefixes and files; lives as long as the session.

    `commands` maps a prefix to whether it was approved to run *without* the
    sandbox (an escalation, or a machine where no sandbox can be enforced); an
    approval without the sandbox also covers runs inside it.
    """

    commands: dict[Prefix, bool] = field(default_factory=dict)
    files: set[PurePath] = field(default_factory=set)
    tools: set[tuple[str, str]] = field(default_factory=set)  # (MCP server, tool)

    def approve_command(
        self, argv: list[str] | tuple[str, ...], *, without_sandbox: bool = False
    ) -> tuple[Prefix, ...]:
        """Record `argv`'s prefixes; returns them (for the dialog to show)."""
        prefixes = session_prefixes(argv)
        for prefix in prefixes:
            self.commands[prefix] = self.commands.get(prefix, False) or without_sandbox
        return prefixes

    def command_approved(
        self, argv: list[str] | tuple[str, ...], *, without_sandbox: bool = False
    ) -> bool:
        allowed = [
            p for p, unsandboxed in self.commands.items() if unsandboxed or not without_sandbox
        ]
        return bool(allowed) and covered_by(argv, allowed)

    def approve_files(self, paths: Iterable[PurePath]) -> None:
        self.files.update(PurePath(p) for p in paths)

    def files_approved(self, paths: Iterable[PurePath]) -> bool:
        paths = [PurePath(p) for p in paths]
        return bool(paths) and all(p in self.files for p in paths)

    def approve_tool(self, server: str, tool: str) -> None:
        self.tools.add((server, tool))

    def tool_approved(self, server: str, tool: str) -> bool:
        return (server, tool) in self.tools
