"""Every LinkVisual parser is total: generated answers raise only CameraBridgeError.

One test per entry point that turns an answer (or the record store's JSON)
into models. The inputs are what a broken device, gateway or hand-edited
store could send: integers of hundreds of digits, infinities and NaN, dates
at the edges of the calendar with and without a zone, wrong types and nested
junk. Each call must end within ``TIME_BOUND`` seconds, a generous bound
that catches runaway work, not a benchmark: CPU time of this process for the
parsers (a machine busy with other work does not count, nor do pauses of the
garbage collector), wall time for the calls over HTTP (a hang costs no CPU).

The number of examples comes from the hypothesis profile (tests/conftest.py:
"ci" by default, ``HYPOTHESIS_PROFILE=long`` for long local runs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from functools import partial
import gc
import json
import math
import time
from typing import Any

from hypothesis import example, given, strategies as st
from multidict import CIMultiDict, CIMultiDictProxy
import pytest

from custom_components.camera_bridge.api import CameraBridgeError, InvalidResponse
from custom_components.camera_bridge.api._http import Response
from custom_components.camera_bridge.api.linkvisual import (
    LinkVisualClient,
    LinkVisualError,
    Recording,
    parse_time,
)
from custom_components.camera_bridge.api.linkvisual.answers import (
    parse_answer,
    record_id_from_data,
    recording_from_data,
    recordings_from_data,
    url_from_data,
)
from custom_components.camera_bridge.api.linkvisual.media import (
    RecordPage,
    capture_id_from_data,
    live_stream_from_data,
    picture_url_from_data,
    record_page_from_data,
)
from custom_components.camera_bridge.backends.linkvisual.polling import CameraPoller
from custom_components.camera_bridge.backends.linkvisual.settings import CameraConfig
from custom_components.camera_bridge.backends.linkvisual.store import (
    CameraTracker,
    restore_trackers,
)
from simulator.linkvisual import LinkVisualSimulator

from .conftest import GARDEN

TIME_BOUND = 1.0  # seconds per call
_NOW = datetime(2025, 1, 1, tzinfo=UTC)
INT64 = 2**63

# -- generated answer values -------------------------------------------------

_HUNDREDS_OF_DIGITS = st.integers(min_value=10**99, max_value=10**400)
_ints = st.one_of(
    st.integers(),
    _HUNDREDS_OF_DIGITS,
    _HUNDREDS_OF_DIGITS.map(lambda n: -n),
    st.sampled_from([INT64, -INT64 - 1, 10**309, -(10**309), 99_999_999_999]),
)
_floats = st.one_of(
    st.floats(),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, 1e11]),
)
# naive on purpose: the zone, if any, is appended as text
_EDGE_DAYS = st.one_of(
    st.datetimes(max_value=datetime(1, 1, 2)),  # noqa: DTZ001
    st.datetimes(min_value=datetime(9999, 12, 30)),  # noqa: DTZ001
    st.datetimes(),
)
_ZONES = ("", "Z", "+00:00", "+08:00", "-05:00", "+14:00", "-12:00", "+23:59", "-23:59")
_dates = st.one_of(
    st.builds(
        lambda when, sep, zone: when.isoformat(sep=sep) + zone,
        _EDGE_DAYS,
        st.sampled_from([" ", "T"]),
        st.sampled_from(_ZONES),
    ),
    st.sampled_from(
        [
            "0001-01-01 00:00:00",
            "9999-12-31T23:59:59-05:00",
            "9999-12-31 23:59:59",
            "0001-01-01T00:00:00+00:00",
        ]
    ),
)
_numeric_text = st.one_of(
    _ints.map(str),
    _floats.map(repr),
    st.from_regex(
        r"\s*[+-]?\d{1,400}(\.\d{0,20})?([eE][+-]?\d{1,4})?\s*", fullmatch=True
    ),
)
_texts = st.one_of(st.text(max_size=40), _numeric_text, _dates)
_scalars = st.one_of(st.none(), st.booleans(), _ints, _floats, _texts)
_json = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4),
    ),
    max_leaves=10,
)

_RECORDING_FIELDS = (
    "FileName",
    "BeginTime",
    "EndTime",
    "VodUrl",
    "FileSize",
    "RecordType",
    "StreamType",
    "EventType",
    "SnapshotUrl",
)
_recording_dicts = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(_texts, _json, _ints, _dates) for name in _RECORDING_FIELDS
    },
)
_data = st.one_of(
    _json,
    _recording_dicts,
    st.fixed_dictionaries(
        {}, optional={"List": st.one_of(st.lists(_recording_dicts, max_size=4), _json)}
    ),
    st.fixed_dictionaries({}, optional={"Url": _json, "VodUrl": _json}),
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("Path", "DecryptKey", "CaptureId", "PicId", "PicUrl"), _json
        ),
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "List": st.lists(_recording_dicts, max_size=3),
            "Total": st.one_of(_ints, _floats, _numeric_text, _json),
        },
    ),
)
_CODES = (
    "200",
    "Success",
    "Throttling.User",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
    "Forbidden.RAM",
    "ServiceUnavailable",
    "iot.device.NotExistedDevice",
)
_envelopes = st.fixed_dictionaries(
    {},
    optional={
        "RequestId": _json,
        "Success": st.one_of(st.sampled_from([True, False, "true", "0", 1]), _json),
        "Code": st.one_of(st.sampled_from(_CODES), _json),
        "ErrorMessage": _json,
        "Message": _json,
        "Data": _data,
    },
)
_statuses = st.one_of(
    st.sampled_from([200, 400, 401, 403, 404, 429, 500, 503]),
    st.integers(min_value=100, max_value=599),
)


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


_bodies = st.one_of(
    _envelopes.map(lambda body: json.dumps(body).encode()),
    _json.map(lambda body: json.dumps(body).encode()),
    st.binary(max_size=64),
    st.integers(min_value=1, max_value=100_000).map(_nested),
    st.integers(min_value=1, max_value=100_000).map(
        lambda depth: b'{"Success": false, "Code": ' + _nested(depth) + b"}"
    ),
)


@contextmanager
def _within_bound(clock: Callable[[], float] = time.process_time) -> Iterator[None]:
    """Fail when the block takes TIME_BOUND seconds of ``clock`` or more.

    The cyclic garbage collector is paused meanwhile: a collection that
    happens to start inside the block walks the whole heap of the test
    process (a quarter of a second for a 240-byte answer, seconds late in a
    long run), which is no work of the code under test.
    """
    enabled = gc.isenabled()
    gc.disable()
    start = clock()
    try:
        yield
    finally:
        elapsed = clock() - start
        if enabled:
            gc.enable()
    assert elapsed < TIME_BOUND


def _total[T](parse: Callable[[], T]) -> T | None:
    """Run one parse: only CameraBridgeError may escape, within TIME_BOUND."""
    with _within_bound():
        try:
            return parse()
        except CameraBridgeError:
            return None


def _check_time(value: datetime | None) -> None:
    assert value is None or value.utcoffset() == timedelta(0)


def _check_aware(value: datetime | None) -> None:
    assert value is None or value.utcoffset() is not None


def _check_page(page: RecordPage | None) -> None:
    if page is None:
        return
    for recording in page.recordings:
        _check_recording(recording)
    assert page.total is None or 0 <= page.total < INT64


def _check_recording(recording: Recording | None) -> None:
    """A recording carries a file name, aware UTC times and 64-bit numbers.

    Its texts are Unicode (a lone surrogate could not be hashed, signed or
    stored).
    """
    if recording is None:
        return
    assert isinstance(recording.file_name, str) and recording.file_name
    for text in (recording.file_name, recording.vod_url, recording.snapshot_url):
        assert text is None or text.encode("utf-8")
    _check_time(recording.begin)
    _check_time(recording.end)
    for number in (
        recording.file_size,
        recording.record_type,
        recording.stream_type,
        recording.event_type,
    ):
        assert number is None or -INT64 <= number < INT64


# -- values --------------------------------------------------------------------


@given(value=st.one_of(_ints, _floats, _numeric_text, _dates, _json))
@example(value=10**309)
@example(value="0001-01-01 00:00:00")
@example(value="9999-12-31T23:59:59-05:00")
def test_parse_time_is_total(value: Any) -> None:
    """parse_time reads anything: an aware UTC time or None, never an exception."""
    _check_time(_total(lambda: parse_time(value)))


# -- models and answers --------------------------------------------------------


@given(raw=_recording_dicts, record_id=st.none() | st.text(max_size=10))
@example(raw={"FileName": "f", "BeginTime": 10**309}, record_id=None)
@example(raw={"FileName": "f", "EndTime": "0001-01-01 00:00:00"}, record_id=None)
@example(raw={"FileName": "f", "FileSize": 10**300}, record_id=None)
@example(raw={"FileName": "a\ud800.mp4"}, record_id=None)
@example(raw={"FileName": "f", "VodUrl": "http://v/\udfff"}, record_id=None)
def test_recording_from_dict_is_total(
    raw: dict[str, Any], record_id: str | None
) -> None:
    """Recording.from_dict builds a sane recording or raises InvalidResponse."""
    _check_recording(_total(lambda: Recording.from_dict(raw, record_id=record_id)))


@given(status=_statuses, body=_bodies)
def test_parse_answer_is_total(status: int, body: bytes) -> None:
    """The answer envelope gives Data or a CameraBridgeError, whatever the body."""
    resp = Response(status, CIMultiDictProxy(CIMultiDict()), body)
    _total(lambda: parse_answer("TriggerRecord", resp))


_DEEPEST = 65_000  # about the deepest nesting json.loads decodes here


@pytest.mark.parametrize(
    ("status", "success", "error", "code"),
    [
        (400, "false", LinkVisualError, "400"),
        (200, "false", LinkVisualError, "200"),
        (200, None, InvalidResponse, None),
    ],
)
def test_nested_code_is_no_code(
    status: int, success: str | None, error: type[CameraBridgeError], code: str | None
) -> None:
    """A Code made of lists is not written out as text (it took most of a second)."""
    head = b'{"Success": ' + success.encode() + b", " if success else b"{"
    body = head + b'"Code": ' + _nested(_DEEPEST) + b"}"
    resp = Response(status, CIMultiDictProxy(CIMultiDict()), body)
    with _within_bound(), pytest.raises(error) as err:
        parse_answer("TriggerRecord", resp)
    assert type(err.value) is error
    assert len(str(err.value)) < 200
    if code is not None:
        assert getattr(err.value, "code", None) == code


@given(data=_data)
def test_record_id_from_data_is_total(data: Any) -> None:
    """TriggerRecord's Data gives a record id or InvalidResponse."""
    record_id = _total(lambda: record_id_from_data(data))
    assert record_id is None or (isinstance(record_id, str) and record_id)


