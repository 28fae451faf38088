"""How sessions are described to people: relative times, day groups, short paths."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from pathlib import Path

GROUPS = ("Today", "Yesterday", "This week", "Older")


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """`just now`, `5m ago`, `3h ago`, `2d ago`, then the date."""
    now = now or datetime.now(when.tzinfo)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d ago"
    return when.astimezone(now.tzinfo).strftime("%Y-%m-%d")


def day_group(when: datetime, now: datetime | None = None) -> str:
    """Today / Yesterday / This week (the last seven days) / Older, in local time."""
    now = (now or datetime.now().astimezone()).astimezone()
    day = when.astimezone(now.tzinfo).date()
    today = now.date()
    if day >= today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day > today - timedelta(days=7):
        return "This week"
    return "Older"


@functools.cache
def _home() -> str:
    return str(Path.home())


def short_path(path: str) -> str:
    """`path` with the home directory written as `~`."""
    home = _home()
    if path == home:
        return "~"
    if path.startswith(home + "/"):
        return "~" + path[len(home) :]
    return path


def clip(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
