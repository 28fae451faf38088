"""The editor's buffers as the tools' files: `fs/read_text_file` and
`fs/write_text_file`, asked only for paths the tools have already checked.
Offered only when the client's `initialize` said it serves them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from acp import RequestError

from codex_tui.tools.access import EditorFilesError

if TYPE_CHECKING:
    from pathlib import Path

    from acp.interfaces import Client

# How long the editor may take to read or write one file.
FS_TIMEOUT_S = 30.0


class ClientFiles:
    """`EditorFiles` over one ACP session's client connection."""

    def __init__(self, client: Client, session_id: str, *, reads: bool, writes: bool) -> None:
        self.client = client
        self.session_id = session_id
        self.reads = reads
        self.writes = writes

    async def read_text(self, path: Path) -> str:
        if not self.reads:
            raise EditorFilesError("the editor does not offer fs/read_text_file")
        try:
            async with asyncio.timeout(FS_TIMEOUT_S):
                answer = await self.client.read_text_file(
                    session_id=self.session_id, path=str(path)
                )
        except (RequestError, OSError, ConnectionError, TimeoutError, ValueError) as exc:
            raise EditorFilesError(_reason(exc)) from None
        return answer.content

    async def write_text(self, path: Path, text: str) -> None:
        if not self.writes:
            raise EditorFilesError("the editor does not offer fs/write_text_file")
        try:
            async with asyncio.timeout(FS_TIMEOUT_S):
                await self.client.write_text_file(
                    session_id=self.session_id, path=str(path), content=text
                )
        except (RequestError, OSError, ConnectionError, TimeoutError, ValueError) as exc:
            raise EditorFilesError(_reason(exc)) from None


def _reason(exc: Exception) -> str:
    """One line: the editor's own message when it gave one."""
    if isinstance(exc, TimeoutError):
        return f"no answer in {FS_TIMEOUT_S:.0f} s"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, RequestError) and isinstance(exc.data, dict):
        details = exc.data.get("details") or exc.data.get("message")
        if isinstance(details, str) and details:
            text = f"{text}: {details}"
    return " ".join(text.split())
