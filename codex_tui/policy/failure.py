"""Did the sandbox make a command fail? A guess from its exit code and output.

Under `on-failure` the agent asks to run a failed command again without the
sandbox, but only when the failure looks like the sandbox's doing: a write
refused (read-only file system, permission denied) or the network cut off.
"""

from __future__ import annotations

import re

__all__ = ["looks_sandbox_caused"]

# (what to tell the person, pattern over the output), checked in order.
_SIGNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a write was refused", re.compile(r"read-only file system|\bEROFS\b", re.I)),
    ("access was denied", re.compile(r"permission denied|\bEACCES\b", re.I)),
    ("an operation was not permitted", re.compile(r"operation not permitted|\bEPERM\b", re.I)),
    (
        "the network is unreachable",
        re.compile(
            r"network is unreachable|\bENETUNREACH\b|could not resolve host|"
            r"temporary failure in name resolution|name or service not known|"
            r"nodename nor servname|getaddrinfo failed|address family not supported",
            re.I,
        ),
    ),
)


def looks_sandbox_caused(exit_code: int, output: str) -> str | None:
    """A short cause when a failed run looks sandbox-caused, else None."""
    if exit_code == 0:
        return None
    for cause, pattern in _SIGNS:
        if pattern.search(output):
            return cause
    return None
