"""Every WCS parser is total: generated answers raise only CameraBridgeError.

One test per entry point that turns an answer into models: the stream list
(``parse_streams``, and ``Stream.from_dict`` for one entry) and the snapshot
answer (``parse_snapshot``). The inputs are what a broken server could send:
integers of hundreds of digits, infinities and NaN, wrong types, nested junk,
random bytes, base64 that is not, JSON in UTF-16/32. Each call must end
within ``TIME_BOUND`` seconds, a generous bound that catches runaway work,
not a benchmark.

The helpers they share, and how many examples run: tests/totality.py.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from hypothesis import example, given, strategies as st

from custom_components.camera_bridge.api.wcs import (
    PNG_SIGNATURE,
    Stream,
    parse_snapshot,
    parse_streams,
)
from tests.totality import total

INT64 = 2**63
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "utf-32-le"]


odd_numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.integers(),
    st.floats(),
    st.sampled_from([10**400, -(10**400), 2**63, 2**64, 1e308, "1e999", "NaN"]),
    st.integers(min_value=100, max_value=6000).map(lambda n: "9" * n),
    st.text(max_size=12),
)
junk = st.recursive(
    st.none() | st.booleans() | odd_numbers,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "status",
    "published",
    "mediaSessionId",
    "hasVideo",
    "hasAudio",
    "width",
    "height",
    "bitrate",
    "fps",
    "videoCodec",
    "audioCodec",
    "mediaProvider",
    "createDate",
]
stream_entries = st.one_of(
    st.fixed_dictionaries(
        {"name": st.text(min_size=1, max_size=10) | junk},
        optional=dict.fromkeys(FIELDS, odd_numbers | junk),
    ),
    junk,
)


def assert_storable(stream: Stream) -> None:
    """What Home Assistant shows of a stream stays a 64-bit integer or finite float."""
    for value in (stream.width, stream.height, stream.bitrate, stream.created):
        assert value is None or -INT64 <= value < INT64
    assert stream.fps is None or stream.fps == stream.fps  # not NaN
    assert stream.fps not in (float("inf"), float("-inf"))


@given(stream_entries)
@example({"name": "x", "fps": 10**400, "width": 10**400, "createDate": "9" * 5000})
def test_stream_from_dict_is_total(entry: Any) -> None:
    stream = total(Stream.from_dict, entry)
    if stream is not None:
        assert_storable(stream)


@given(st.lists(stream_entries, max_size=30), st.sampled_from(ENCODINGS))
def test_parse_streams_is_total(entries: list[Any], encoding: str) -> None:
    body = json.dumps(entries).encode(encoding)
    streams = total(parse_streams, body)
    for stream in streams or []:
        assert_storable(stream)


@given(st.binary(max_size=300))
@example(b"[" * 100_000)
@example(b'[{"name": "x", "fps": ' + b"9" * 400 + b"}]")
def test_parse_streams_of_any_bytes_is_total(body: bytes) -> None:
    total(parse_streams, body)


@st.composite
def snapshot_answers(draw: st.DrawFn) -> tuple[bytes, bytes | None]:
    """A snapshot answer, and the image it carries when it is a valid one."""
    image = PNG_SIGNATURE + draw(st.binary(max_size=600))
    encoded = base64.b64encode(image).decode()
    kind = draw(st.sampled_from(["valid", "layout", "mangled", "junk"]))
    expected: bytes | None = image
    if kind == "valid":
        document: Any = {"data": encoded}
    elif kind == "layout":
        document = {draw(st.text(max_size=5)): draw(junk), "data": encoded}
        if draw(st.booleans()):
            document = {"data": draw(junk), **document}
        document["meta"] = {"data": draw(st.text(max_size=20))}
    elif kind == "mangled":
        cut = draw(st.integers(min_value=0, max_value=len(encoded)))
        noise = draw(st.text(max_size=4))
        document = {"data": encoded[:cut] + noise + encoded[cut:]}
        expected = None
    else:
        document = draw(junk)
        expected = None
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text = text.replace("/", "\\/")
    return text.encode(draw(st.sampled_from(ENCODINGS)), "surrogatepass"), expected


@given(snapshot_answers())
def test_parse_snapshot_is_total(answer: tuple[bytes, bytes | None]) -> None:
    """Valid answers give their image; anything else a CameraBridgeError."""
    body, expected = answer
    image = total(parse_snapshot, body)
    if expected is not None:
        assert image == expected
    if image is not None:
        data = json.loads(body)["data"]
        assert image == binascii.a2b_base64(data, strict_mode=True)
        assert image.startswith(PNG_SIGNATURE)


@given(st.binary(max_size=300))
@example(b'{"data": "iVBORw0KGgo="}')
@example(b'{"data": "' + b"A" * (256 * 1024 - 4) + b'AA==AAAA"}')
def test_parse_snapshot_of_any_bytes_is_total(body: bytes) -> None:
    total(parse_snapshot, body)
