"""A small server-sent-events decoder: the JSON payload of each `data:` event.

We read the raw stream rather than the SDK's typed events: building pydantic
models for every delta cost ~1.8 s on the first turn here, and plain dicts are
all the wires need. And we read it as bytes as they arrive, not as the SDK's
lines: each line went through five nested async iterators and a timeout on the
event loop the screen is drawn from (about a third of that loop's time while an
answer streamed in small deltas).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

# A line ends at CRLF, CR or LF (the SSE grammar allows all three).
_LINE_END = re.compile(rb"\r\n|\r|\n")


async def sse_payloads(chunks: AsyncIterator[bytes]) -> AsyncIterator[dict[str, Any]]:
    """Yield each event's data as a dict, from the body's bytes in chunks of any
    size; stops at `[DONE]`."""
    data: list[bytes] = []
    pieces: list[bytes] = []  # the line still open, as its bytes arrived
    async for chunk in chunks:
        pieces.append(chunk)
        if b"\n" not in chunk and b"\r" not in chunk:
            continue  # joined once its line ends: a long line costs no more than once
        arrived = b"".join(pieces)
        # A CR at the end may be the first half of a CRLF: wait for what follows.
        held = arrived.endswith(b"\r")
        *lines, rest = _LINE_END.split(arrived[:-1] if held else arrived)
        pieces = [rest + b"\r" if held else rest]
        for line in lines:
            if line:
                if line.startswith(b"data:"):
                    data.append(line[6:] if line.startswith(b"data: ") else line[5:])
                continue  # event:, id:, retry: and comments carry nothing we need
            if data:
                text, data = _joined(data), []
                if text.strip() == "[DONE]":
                    return
                payload = json.loads(text)
                if isinstance(payload, dict):
                    yield payload
    # A last event without the blank line that should end it.
    line = b"".join(pieces).rstrip(b"\r")
    if line.startswith(b"data:"):
        data.append(line[6:] if line.startswith(b"data: ") else line[5:])
    if data and (text := _joined(data)).strip() != "[DONE]":
        payload = json.loads(text)
        if isinstance(payload, dict):
            yield payload


def _joined(data: list[bytes]) -> str:
    return b"\n".join(data).decode("utf-8", "replace")
