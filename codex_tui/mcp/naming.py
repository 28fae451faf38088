"""Tool names the model sees: `mcp__<server>__<tool>`, in the characters the API
accepts (letters, digits, `_` and `-`) and at most 64 long. A longer name keeps
its head and ends in a short hash of the whole, so two long names never meet."""

from __future__ import annotations

import hashlib
import re

PREFIX = "mcp__"
MAX_NAME = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def safe(part: str) -> str:
    return _UNSAFE.sub("_", part) or "_"


def tool_name(server: str, tool: str) -> str:
    """The function name for `tool` of `server`."""
    name = f"{PREFIX}{safe(server)}__{safe(tool)}"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(f"{server}\0{tool}".encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def is_mcp_name(name: str) -> bool:
    return name.startswith(PREFIX)
