"""One session's `session/update` notifications, sent in the order they were
made and one at a time. The agent's emit callback is synchronous, so updates
are queued here; a prompt's answer (and a permission request) waits for the
queue to drain, so the client always has the updates before the answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acp.interfaces import Client

    from codex_tui.acp.updates import Update

log = logging.getLogger(__name__)


class Outbox:
    """Queued updates; nothing goes out before `start` (a new session's updates
    must follow the answer that tells the client its id)."""

    def __init__(self, client: Client, session_id: str) -> None:
        self.client = client
        self.session_id = session_id
        self._queue: asyncio.Queue[Update] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._task: asyncio.Task[None] | None = None
        self._failed = False

    def put(self, updates: Iterable[Update]) -> None:
        for update in updates:
            if threading.get_ident() == self._thread:
                self._queue.put_nowait(update)
            else:  # an event from a worker thread: onto the loop first
                self._loop.call_soon_threadsafe(self._queue.put_nowait, update)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"acp-updates-{self.session_id}")

    async def flush(self) -> None:
        """Wait until everything queued so far has been sent."""
        self.start()
        await self._queue.join()

    async def send(self, updates: list[Update]) -> None:
        self.put(updates)
        await self.flush()

    async def _run(self) -> None:
        while True:
            update = await self._queue.get()
            try:
                if not self._failed:
                    await self.client.session_update(session_id=self.session_id, update=update)
            except (ConnectionError, OSError) as exc:
                # The client has gone: later updates are dropped (said once).
                self._failed = True
                log.warning("session %s: updates stopped: %s", self.session_id, exc)
            except Exception:  # a bug of ours in one update: the others still go
                log.exception("session %s: an update could not be sent", self.session_id)
            finally:
                self._queue.task_done()

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=2)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
