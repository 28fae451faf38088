"""A guard in front of the SDK's reader: every line that is not a well-formed
JSON-RPC message is answered with a JSON-RPC error here and never reaches the
SDK, which would skip bad JSON silently and stop reading on a message that is
not an object (a client bug must cost one error reply, not the session)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600


def problem(line: bytes) -> dict[str, Any] | None:
    """The error reply `line` deserves, or None when it may go on to the SDK."""
    try:
        message = json.loads(line)
    except ValueError as exc:  # bad JSON or bad UTF-8
        return error_reply(None, PARSE_ERROR, "Parse error", str(exc))
    except RecursionError:
        return error_reply(None, PARSE_ERROR, "Parse error", "nested too deeply")
    if not isinstance(message, dict):
        kind = "a batch" if isinstance(message, list) else type(message).__name__
        return error_reply(
            None, INVALID_REQUEST, "Invalid request", f"expected an object, got {kind}"
        )
    ident = message.get("id")
    # The SDK keys pending requests by id: an unhashable one would break its loop.
    if "id" in message and not (ident is None or isinstance(ident, (str, int))):
        return error_reply(
            None, INVALID_REQUEST, "Invalid request", "id must be a string or number"
        )
    if "method" in message:
        if not isinstance(message["method"], str):
            return error_reply(ident, INVALID_REQUEST, "Invalid request", "method must be a string")
        return None
    if "id" in message and ("result" in message or "error" in message):
        return None  # a response to one of our requests
    return error_reply(
        ident, INVALID_REQUEST, "Invalid request", "neither a request nor a response"
    )


def error_reply(ident: object, code: int, message: str, details: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": ident,
        "error": {"code": code, "message": message, "data": {"details": details}},
    }


async def read_line(reader: asyncio.StreamReader) -> bytes | None:
    """The next line (b"" at the end of input); None when it was longer than the
    reader's limit (it is skipped to its end)."""
    try:
        return await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        return exc.partial
    except asyncio.LimitOverrunError:
        while True:
            try:
                await reader.readuntil(b"\n")
                return None
            except asyncio.IncompleteReadError:
                return None
            except asyncio.LimitOverrunError as more:
                await reader.readexactly(more.consumed)


async def guard(
    source: asyncio.StreamReader, sink: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Copy well-formed messages from `source` to `sink`, answer the others on
    `writer` (whole lines, so they never interleave with the SDK's own writes)."""
    try:
        while True:
            line = await read_line(source)
            if line is not None and not line:
                return  # the end of input
            if line is not None and not line.strip():
                continue
            if line is None:
                reply = error_reply(None, INVALID_REQUEST, "Invalid request", "message too large")
            else:
                found = problem(line)
                if found is None:
                    sink.feed_data(line if line.endswith(b"\n") else line + b"\n")
                    continue
                reply = found
            log.warning("answered a malformed message: %s", reply["error"]["data"]["details"])
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
    finally:
        sink.feed_eof()


class InFlight:
    """The requests read and not yet answered (an observer of the SDK's
    connection), so that after the client closes stdin the answers to what it
    already asked still go out before the connection closes."""

    def __init__(self) -> None:
        self.pending: set[object] = set()
        self._settled = asyncio.Event()
        self._settled.set()

    def observe(self, event: Any) -> None:
        from acp.connection import StreamDirection

        message = event.message
        if "id" not in message:
            return
        if event.direction is StreamDirection.INCOMING and "method" in message:
            self.pending.add(message["id"])
            self._settled.clear()
        elif event.direction is StreamDirection.OUTGOING and "method" not in message:
            self.pending.discard(message["id"])
            if not self.pending:
                self._settled.set()

    async def settle(self, timeout: float) -> None:
        """Wait until every request read has been answered, at most `timeout` s."""
        try:
            await asyncio.wait_for(self._settled.wait(), timeout)
        except TimeoutError:
            log.warning("closing with %d requests unanswered", len(self.pending))
