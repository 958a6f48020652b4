"""Readers of single values of an answer: numbers, timestamps, ids, states."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
import re
from typing import Final

from .._coerce import as_float, as_int
from ..errors import InvalidResponse
from .models import ExportState


def shown(value: str) -> str:
    """A value quoted for an error message, cut to a sane length."""
    return repr(value if len(value) <= 40 else value[:39] + "…")


_STATES: Final[Mapping[str, ExportState]] = {
    state.value.upper(): state for state in ExportState
}


def read_int(text: str | None) -> int | None:
    """An integer from a decimal or a whole float text (``1.0e3``), else None.

    Also None beyond what a signed 64-bit integer holds (the shared
    ``as_int``): a count or a bandwidth of 400 digits is no number.
    """
    number = as_int(text)
    return number if number is not None else as_int(as_float(text))


def read_timestamp(text: str | None, where: str) -> datetime | None:
    """An API timestamp (UTC ``yyyy-mm-dd hh:mm:ss[.zzz]``) as an aware datetime."""
    if text is None or not (text := text.strip()):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidResponse(f"{where}: {shown(text)} is not a timestamp") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidResponse(f"{where}: {shown(text)} is out of range") from None


EXPORT_ID: Final = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")


def read_export_id(text: str | None, where: str) -> str:
    """An export id: 1..64 printable characters, no spaces."""
    value = text.strip() if text else ""
    if not value:
        raise InvalidResponse(f"{where}: missing exportid")
    if not EXPORT_ID.fullmatch(value):
        raise InvalidResponse(f"{where}: invalid exportid {shown(value)}")
    return value


def read_progress(text: str | None, where: str) -> float:
    """A progress in %, 0..100."""
    if text is None:
        raise InvalidResponse(f"{where}: missing progress")
    try:
        # a decimal of any length: float() gives inf where int() overflows
        value = float(text)
    except ValueError:
        raise InvalidResponse(
            f"{where}: progress {shown(text)} is not a number"
        ) from None
    if not 0.0 <= value <= 100.0:  # NaN and infinities too
        raise InvalidResponse(f"{where}: progress {shown(text)} is not in 0..100")
    return value


def read_state(text: str | None) -> ExportState:
    """The state a status text names (any case), UNKNOWN if none."""
    if text is None:
        return ExportState.UNKNOWN
    return _STATES.get(text.strip().upper(), ExportState.UNKNOWN)
