"""Lenient number reading for values a backend sent, total by construction.

Backends send numbers as JSON numbers, as strings, or as nonsense. These
helpers return None for anything that is not a plain finite number in range
and never raise: a 400-digit integer, ``1e999``, ``NaN`` or a string of
digits too long for ``int()`` all come back as None. The default range is
what a signed 64-bit integer holds, which is what Home Assistant can store in
a state attribute.
"""

from __future__ import annotations

import math
from typing import Final

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
# Longer strings are no numbers a backend means (and int() of thousands of
# digits costs time before it fails)
_MAX_TEXT: Final = 64


def as_int(
    value: object, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX
) -> int | None:
    """An integer from an int, a whole float or a decimal string, else None.

    Booleans are not numbers here; values outside ``minimum``..``maximum``
    give None.
    """
    number: int
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():  # also NaN and infinities
            return None
        number = int(value)
    elif isinstance(value, str) and len(value) <= _MAX_TEXT:
        try:
            number = int(value)
        except ValueError:
            return None
    else:
        return None
    return number if minimum <= number <= maximum else None


def as_float(
    value: object, *, minimum: float = -math.inf, maximum: float = math.inf
) -> float | None:
    """A finite float from an int, a float or a decimal string, else None.

    Booleans are not numbers here; NaN, infinities, integers too big for a
    float and values outside ``minimum``..``maximum`` give None.
    """
    number: float
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str) and len(value) <= _MAX_TEXT:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number):
        return None
    return number if minimum <= number <= maximum else None
