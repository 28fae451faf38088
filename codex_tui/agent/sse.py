"""A small server-sent-events decoder: the JSON payload of each `data:` event.

We read the raw stream rather than the SDK's typed events: building pydantic
models for every delta cost ~1.8 s on the first turn here, and plain dicts are
all the wires need.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any


async def sse_payloads(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """Yield each event's data as a dict; stops at `[DONE]`."""
    data: list[str] = []
    async for line in lines:
        if line:
            if line.startswith("data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(" ") else value)
            continue  # event:, id:, retry: and comments carry nothing we need
        if not data:
            continue
        text = "\n".join(data)
        data.clear()
        if text.strip() == "[DONE]":
            return
        payload = json.loads(text)
        if isinstance(payload, dict):
            yield payload
    if data and "\n".join(data).strip() != "[DONE]":
        payload = json.loads("\n".join(data))
        if isinstance(payload, dict):
            yield payload