@given(data=_data)
@example(data={"FileName": "f", "BeginTime": "9999-12-31T23:59:59-05:00"})
def test_recording_from_data_is_total(data: Any) -> None:
    """QueryRecordByRecordId's Data gives a recording, None or InvalidResponse."""
    _check_recording(_total(lambda: recording_from_data(data, "rid")))


@given(data=_data)
def test_url_from_data_is_total(data: Any) -> None:
    """QueryRecordUrl's Data gives a URL or InvalidResponse."""
    url = _total(lambda: url_from_data(data))
    assert url is None or (isinstance(url, str) and url)


@given(data=_data)
@example(data={"List": [{"FileName": "f", "BeginTime": -(10**309)}]})
def test_recordings_from_data_is_total(data: Any) -> None:
    """QueryRecord's Data gives recordings or InvalidResponse."""
    for recording in _total(lambda: recordings_from_data(data)) or []:
        _check_recording(recording)


@given(data=_data)
def test_record_page_from_data_is_total(data: Any) -> None:
    """A QueryRecord page gives recordings and a sane total, or InvalidResponse."""
    _check_page(_total(lambda: record_page_from_data(data)))


@given(data=_data)
def test_live_stream_from_data_is_total(data: Any) -> None:
    """QueryLiveStreaming's Data gives a stream URL or InvalidResponse."""
    stream = _total(
        lambda: live_stream_from_data(
            data, requested_at=_NOW, valid_for=600, scheme="hls"
        )
    )
    assert stream is None or (isinstance(stream.url, str) and stream.url)


