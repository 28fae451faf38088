"""How sessions are described: relative times, and the listing's table."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_tui.sessions import display
from codex_tui.sessions.cli import table
from codex_tui.sessions.display import relative_stamp, relative_time

NOW = 1_780_000_000.0


# A rule a person may set in TZ: +0:05, and +0:35 in summer, which ends 3 minutes
# after midnight: on 2021-10-26 at 23:28 UTC, 00:03 becomes 23:33 the day before.
CLOCKS_BACK_PAST_MIDNIGHT = "AAA-0:05BBB-0:35,J100/0:03,J300/0:03"


@pytest.fixture(
    params=[
        "UTC",
        "Asia/Kathmandu",
        "America/St_Johns",
        "Europe/Berlin",
        "Africa/Monrovia",
        CLOCKS_BACK_PAST_MIDNIGHT,
    ]
)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Local time in zones with odd offsets (+5:45, -3:30, -0:44:30 until 1972) and
    daylight saving (St. John's switched at 00:01 local time until 2011)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    display._local_date.cache_clear()
    yield request.param
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()
    display._local_date.cache_clear()


@pytest.mark.parametrize(
    ("ago", "text"),
    [(5, "just now"), (300, "5m ago"), (3 * 3600, "3h ago"), (2 * 86400 + 5, "2d ago")],
)
def test_recent_times_match_the_datetime_version(ago: float, text: str) -> None:
    now = datetime.fromtimestamp(NOW, UTC)
    then = datetime.fromtimestamp(NOW - ago, UTC)
    assert relative_stamp(NOW - ago, NOW) == relative_time(then, now) == text


# The zone is set once for all of a test's examples, which is what is wanted here.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stamp=st.floats(min_value=0, max_value=NOW - 8 * 86400, allow_nan=False))
def test_older_times_are_the_local_date(zone: str, stamp: float) -> None:
    # The date comes from a cache keyed by quarter hour: it must still be the exact
    # local date of the stamp.
    assert relative_stamp(stamp, NOW) == time.strftime("%Y-%m-%d", time.localtime(stamp))


# Ages clustered near the minute, hour, day and week boundaries, future ones too.
_NEAR = st.sampled_from([0, 60, 3600, 86400, display.WEEK_MINUTES * 60, -60])
# And stamps within hours of an old local midnight (dates change there).
_MIDNIGHT = time.mktime(time.strptime("2024-03-01", "%Y-%m-%d"))
_AGES = st.one_of(
    st.floats(min_value=-3600, max_value=NOW, allow_nan=False),
    st.builds(lambda at, off: at + off, _NEAR, st.floats(min_value=-2, max_value=2)),
    st.floats(min_value=-3 * 3600, max_value=3 * 3600).map(lambda off: NOW - _MIDNIGHT + off),
)


@settings(max_examples=300, deadline=None)
@given(ages=st.lists(_AGES, max_size=40))
def test_a_listings_times_read_as_each_alone(ages: list[float]) -> None:
    # relative_stamps makes each distinct text once: it must never hand one row
    # another's text.
    stamps = [NOW - age for age in ages + ages[::-1]]
    assert display.relative_stamps(stamps, NOW) == [relative_stamp(s, NOW) for s in stamps]


def test_dates_hold_across_midnights_and_daylight_saving_switches(zone: str) -> None:
    # Every minute of two days around Europe's and America's spring and autumn
    # switches of 2024, St. John's switch at 00:01 on 2006-10-29, a Monrovia
    # midnight of 1970 at 00:44:30 UTC and CLOCKS_BACK_PAST_MIDNIGHT's switch
    # (midnights in every zone fall inside these windows).
    windows = (1711843200, 1710028800, 1729987200, 1730592000, 1162089060, 8642670, 1635290880)
    for start in windows:
        stamps = range(start - 86400, start + 86400, 60)
        expected = [time.strftime("%Y-%m-%d", time.localtime(stamp)) for stamp in stamps]
        assert [relative_stamp(stamp, NOW) for stamp in stamps] == expected, (zone, start)
        assert display.relative_stamps(stamps, NOW) == expected, (zone, start)


def test_table_pads_every_cell_and_clips_only_what_is_too_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback: os.terminal_size((80, 24)))
    rows = [
        ("aaaa1111", NOW - 60, "main", "/srv/a", "Short title"),
        ("bbbb2222", NOW - 7200, None, "/srv/" + "x" * 60, "(codex) " + "T" * 100),
    ]
    monkeypatch.setattr("time.time", lambda: NOW)
    header, first, second = table(rows, show_dir=True)
    assert all(len(line) <= 80 for line in (header, first, second))
    assert header.split() == ["ID", "UPDATED", "BRANCH", "DIRECTORY", "TITLE"]
    assert first.split()[:4] == ["aaaa1111", "1m", "ago", "main"]
    assert first.endswith("Short title")
    # The branch column shows "-" for none; the long folder is cut at 40 with "…".
    assert second.split()[3] == "-"
    assert "/srv/" + "x" * 34 + "…" in second
    # Titles start in the same column on every line, and a long one ends in "…".
    assert header.index("TITLE") == first.index("Short title") == second.index("(codex) T")
    assert second.endswith("…") and len(second) == 80
