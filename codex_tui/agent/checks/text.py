"""What the checks share about text: where Markdown keeps its code, and the short
snippets flags quote."""

from __future__ import annotations

import re

# A fenced code block, from its opening fence to the matching closing one.
FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def snippet(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