@given(data=_data)
def test_capture_id_from_data_is_total(data: Any) -> None:
    """TriggerCapturePicture's Data gives a capture id or InvalidResponse."""
    capture_id = _total(lambda: capture_id_from_data(data))
    assert capture_id is None or (isinstance(capture_id, str) and capture_id)


@given(data=_data)
def test_picture_url_from_data_is_total(data: Any) -> None:
    """QueryDevicePictureFile's Data gives a URL, None or InvalidResponse."""
    url = _total(lambda: picture_url_from_data(data))
    assert url is None or (isinstance(url, str) and url)


# -- the client over HTTP (simulator fault knobs) ------------------------------

# Every final status, body-less ones (204, 205, 304) included, with bytes the
# server may send after its answer on the kept-alive connection (issue 17:
# a 204 after a 204 froze the event loop).
_final_statuses = st.integers(min_value=200, max_value=599)
_after_answer = st.one_of(st.none(), st.binary(max_size=200))

_CALLS: dict[str, Callable[[LinkVisualClient], Awaitable[object]]] = {
    "TriggerRecord": lambda client: client.trigger_record(GARDEN, 10),
    "QueryRecordByRecordId": lambda client: client.query_record_by_record_id(
        "rid", GARDEN
    ),
    "QueryRecordUrl": lambda client: client.query_record_url("f", 60),
    "QueryRecord": lambda client: client.query_record(
        GARDEN, _NOW - timedelta(hours=1), _NOW
    ),
    "StopTriggeredRecord": lambda client: client.stop_triggered_record("rid"),
    "QueryTimeTemplate": lambda client: client.check_credentials(),
    "QueryRecordPage": lambda client: client.query_record_page(
        GARDEN, _NOW - timedelta(hours=1), _NOW
    ),
    "QueryLiveStreaming": lambda client: client.query_live_streaming(GARDEN),
    "TriggerCapturePicture": lambda client: client.trigger_capture_picture(GARDEN),
    "QueryDevicePictureFile": lambda client: client.query_picture_url(GARDEN, "cid"),
}


