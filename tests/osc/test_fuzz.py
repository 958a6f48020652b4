"""Fuzz tests of every OSC answer parser: only the error family may escape.

Each parser gets JSON shaped like what it reads, with junk in every place:
integers of hundreds of digits, inf and NaN, numbers as text, wrong types,
nested lists and objects. A parser may refuse an answer with a
``CameraBridgeError`` subclass; anything else escaping, or one example taking
a second, fails. The example count comes from the hypothesis profile
(tests/conftest.py): 200 in CI, HYPOTHESIS_PROFILE=long for a long local run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import contextlib
import json
import time
from typing import Any

from hypothesis import example, given, strategies as st
from hypothesis.strategies import SearchStrategy
from multidict import CIMultiDict, CIMultiDictProxy

from custom_components.camera_bridge.api._http import Response
from custom_components.camera_bridge.api.errors import CameraBridgeError
from custom_components.camera_bridge.api.osc import (
    OscCommand,
    OscFile,
    OscFileList,
    OscInfo,
    OscState,
    OscStorage,
    OscUpdates,
    command_error,
    picture_url,
)
from custom_components.camera_bridge.api.osc.answers import read_command, read_json
from custom_components.camera_bridge.api.osc.models import (
    recorded_urls,
    supported_capture_modes,
)
from custom_components.camera_bridge.api.osc.values import (
    battery_level,
    opt_float,
    opt_int,
    opt_str,
    str_list,
)

# A generous bound per call: the parsers take microseconds
SECONDS_PER_CALL = 1.0
HUGE = 10**309  # above the largest float (about 1.8e308)

huge_ints = st.integers(min_value=10**299, max_value=10**400) | st.integers(
    min_value=-(10**400), max_value=-(10**299)
)
numbers = (
    st.integers()
    | huge_ints
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, -1, 0.5, 2**53 + 1, 1e308, -0.0])
)
numeric_text = (
    st.sampled_from(["", " ", "87%", "1e999", "-1e999", "nan", "inf", "0x10", "1_0"])
    | numbers.map(str)
    | huge_ints.map(lambda n: f"{n}%")
)
scalars = st.none() | st.booleans() | numbers | numeric_text | st.text(max_size=12)


def junk(keys: tuple[str, ...] = ()) -> SearchStrategy[Any]:
    """Any JSON value; objects use ``keys`` (and random names) as members."""
    names = st.sampled_from(keys) | st.text(max_size=6) if keys else st.text(max_size=6)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(names, children, max_size=5)
        ),
        max_leaves=12,
    )


def shaped(fields: Mapping[str, SearchStrategy[Any]]) -> SearchStrategy[Any]:
    """Objects with any subset of ``fields`` (plus junk members), or junk."""
    extra = st.dictionaries(st.text(max_size=6), scalars, max_size=2)
    objects = st.builds(
        lambda known, more: more | known,
        st.fixed_dictionaries({}, optional=dict(fields)),
        extra,
    )
    return objects | junk(tuple(fields))


def value_or_junk(*values: Any) -> SearchStrategy[Any]:
    """One of the values a camera sends, or anything."""
    return st.sampled_from(values) | junk()


INFO = shaped(
    {
        "manufacturer": junk(),
        "model": junk(),
        "serialNumber": value_or_junk("10100001", HUGE),
        "cameraId": junk(),
        "firmwareVersion": junk(),
        "supportUrl": junk(),
        "gps": junk(),
        "gyro": junk(),
        "uptime": junk(),
        "api": junk(),
        "apiLevel": value_or_junk([1, 2], [HUGE], [1.5, "2"], 2),
        "endpoints": shaped(
            {"httpPort": junk(), "httpUpdatesPort": junk(), "httpsPort": junk()}
        ),
    }
)
STATE_FIELDS = {
    name: junk()
    for name in (
        "batteryLevel",
        "_batteryState",
        "_captureStatus",
        "_latestFileUrl",
        "_latestFileUri",
        "latestFileUrl",
        "storageUri",
        "remainingPictures",
        "_remainingPictures",
        "remainingSpace",
        "_remainingSpace",
        "totalSpace",
        "_totalSpace",
        "_capturedPictures",
        "_recordedTime",
        "_recordableTime",
        "_apiVersion",
        "_cameraError",
    )
}
STATE = shaped(
    {"fingerprint": value_or_junk("FIG_0001", HUGE), "state": shaped(STATE_FIELDS)}
)
ERROR_OBJECT = shaped(
    {
        "code": value_or_junk("invalidParameterValue", "disabledCommand", HUGE),
        "message": value_or_junk("Parameter options.iso is out of range", ""),
    }
)
COMMAND = shaped(
    {
        "name": junk(),
        "state": value_or_junk("done", "inProgress", "error"),
        "id": value_or_junk("1", 1, HUGE, True, ""),
        "results": junk(("fileUrl", "fileUri", "_localFileGroup", "entries")),
        "error": ERROR_OBJECT,
        "progress": shaped({"completion": junk()}),
    }
)
PICTURE_RESULTS = st.dictionaries(
    st.sampled_from(["fileUrl", "fileUri", "_fileUrl", "_localFileGroup"])
    | st.text(max_size=4),
    junk(("fileUrl", "url", "uri", "fileUri")),
    max_size=4,
)
FILE_ENTRY = shaped(
    {
        name: junk()
        for name in (
            "name",
            "fileUrl",
            "uri",
            "fileUri",
            "size",
            "dateTimeZone",
            "dateTime",
            "width",
            "height",
        )
    }
)
LISTING = st.fixed_dictionaries(
    {},
    optional={
        "entries": st.lists(FILE_ENTRY, max_size=4) | junk(),
        "totalEntries": junk(),
    },
)
OPTIONS = st.dictionaries(
    st.sampled_from(
        [
            "remainingPictures",
            "remainingSpace",
            "totalSpace",
            "captureModeSupport",
            "fileUrls",
            "fileUrl",
        ]
    )
    | st.text(max_size=4),
    junk(),
    max_size=5,
)
UPDATES = shaped({"stateFingerprint": junk(), "throttleTimeout": junk()})
# what a request may have carried, for the error mapping
SENT = st.none() | st.dictionaries(
    st.sampled_from(["options", "optionNames", "fileType", "sessionId"])
    | st.text(max_size=6),
    junk(("iso", "whiteBalance")),
    max_size=4,
)


def survives(parse: Callable[..., Any], *args: Any) -> None:
    """Call ``parse``: it may only raise the error family, within the bound."""
    started = time.perf_counter()
    with contextlib.suppress(CameraBridgeError):
        parse(*args)
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_CALL, f"{parse} took {elapsed:.2f} s"


def response(status: int, body: bytes) -> Response:
    """An HTTP answer as the request helper hands it to the parsers."""
    return Response(status, CIMultiDictProxy(CIMultiDict()), body)


def encoded(raw: Any) -> bytes:
    """JSON the way a camera writes it (NaN and Infinity included)."""
    return json.dumps(raw).encode()


@given(INFO)
@example({"serialNumber": "1", "uptime": HUGE})
@example({"serialNumber": "1", "apiLevel": [HUGE]})
@example({"serialNumber": "1", "endpoints": {"httpPort": HUGE}})
def test_info(raw: Any) -> None:
    """/osc/info."""
    survives(OscInfo.from_dict, raw)


@given(STATE)
@example({"fingerprint": "F", "state": {"batteryLevel": HUGE}})
@example({"fingerprint": "F", "state": {"remainingSpace": -HUGE}})
@example({"fingerprint": "F", "state": {"_apiVersion": HUGE}})
def test_state(raw: Any) -> None:
    """/osc/state."""
    survives(OscState.from_dict, raw)


@given(COMMAND, value_or_junk(None, "7", 7))
@example({"state": "inProgress", "id": "1", "progress": {"completion": HUGE}}, None)
def test_command_object(raw: Any, known_id: Any) -> None:
    """Command objects of execute and status answers."""
    survives(OscCommand.from_dict, raw, "camera.takePicture", known_id)


@given(st.sampled_from([200, 400, 403, 404, 500, 503]), COMMAND | junk())
@example(400, {"state": "error", "error": {"code": "x" * 100_000, "message": "y"}})
def test_command_answers_over_http(status: int, raw: Any) -> None:
    """Execute and status answers of any HTTP status, error objects included."""
    body = encoded(raw)
    survives(read_command, response(status, body), "camera.takePicture")
    survives(read_json, response(status, body), "/osc/state")


@given(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_answers_that_are_no_json(body: bytes) -> None:
    """Bodies that are not JSON, or not UTF-8 at all."""
    for status in (200, 400, 503):
        survives(read_command, response(status, body), "camera.takePicture")
        survives(read_json, response(status, body), "/osc/info")


@given(
    st.sampled_from(
        [
            "missingParameter",
            "invalidParameterName",
            "invalidParameterValue",
            "tooManyParameters",
            "disabledCommand",
            "canceledShooting",
            "unknownCommand",
            "unexpected",
        ]
    )
    | st.text(max_size=20),
    st.text(max_size=200),
    SENT,
)
def test_error_objects(code: str, message: str, sent: Any) -> None:
    """The mapping of an error object's code and message to the error family."""
    survives(command_error, code, message, sent)


