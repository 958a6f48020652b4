"""Times and durations as people say them (Home Assistant's time zone)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
import pytest

from custom_components.camera_bridge.spoken_time import (
    TimeNotUnderstood,
    parse_duration,
    parse_moment,
    parse_span,
)

ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 5, 12, 0, 30, tzinfo=ZONE)


@pytest.fixture(autouse=True)
async def amsterdam(hass: HomeAssistant) -> None:
    """Home Assistant's time zone is Amsterdam."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("10:15", datetime(2026, 12, 5, 10, 15, tzinfo=ZONE)),
        ("at 10.15", datetime(2026, 12, 5, 10, 15, tzinfo=ZONE)),
        ("10:15:20", datetime(2026, 12, 5, 10, 15, 20, tzinfo=ZONE)),
        ("10 am", datetime(2026, 12, 5, 10, 0, tzinfo=ZONE)),
        ("10:30 p.m.", datetime(2026, 12, 5, 22, 30, tzinfo=ZONE)),
        ("12 am", datetime(2026, 12, 5, 0, 0, tzinfo=ZONE)),
        ("9 o'clock", datetime(2026, 12, 5, 9, 0, tzinfo=ZONE)),
        ("noon", datetime(2026, 12, 5, 12, 0, tzinfo=ZONE)),
        ("yesterday 22:30", datetime(2026, 12, 4, 22, 30, tzinfo=ZONE)),
        ("22:30 yesterday", datetime(2026, 12, 4, 22, 30, tzinfo=ZONE)),
        ("today at midnight", datetime(2026, 12, 5, 0, 0, tzinfo=ZONE)),
        ("2026-12-01 08:00", datetime(2026, 12, 1, 8, 0, tzinfo=ZONE)),
        ("2026-12-01T08:00:00+00:00", datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)),
        ("now", NOW),
        ("5 minutes ago", NOW - timedelta(minutes=5)),
        ("2 h ago", NOW - timedelta(hours=2)),
    ],
)
def test_moments(said: str, expected: datetime) -> None:
    """Clock times are today unless a day is said; ISO keeps its offset."""
    assert parse_moment(said, NOW).at == expected


@pytest.mark.parametrize(
    "said", ["half past ten", "25:00", "13 pm", "10:61", "2026-13-01 10:00", ""]
)
def test_moments_not_understood(said: str) -> None:
    """What is not a time is refused, not guessed."""
    with pytest.raises(TimeNotUnderstood):
        parse_moment(said, NOW)


def test_span_across_midnight() -> None:
    """A bare start after a bare end began the day before."""
    start, end = parse_span("23:50", "00:10", NOW)
    assert start == datetime(2026, 12, 4, 23, 50, tzinfo=ZONE)
    assert end == datetime(2026, 12, 5, 0, 10, tzinfo=ZONE)
    # a bare end is on the day the start was said on
    start, end = parse_span("yesterday 22:00", "23:00", NOW)
    assert (start.day, end) == (4, datetime(2026, 12, 4, 23, tzinfo=ZONE))
    start, end = parse_span("yesterday 23:30", "00:30", NOW)
    assert end == datetime(2026, 12, 5, 0, 30, tzinfo=ZONE)
    # said with dates, the order is kept as said (the caller refuses it)
    start, end = parse_span("2026-12-05 10:15", "2026-12-05 10:00", NOW)
    assert start > end


@pytest.mark.parametrize(
    ("said", "seconds"),
    [
        (90, 90),
        (12.6, 13),
        ("90", 90),
        ("90 s", 90),
        ("90s", 90),
        ("2 minutes", 120),
        ("1 minute", 60),
        ("1 hour 30 minutes", 5400),
        ("1 hour and 30 minutes", 5400),
        ("2 min 5 sec", 125),
        ("1:30", 90),
        ("0.5 hours", 1800),
    ],
)
def test_durations(said: str | float, seconds: int) -> None:
    """Seconds from numbers and spoken units."""
    assert parse_duration(said) == seconds


@pytest.mark.parametrize(
    "said", ["a while", "", "2 fortnights", "0", True, "5 minutes x", "5 minutes x 3"]
)
def test_durations_not_understood(said: str | float) -> None:
    """What is not a duration is refused."""
    with pytest.raises(TimeNotUnderstood):
        parse_duration(said)