@pytest.mark.parametrize("action", list(_CALLS))
@given(
    status=_final_statuses,
    body=st.one_of(_envelopes, _json.map(json.dumps)),
    after=_after_answer,
)
@example(status=204, body="{}", after=None)
@example(status=204, body="", after=b'{"Success": true}')
@example(status=205, body='{"Success": true}', after=None)
@example(status=304, body="", after=b"HTTP/1.1 200 OK\r\n\r\n")
async def test_client_calls_are_total(
    client: LinkVisualClient,
    sim: LinkVisualSimulator,
    action: str,
    status: int,
    body: Any,
    after: bytes | None,
) -> None:
    """Each client call answers models or a CameraBridgeError over real HTTP."""
    sim.faults.status = status
    sim.faults.status_body = body
    sim.faults.after_body = after
    result: object = None
    with _within_bound(time.perf_counter), suppress(CameraBridgeError):
        result = await _CALLS[action](client)
    if isinstance(result, RecordPage):
        _check_page(result)
    for recording in result if isinstance(result, list) else [result]:
        if isinstance(recording, Recording):
            _check_recording(recording)


# -- the record store (JSON kept in .storage, may be hand-edited) ---------------

_stored_times = st.one_of(_dates, _json)
_pending_dicts = st.fixed_dictionaries(
    {},
    optional={
        "record_id": _json,
        "started": _stored_times,
        "deadline": _stored_times,
        "duration": st.one_of(_ints, _floats, _json),
        "late": _json,
    },
)
_stored_recordings = st.fixed_dictionaries(
    {},
    optional={
        "file_name": _json,
        "begin": _stored_times,
        "end": _stored_times,
        "vod_url": _json,
        "record_id": _json,
    },
)
_stored = st.one_of(
    _json,
    st.fixed_dictionaries(
        {
            "cameras": st.dictionaries(
                st.sampled_from(["garden", "gone"]),
                st.fixed_dictionaries(
                    {},
                    optional={
                        "pending": st.one_of(
                            st.lists(_pending_dicts, max_size=3), _json
                        ),
                        "last": st.one_of(_stored_recordings, _json),
                    },
                ),
                max_size=2,
            )
        }
    ),
)


@given(stored=_stored)
@example(
    stored={
        "cameras": {
            "garden": {
                "pending": [
                    {
                        "record_id": "r",
                        "started": "2025-01-01T00:00:00",
                        "deadline": "2025-01-01T00:10:00",
                        "duration": 60,
                    }
                ]
            }
        }
    }
)
@example(
    stored={
        "cameras": {
            "garden": {
                "pending": [
                    {
                        "record_id": "r",
                        "started": "9999-12-31T23:59:59+00:00",
                        "deadline": "9999-12-31T23:59:59+00:00",
                        "duration": 60,
                        "late": True,
                    }
                ]
            }
        }
    }
)
@example(
    stored={
        "cameras": {
            "garden": {
                "pending": [
                    {
                        "record_id": "r",
                        "started": "2025-01-01T00:00:00+00:00",
                        "deadline": "2025-01-01T00:10:00+00:00",
                        "duration": math.inf,
                    }
                ]
            }
        }
    }
)
def test_store_restore_is_total(stored: Any) -> None:
    """A broken store never fails setup, and what it restores can be polled."""
    config = CameraConfig("garden", "Garden", GARDEN, 60, 0, 0)
    trackers = {"garden": CameraTracker(config)}
    _total(lambda: restore_trackers(trackers, stored))
    tracker = trackers["garden"]
    poller = CameraPoller(
        None,  # type: ignore[arg-type]  # deadlines need no client
        lambda *_: None,
        scan_interval=timedelta(minutes=5),
        ready_margin=timedelta(minutes=10),
    )
    for year in (2000, 2100):
        now = datetime(year, 1, 1, tzinfo=UTC)
        _total(partial(poller.check_deadlines, list(trackers.values()), now))
    for record in tracker.pending.values():
        _check_aware(record.started)
        _check_aware(record.deadline)
    if tracker.last is not None:
        _check_aware(tracker.last.begin)
        _check_aware(tracker.last.end)
