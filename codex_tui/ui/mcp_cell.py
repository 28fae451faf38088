"""An MCP tool call in the transcript: `server · tool(arguments)`, a spinner and
the elapsed time while it runs, then ✓ or ✗, the duration and the head and tail
of the result (click for all of it), like a command's cell."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from codex_tui.ui.cells import CommandCell, Factory

ARGS_SHOWN = 80  # characters of the arguments in the header


def arguments_line(arguments: dict[str, Any]) -> str:
    text = json.dumps(arguments, ensure_ascii=False, separators=(", ", ": "))
    text = text[1:-1] if text.startswith("{") else text
    return text if len(text) <= ARGS_SHOWN else text[: ARGS_SHOWN - 1] + "…"


class McpCell(CommandCell):
    def __init__(
        self,
        call_id: str,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        started: float | None = None,
        *,
        finished: dict | None = None,
    ) -> None:
        super().__init__(call_id, (), started, finished=finished)
        self.server, self.tool, self.arguments = server, tool, arguments

    def title(self) -> str:
        return f"{self.server} · {self.tool}({arguments_line(self.arguments)})"

    def rebuild(self) -> Factory:
        finished = {
            "output": self.output,
            "exit_code": None,
            "status": "aborted" if self.running else self.status,
            "duration": self.duration,
            "feedback": self.feedback,
        }
        return partial(
            McpCell,
            self.call_id,
            self.server,
            self.tool,
            self.arguments,
            self.started,
            finished=finished,
        )