@given(PICTURE_RESULTS)
@example({"_localFileGroup": [[[[["http://deep"]]]]]})
def test_take_picture_results(results: dict[str, Any]) -> None:
    """The picture named by camera.takePicture results."""
    survives(picture_url, results)


@given(LISTING)
@example({"entries": [{"fileUrl": "u", "size": HUGE, "width": HUGE}]})
def test_list_files(results: dict[str, Any]) -> None:
    """camera.listFiles results and their entries."""
    survives(OscFileList.from_results, results)


@given(FILE_ENTRY)
def test_file_entry(raw: Any) -> None:
    """One listing entry alone."""
    survives(OscFile.from_dict, raw)


@given(OPTIONS)
@example({"remainingSpace": HUGE, "totalSpace": -HUGE})
def test_options(options: dict[str, Any]) -> None:
    """camera.getOptions (storage, capture modes) and stopCapture results."""
    survives(OscStorage.from_options, options)
    survives(supported_capture_modes, options)
    survives(recorded_urls, options)


@given(UPDATES, st.text(max_size=8))
@example({"stateFingerprint": "F", "throttleTimeout": HUGE}, "F")
def test_check_for_updates(raw: Any, known: str) -> None:
    """/osc/checkForUpdates."""
    survives(OscUpdates.from_dict, raw, known)


@given(junk())
@example(HUGE)
@example(-HUGE)
@example(f"{HUGE}%")
@example([10**5000])  # beyond Python's int-to-text limit
def test_value_readers(value: Any) -> None:
    """The lenient readers every parser uses."""
    for read in (opt_str, opt_float, opt_int, battery_level, str_list):
        survives(read, value)
