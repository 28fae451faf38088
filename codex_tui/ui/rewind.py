"""Rewind (esc esc on an empty composer, or /rewind): go back to one of the
person's earlier requests. Pick the request, then what to take back: the code
and the conversation, the conversation only, or the code only.

The conversation is cut by the agent (`Agent.rewind`), which records the cut in
the session file; the screen is then drawn again from that file, so what is
shown is what the file holds (the agent goes on: its background terminals and
MCP servers are not restarted). The code is taken back by
undoing, newest first, every turn from the chosen request on. When the
conversation is cut, the request goes back into the composer to edit and send.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp
    from codex_tui.ui.session import SessionController

MODES = [
    ("both", "files and conversation go back to before this request"),
    ("conversation", "the model forgets this request and what followed; files stay"),
    ("code", "files go back to before this request; the conversation stays"),
]
MODE_LABELS = {
    "both": "Code and conversation",
    "conversation": "Conversation only",
    "code": "Code only",
}


def _label(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


async def rewind(app: CodexApp, session: SessionController) -> None:
    from codex_tui.agent.context import user_requests
    from codex_tui.agent.items import message_text
    from codex_tui.ui.pickers import ChoiceScreen

    note = app.conversation.note
    agent = session.agent
    if agent is None or agent.busy:
        note("warning", "Rewind: wait for the current turn to end.")
        return
    requests = [message_text(item) for item in user_requests(agent.conversation.items)]
    if not requests:
        note("info", "Nothing to rewind to: no request yet.")
        return
    values = [str(n) for n in range(len(requests))]
    labels = {str(n): f"{n + 1}. {_label(text)}" for n, text in enumerate(requests)}
    picked = await app.push_screen_wait(
        ChoiceScreen(
            "Rewind to before which request?", [(v, "") for v in values], values[-1], labels
        )
    )
    if picked is None:
        return
    back = len(requests) - int(picked)  # requests taken back, the picked one included
    mode = await app.push_screen_wait(ChoiceScreen("Take back what?", MODES, "both", MODE_LABELS))
    if mode is None:
        return
    if mode in ("both", "code") and not await _undo_code(app, session, back):
        return
    if mode in ("both", "conversation"):
        text = requests[int(picked)]
        if not agent.rewind(back):
            note("error", "Rewind: the conversation could not be cut there.")
            return
        path = agent.session_path
        if path is not None:
            await session.redraw_from(path)
        app.composer.text = text
        app.composer.focus_input()
        noun = "request" if back == 1 else "requests"
        note("info", f"Rewound the conversation by {back} {noun}; edit and send it again.")


async def _undo_code(app: CodexApp, session: SessionController, back: int) -> bool:
    """Undo every turn of the last `back` requests that changed files; False if one failed."""
    from codex_tui.agent.session import snapshot_limits
    from codex_tui.config import paths
    from codex_tui.undo.engine import UndoError, apply, prepare

    history = session.undo_history
    turns = history.since_request(history.requests - back)
    limits = snapshot_limits(app.config)
    for turn in turns:
        try:
            prepared = await asyncio.to_thread(prepare, turn, "undo", paths.home(), limits)
        except UndoError as exc:
            app.conversation.note("error", f"Rewind stopped: {exc}")
            return False
        result = await asyncio.to_thread(apply, prepared, force=True)
        session.record(result)
        if result.failed:
            return False
    if not turns:
        app.conversation.note("info", "No files to take back: those requests changed none.")
    return True
