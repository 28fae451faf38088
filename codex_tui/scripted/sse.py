"""Server-sent events as the scripted server writes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WireEvent:
    """One server-sent event: an optional ``event:`` name and a JSON (or raw text) payload.

    ``is_delta`` marks events that carry a text or argument fragment; the server
    paces only those (``Reply.delay_per_delta_s``).
    """

    name: str | None
    data: dict[str, Any] | str
    is_delta: bool = False

    def encode(self) -> bytes:
        """The event's bytes: ``event: NAME`` (when named), ``data: ...``, a blank line."""
        payload = self.data if isinstance(self.data, str) else json.dumps(self.data)
        head = f"event: {self.name}\n" if self.name else ""
        return f"{head}data: {payload}\n\n".encode()
