"""The lenient number readers shared by the API clients."""

from __future__ import annotations

import math

import pytest

from custom_components.camera_bridge.api._coerce import (
    INT64_MAX,
    INT64_MIN,
    as_float,
    as_int,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (640, 640),
        (480.0, 480),
        ("1920", 1920),
        (" 25 ", 25),
        (INT64_MAX, INT64_MAX),
        (INT64_MIN, INT64_MIN),
        (INT64_MAX + 1, None),
        (10**400, None),
        (-(10**400), None),
        (1e300, None),
        (2.5, None),
        (math.nan, None),
        (math.inf, None),
        ("2.5", None),
        ("wide", None),
        ("9" * 5000, None),
        (True, None),
        (None, None),
        ([1], None),
    ],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


def test_as_int_range() -> None:
    assert as_int(-1, minimum=0) is None
    assert as_int(0, minimum=0) == 0
    assert as_int("70000", maximum=65535) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (25, 25.0),
        (29.97, 29.97),
        ("30", 30.0),
        ("1e3", 1000.0),
        (10**400, None),
        ("1e999", None),
        ("-inf", None),
        ("NaN", None),
        (math.nan, None),
        ("1" * 500, None),
        ("fast", None),
        (False, None),
        (None, None),
        ({}, None),
    ],
)
def test_as_float(value: object, expected: float | None) -> None:
    assert as_float(value) == expected


def test_as_float_range() -> None:
    assert as_float(-0.5, minimum=0) is None
    assert as_float(1000.0, maximum=240) is None
    assert as_float(240, maximum=240) == 240.0
