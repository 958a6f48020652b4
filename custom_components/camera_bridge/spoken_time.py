"""Times and durations as people say them, read in Home Assistant's time zone.

``parse_moment`` reads "10:15", "10 am", "quarter past"-free clock times,
"yesterday 22:30", "noon", "now", "5 minutes ago", "2026-12-05 10:00" and ISO
8601 with an offset. A bare clock time is today; in ``parse_span`` a bare end is on
the start's day, and the start of a span that crosses midnight ("from 23:50
to 00:10") is the day before. ``parse_duration`` reads "90", "90 s", "2 minutes", "1 hour 30
minutes", "1:30" (minutes and seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import re
from typing import Final

from homeassistant.util import dt as dt_util

_CLOCK: Final = re.compile(
    r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?(?::(?P<s>\d{2}))?"
    r"\s*(?P<ampm>am|pm|a\.m\.?|p\.m\.?)?(?:\s*o'?clock)?"
)
_UNIT: Final = r"(?P<unit>seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b"
_AGO: Final = re.compile(rf"(?P<n>\d{{1,5}})\s*{_UNIT}\s+ago")
_DURATION_PART: Final = re.compile(rf"(?P<n>\d{{1,5}}(?:\.\d+)?)\s*(?:{_UNIT})?")
_UNITS: Final = {"s": 1, "m": 60, "h": 3600}
_DAY_WORDS: Final = {"today": 0, "yesterday": -1}
_NAMED: Final = {"noon": time(12), "midday": time(12), "midnight": time(0)}
_MAX_SECONDS: Final = 86_400 * 7


class TimeNotUnderstood(ValueError):
    """The text is no time or duration this module reads."""


@dataclass(frozen=True, slots=True)
class Moment:
    """A point in time, and whether it was said as a bare clock time."""

    at: datetime
    bare_clock: bool


def _unit_seconds(unit: str | None) -> int:
    return _UNITS[(unit or "s")[0]]


def _clock(text: str) -> time:
    if text in _NAMED:
        return _NAMED[text]
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise TimeNotUnderstood(text)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    second = int(match["s"] or 0)
    if ampm := match["ampm"]:
        if not 1 <= hour <= 12:
            raise TimeNotUnderstood(text)
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise TimeNotUnderstood(text)
    return time(hour, minute, second)


def parse_moment(text: str, now: datetime | None = None) -> Moment:
    """A point in time from what a person said (Home Assistant's time zone)."""
    now = dt_util.as_local(now or dt_util.now())
    spoken = " ".join(text.strip().lower().rstrip(".").split())
    spoken = spoken.removeprefix("at ").removeprefix("the ")
    if spoken in ("now", "right now"):
        return Moment(now, False)
    if match := _AGO.fullmatch(spoken):
        seconds = int(match["n"]) * _unit_seconds(match["unit"])
        return Moment(now - timedelta(seconds=seconds), False)
    if (parsed := _iso(spoken)) is not None:
        return Moment(parsed, False)
    offset = 0
    words = spoken.split(" ")
    for index in (0, -1):
        if len(words) > 1 and words[index] in _DAY_WORDS:
            offset = _DAY_WORDS[words.pop(index)]
            break
    words = [w for w in words if w not in ("at", "on")]
    day: date = now.date() + timedelta(days=offset)
    clock = _clock(" ".join(words))
    at = datetime.combine(day, clock, tzinfo=dt_util.get_default_time_zone())
    return Moment(at, offset == 0)


def _iso(text: str) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        parsed = dt_util.parse_datetime(text.upper().replace(" ", "T", 1))
    except ValueError:
        parsed = None
    if parsed is None:
        raise TimeNotUnderstood(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_util.get_default_time_zone())
    return parsed


def parse_span(
    start_text: str, end_text: str, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """Start and end of a span, the end on the start's day unless a day is said.

    "from yesterday 22:00 to 23:00" ends yesterday; a bare start after a
    bare end ("from 23:50 to 00:10") is the day before.
    """
    start = parse_moment(start_text, now)
    end = parse_moment(end_text, now)
    begin, finish = start.at, end.at
    if end.bare_clock and not start.bare_clock:
        local = dt_util.as_local(begin)
        finish = datetime.combine(local.date(), finish.timetz())
        if finish <= begin:
            finish += timedelta(days=1)
    elif start.bare_clock and end.bare_clock and begin > finish:
        begin -= timedelta(days=1)
    return begin, finish


def parse_duration(value: str | float) -> int:
    """Seconds from "90", "90 s", "2 minutes", "1 hour 30 minutes" or "1:30"."""
    if isinstance(value, bool):
        raise TimeNotUnderstood(str(value))
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        spoken = " ".join(value.strip().lower().replace(" and ", " ").split())
        if match := re.fullmatch(r"(\d{1,4}):(\d{2})", spoken):
            seconds = int(match[1]) * 60 + int(match[2])
        else:
            seconds = 0.0
            position = 0
            for part in _DURATION_PART.finditer(spoken):
                if part.start() != position:
                    raise TimeNotUnderstood(value)
                seconds += float(part["n"]) * _unit_seconds(part["unit"])
                position = part.end()
                while position < len(spoken) and spoken[position] == " ":
                    position += 1
            if position != len(spoken) or not spoken:
                raise TimeNotUnderstood(value)
    if not 0 < seconds <= _MAX_SECONDS:
        raise TimeNotUnderstood(str(value))
    return round(seconds)


def spoken_time(moment: datetime | None) -> str:
    """A time as the assistant says it (local; the date unless today)."""
    if moment is None:
        return "?"
    local = dt_util.as_local(moment)
    if local.date() == dt_util.now().date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def iso(moment: datetime | None) -> str | None:
    """A time as an LLM reads it (local, with its offset)."""
    return dt_util.as_local(moment).isoformat() if moment is not None else None
