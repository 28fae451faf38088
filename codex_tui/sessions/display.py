"""How sessions are described to people: relative times, day groups, short paths."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

GROUPS = ("Today", "Yesterday", "This week", "Older")


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """`just now`, `5m ago`, `3h ago`, `2d ago`, then the date."""
    now = now or datetime.now(when.tzinfo)
    ago = _ago((now - when).total_seconds())
    return ago or when.astimezone(now.tzinfo).strftime("%Y-%m-%d")


def relative_stamp(stamp: float, now: float) -> str:
    """relative_time for seconds since the epoch, the date in local time: what a
    listing of thousands of sessions calls once per row."""
    return _ago(now - stamp) or _date_of(stamp)


WEEK_MINUTES = 7 * 24 * 60


def relative_stamps(stamps: Iterable[float], now: float) -> list[str]:
    """relative_stamp of each, for a listing of thousands: rows whose age has the
    same whole minutes (under a week), or that fall in the same quarter of an hour
    (older), read the same, so each such text is made once."""
    recent: dict[int, str] = {}
    dated: dict[int, str] = {}
    shown = []
    for stamp in stamps:
        minutes = int(now - stamp) // 60
        if minutes < WEEK_MINUTES:
            text = recent.get(minutes)
            if text is None:
                text = recent[minutes] = relative_stamp(stamp, now)
        else:
            quarter = int(stamp // 900)
            text = dated.get(quarter)
            if text is None:
                text = _local_date(quarter)
                if text is None:  # the date changes within this quarter of an hour
                    text = _date_of(stamp)
                else:
                    dated[quarter] = text
        shown.append(text)
    return shown


def _ago(seconds: float) -> str | None:
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d ago"
    return None


def _date_of(stamp: float) -> str:
    """The local date of `stamp`."""
    date = _local_date(int(stamp // 900))
    return date if date is not None else time.strftime("%Y-%m-%d", time.localtime(stamp))


@functools.lru_cache(maxsize=4096)
def _local_date(quarter_hour: int) -> str | None:
    """The local date all through a quarter of an hour since the epoch, or None
    when it changes inside it. Local midnights and clock changes fall on a quarter
    of an hour in most zones but not all (St. John's changed its clocks at 00:01
    until 2011; some offsets had odd minutes or seconds). With the same offset at
    both ends no clock change happened in between, so local time ran straight and
    the same date at both ends holds all through."""
    first, last = time.localtime(quarter_hour * 900), time.localtime(quarter_hour * 900 + 899)
    if first.tm_gmtoff != last.tm_gmtoff or first[:3] != last[:3]:
        return None
    return time.strftime("%Y-%m-%d", first)


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
