"""`/undo` and `/redo` in the app: find the turn, prepare in a thread, show the
preview, restore on `y`, and record what was done in the session file (through
the agent's recorder, so `resume` and `codex-tui undo` know it)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.agent import events as ev
    from codex_tui.ui.app import CodexApp
    from codex_tui.ui.session import SessionController


async def undo_or_redo(
    app: CodexApp, session: SessionController, direction: ev.UndoDirection
) -> None:
    from codex_tui.agent.session import snapshot_limits
    from codex_tui.config import paths
    from codex_tui.ui.undo_screen import UndoScreen
    from codex_tui.undo.engine import UndoError, apply, prepare, turn_title

    note = app.conversation.note
    history = session.undo_history
    turn = history.next_undo() if direction == "undo" else history.next_redo()
    if turn is None:
        if direction == "undo":
            note("info", "Nothing to undo: no turn of this session changed a file.")
        else:
            note("info", "Nothing to redo: /redo takes back an /undo.")
        return
    limits = snapshot_limits(app.config)
    try:
        prepared = await asyncio.to_thread(prepare, turn, direction, paths.home(), limits)
    except UndoError as exc:
        note("error", str(exc))
        return
    if not prepared.empty:
        # Reading the blobs for the diff is git work: off the app's thread.
        diff = await asyncio.to_thread(prepared.diff)
        if not await app.push_screen_wait(UndoScreen(prepared, diff)):
            note("info", f"/{direction} cancelled; nothing was written.")
            return
    elif direction == "undo":
        note("info", f"The files are already as they were before {turn_title(turn)}.")
    result = await asyncio.to_thread(apply, prepared, force=True)
    session.record(result)
