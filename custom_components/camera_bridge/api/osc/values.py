"""Lenient readers of single answer values.

Cameras differ in how they write a value (a number as text, a percentage, a
list where one value was expected): each reader takes whatever JSON gave and
returns a typed value, or None when the value is absent or unreadable. None
of them raises: numbers go through the shared ``_coerce`` readers, so an
integer of hundreds of digits is no number rather than an OverflowError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._coerce import as_float, as_int
from ..errors import InvalidResponse


def opt_str(value: Any) -> str | None:
    """Text, or a number written as text; None for anything else or ``""``."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an integer beyond Python's int-to-text limit
            return None
    return None


def opt_float(value: Any) -> float | None:
    """A finite number, from a number or numeric text (``"87%"`` too)."""
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    return as_float(value)


def opt_int(value: Any) -> int | None:
    """A whole number (64-bit range), from a number or numeric text."""
    if isinstance(value, int):
        return as_int(value)
    return as_int(opt_float(value))


def battery_level(value: Any) -> float | None:
    """Battery as a 0..1 fraction; 0..100 percentages are scaled down."""
    level = opt_float(value)
    if level is None or level < 0:
        return None
    if level <= 1:
        return level
    if level <= 100:
        return level / 100
    return None


def first(raw: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first of ``keys`` that ``raw`` holds (not None)."""
    for key in keys:
        if raw.get(key) is not None:
            return raw[key]
    return None


def json_object(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object, else InvalidResponse naming ``what``."""
    if not isinstance(value, dict):
        raise InvalidResponse(f"{what} is not a JSON object")
    return value


def str_list(value: Any) -> tuple[str, ...]:
    """Texts of a list (or one text alone); other entries are left out."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(s for v in value if (s := opt_str(v)) is not None)
    return ()


def shorten(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
