"""Reading single answer values: times, whole numbers, text and flags.

LinkVisual's answers are loosely typed (numbers may come as text, times as
seconds, milliseconds or text): each reader takes whatever JSON gave and
returns a typed value, or None when the value is absent or unreadable.

Uncertain facts are one constant each: ``MS_THRESHOLD`` and
``NAIVE_TIME_ZONE`` (how answer times are read, see ``parse_time``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .._coerce import as_float, as_int

# Answer times: a number at or above this is milliseconds, below it seconds.
# 1e11 seconds is the year 5138, 1e11 milliseconds is March 1973, so every
# plausible recording time falls clearly on one side.
MS_THRESHOLD = 100_000_000_000
# Answer times written as "yyyy-MM-dd HH:mm:ss" carry no zone; Alibaba's
# consoles show China Standard Time. Uncertain: change here if wrong.
NAIVE_TIME_ZONE = timezone(timedelta(hours=8), "CST")


def parse_time(value: Any) -> datetime | None:
    """Read a time from an answer, whatever its form; None when unreadable.

    - numbers and numeric text: UNIX time, in milliseconds when at or above
      ``MS_THRESHOLD``, in seconds below (the docs do not say which);
    - ISO 8601 text with ``Z`` or an offset: as written;
    - ``yyyy-MM-dd HH:mm:ss`` without zone: in ``NAIVE_TIME_ZONE``.
    The result is always timezone-aware UTC.

    Out-of-range values are unreadable too, never an exception: numbers no
    float holds (an integer of hundreds of digits), NaN and infinities,
    timestamps beyond the calendar, and dates that leave it once moved to
    UTC (``0001-01-01 00:00:00`` in UTC+8, ``9999-12-31T23:59:59-05:00``).
    None rather than InvalidResponse because every answer time is optional
    to its callers (a ``Recording`` without begin or end is still a file).
    """
    if isinstance(value, bool) or value is None:
        return None
    number: float | None
    if isinstance(value, (int, float)):
        number = as_float(value)
    elif isinstance(value, str):
        text = value.strip()
        number = as_float(text)
        if number is None:
            return _parse_time_text(text)
    else:
        return None
    if number is None or number <= 0:
        return None
    if number >= MS_THRESHOLD:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except OverflowError, OSError, ValueError:
        return None


def _parse_time_text(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=NAIVE_TIME_ZONE)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None  # the calendar ends before the shift to UTC does


def to_flag(value: Any) -> bool | None:
    """Read a boolean that may come as text or number; None when absent."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def to_text(value: Any) -> str | None:
    """Non-empty text as it came; None for anything else.

    Also None for text that is no Unicode: JSON may carry a lone surrogate
    (a JSON escape of U+D800 alone), which can be neither sent, signed,
    stored nor hashed.
    """
    if not isinstance(value, str) or not value:
        return None
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return value


def to_int(value: Any) -> int | None:
    """A whole number given as a number or as text; None for anything else.

    The shared ``as_int``: whole numbers outside the signed 64-bit range are
    None too, as no size, type or count in an answer is that big and Home
    Assistant could not store it (a 310-digit ``FileSize`` came back as is).
    """
    return as_int(value)
