"""The Web Call Server client against the fake server, over real sockets."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import struct

import aiohttp
import pytest

from custom_components.camera_bridge.api import (
    AuthenticationFailed,
    BackendError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.wcs import (
    BASE64_PIECE,
    FIND_ALL_MAX_BYTES,
    PNG_SIGNATURE,
    SNAPSHOT_MAX_BYTES,
    SnapshotFailed,
    StreamNotFound,
    WcsClient,
    normalize_url,
    parse_snapshot,
)
from simulator.common import Faults, RunningServer
from simulator.wcs import make_detailed_png, make_png


def client(
    session: aiohttp.ClientSession, server: RunningServer, **kwargs
) -> WcsClient:
    return WcsClient(session, server.url, **kwargs)


async def test_find_all_parses_streams(session, wcs_server, wcs_sim) -> None:
    streams = await client(session, wcs_server).find_all()
    assert [s.name for s in streams] == ["front-door", "garden"]
    garden = streams[1]
    assert (garden.width, garden.height, garden.published) == (640, 480, True)
    assert garden.video_codec == "H264"
    assert wcs_sim.count("/rest-api/stream/find_all") == 1


async def test_find_all_404_is_empty(session, wcs_server, wcs_sim) -> None:
    wcs_sim.streams.clear()
    assert await client(session, wcs_server).find_all() == []


async def test_snapshot_is_png_and_changes_per_stream(session, wcs_server) -> None:
    api = client(session, wcs_server)
    door = await api.snapshot("front-door")
    garden = await api.snapshot("garden")
    assert door.startswith(PNG_SIGNATURE)
    assert garden.startswith(PNG_SIGNATURE)
    assert door != garden


async def test_snapshot_errors(session, wcs_server, wcs_sim) -> None:
    api = client(session, wcs_server)
    with pytest.raises(StreamNotFound):
        await api.snapshot("nope")
    wcs_sim.snapshot_error = "Snapshot response timeout"
    with pytest.raises(SnapshotFailed) as err:
        await api.snapshot("garden")
    assert err.value.message == "Snapshot response timeout"


@pytest.mark.parametrize(
    "garbage",
    [b"GIF89a not a png", b"", b"\x89PNX\r\n\x1a\n"],
)
async def test_snapshot_rejects_non_png(session, wcs_server, wcs_sim, garbage) -> None:
    wcs_sim.snapshot_garbage = garbage
    with pytest.raises(InvalidResponse):
        await client(session, wcs_server).snapshot("garden")


async def test_snapshot_rejects_bad_base64(session, wcs_server, wcs_sim) -> None:
    wcs_sim.faults = Faults(
        status=200, status_body={"data": "%%% not base64"}, paths=("snapshot",)
    )
    with pytest.raises(InvalidResponse, match="base64"):
        await client(session, wcs_server).snapshot("garden")
    wcs_sim.faults = Faults(status=200, status_body={"nodata": 1}, paths=("snapshot",))
    with pytest.raises(InvalidResponse, match="no 'data'"):
        await client(session, wcs_server).snapshot("garden")


async def test_snapshot_of_a_4k_frame_without_compression(
    session, wcs_server, wcs_sim
) -> None:
    """The biggest snapshot answer a 4K RGB frame can make (31.7 MiB) is read."""
    wcs_sim.detailed_snapshot = (3840, 2160)
    image = await client(session, wcs_server).snapshot("garden")
    assert len(image) > 3840 * 2160 * 3
    assert image == make_detailed_png(3840, 2160)


async def test_snapshot_above_the_cap(session, wcs_server, wcs_sim) -> None:
    wcs_sim.faults = Faults(huge=SNAPSHOT_MAX_BYTES, paths=("snapshot",))
    with pytest.raises(InvalidResponse, match="cap"):
        await client(session, wcs_server).snapshot("garden")


def _answer(png: bytes) -> str:
    return base64.b64encode(png).decode()


@pytest.mark.parametrize(
    ("layout", "wanted"),
    [
        # other members before and after, spaces and line breaks
        ('{\n  "status" : 200,\n  "data" :\t"%s" ,\n  "ok": [1]\n}', "a"),
        # a member named data inside another object does not count
        ('{"meta": {"data": "%(b)s"}, "data": "%(a)s"}', "a"),
        # JSON keeps the last of two members with one name
        ('{"data": "%(b)s", "data": "%(a)s"}', "a"),
        # the placeholder the client uses, written by the server
        ('{"note": "camera-bridge:snapshot", "data": "%s"}', "a"),
    ],
)
async def test_snapshot_answer_layouts(
    session, wcs_server, wcs_sim, layout: str, wanted: str
) -> None:
    images = {"a": make_detailed_png(320, 240), "b": make_png("b")}
    values = {key: _answer(png) for key, png in images.items()}
    body = layout % (values if "%(" in layout else values["a"])
    wcs_sim.faults = Faults(status=200, status_body=body, paths=("snapshot",))
    assert await client(session, wcs_server).snapshot("garden") == images[wanted]


async def test_snapshot_answer_with_escapes(session, wcs_server, wcs_sim) -> None:
    """Escaped slashes (as some JSON writers send them) read as slashes."""
    png = make_detailed_png(320, 240)
    encoded = _answer(png)
    assert "/" in encoded
    body = '{"data": "' + encoded.replace("/", "\\/") + '"}'
    wcs_sim.faults = Faults(status=200, status_body=body, paths=("snapshot",))
    assert await client(session, wcs_server).snapshot("garden") == png


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # padding where a piece ends, then more data
        ("A" * (BASE64_PIECE - 4) + "AA==" + "AAAA", "not base64"),
        ("iVBORw0K GgoAAAANSUhEUg==", "not base64"),
        ("iVBORw0KGgo", "not base64"),
        ("iVBORw0KGgo=é", "not base64"),
        ("\u00e9VBORw0KGgo=", "not base64"),
        ("", "no 'data'"),
    ],
)
async def test_snapshot_data_must_be_base64(
    session, wcs_server, wcs_sim, data: str, message: str
) -> None:
    wcs_sim.faults = Faults(
        status=200, status_body='{"data": "' + data + '"}', paths=("snapshot",)
    )
    with pytest.raises(InvalidResponse, match=message):
        await client(session, wcs_server).snapshot("garden")


@pytest.mark.parametrize(
    "body",
    ['{"data": 5}', "[]", '"data"', '{"data": "iVBO', '{"data": "iVBO"} x', ""],
)
async def test_snapshot_answer_without_data(
    session, wcs_server, wcs_sim, body: str
) -> None:
    wcs_sim.faults = Faults(status=200, status_body=body, paths=("snapshot",))
    with pytest.raises(InvalidResponse):
        await client(session, wcs_server).snapshot("garden")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32-le"])
def test_parse_snapshot_of_other_json_encodings(encoding: str) -> None:
    png = make_png("x")
    body = json.dumps({"data": _answer(png)}).encode(encoding)
    assert parse_snapshot(body) == png


async def test_concurrent_snapshots_share_one_call(
    session, wcs_server, wcs_sim
) -> None:
    wcs_sim.snapshot_delay = 0.2
    api = client(session, wcs_server)
    images = await asyncio.gather(*(api.snapshot("garden") for _ in range(10)))
    assert len(set(images)) == 1
    assert wcs_sim.count("snapshot:garden") == 1
    # a later call is a new request
    await api.snapshot("garden")
    assert wcs_sim.count("snapshot:garden") == 2


async def test_coalesced_failure_reaches_every_caller(
    session, wcs_server, wcs_sim
) -> None:
    wcs_sim.snapshot_delay = 0.1
    wcs_sim.snapshot_error = "boom"
    api = client(session, wcs_server)
    results = await asyncio.gather(
        *(api.snapshot("garden") for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, SnapshotFailed) for r in results)
    assert wcs_sim.count("snapshot:garden") == 1


async def test_snapshot_timeout(session, wcs_server, wcs_sim) -> None:
    wcs_sim.snapshot_delay = 1.0
    with pytest.raises(CannotConnect, match="no answer"):
        await client(session, wcs_server, snapshot_timeout=0.2).snapshot("garden")


async def test_basic_auth(session, wcs_server, wcs_sim) -> None:
    wcs_sim.auth = ("admin", "s3cret")
    with pytest.raises(AuthenticationFailed):
        await client(session, wcs_server).find_all()
    with pytest.raises(AuthenticationFailed):
        await client(session, wcs_server, username="admin", password="wrong").find_all()
    streams = await client(
        session, wcs_server, username="admin", password="s3cret"
    ).find_all()
    assert len(streams) == 2


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        (Faults(malformed=True), InvalidResponse),
        (Faults(truncated=True), CannotConnect),
        (Faults(drop=True), CannotConnect),
        (Faults(huge=FIND_ALL_MAX_BYTES), InvalidResponse),
        (Faults(status=503, status_body="busy"), BackendError),
        (Faults(status=403, status_body="no"), AuthenticationFailed),
        (Faults(status=200, status_body={"not": "a list"}), InvalidResponse),
        (Faults(status=200, status_body=[{"no_name": 1}]), InvalidResponse),
        (Faults(status=200, status_body=["text"]), InvalidResponse),
    ],
)
async def test_find_all_faults(session, wcs_server, wcs_sim, faults, error) -> None:
    wcs_sim.faults = faults
    with pytest.raises(error):
        await client(session, wcs_server).find_all()


async def test_find_all_tolerates_odd_field_types(session, wcs_server, wcs_sim) -> None:
    wcs_sim.faults = Faults(
        status=200,
        status_body=[
            {
                "name": "x",
                "width": "640",
                "height": 480.0,
                "fps": "25",
                "bitrate": True,
            },
            {
                "name": "y",
                "width": "wide",
                "fps": None,
                "createDate": "soon",
                "status": 7,
            },
        ],
    )
    x, y = await client(session, wcs_server).find_all()
    assert (x.width, x.height, x.fps, x.bitrate) == (640, 480, 25.0, None)
    assert (y.width, y.fps, y.created, y.status) == (0, None, None, "UNKNOWN")


async def test_find_all_survives_absurd_numbers(session, wcs_server, wcs_sim) -> None:
    """Numbers no float or 64-bit attribute holds are dropped, never raised."""
    huge = 10**400
    wcs_sim.faults = Faults(
        status=200,
        status_body=[
            {
                "name": "x",
                "fps": huge,
                "width": huge,
                "height": -huge,
                "bitrate": float(2**70),
                "createDate": "9" * 5000,
            },
            {"name": "y", "fps": "1e999", "width": -640, "bitrate": "NaN"},
        ],
    )
    x, y = await client(session, wcs_server).find_all()
    assert (x.fps, x.width, x.height, x.bitrate, x.created) == (None, 0, 0, None, None)
    assert (y.fps, y.width, y.bitrate) == (None, 0, None)


async def test_find_all_of_a_big_server(session, wcs_server, wcs_sim) -> None:
    """14,000 streams (5.3 MB) fit the cap; they are read in a worker thread."""
    for index in range(14_000):
        wcs_sim.publish(f"cam-{index:05d}")
    streams = await client(session, wcs_server).find_all()
    assert len(streams) == 14_002
    assert streams[-1].name == "cam-13999"
    assert streams[-1].created == wcs_sim.streams["cam-13999"].created


async def test_refused_connection(session) -> None:
    with pytest.raises(CannotConnect):
        await WcsClient(session, "http://127.0.0.1:9").find_all()


async def test_check_maps_server_errors_to_cannot_connect(
    session, wcs_server, wcs_sim
) -> None:
    assert await client(session, wcs_server).check() == 2
    wcs_sim.faults = Faults(status=502, status_body="bad gateway")
    with pytest.raises(CannotConnect):
        await client(session, wcs_server).check()


def test_normalize_url() -> None:
    assert (
        normalize_url(" HTTP://Media.Example:8081/rest-api/ ")
        == "http://media.example:8081"
    )
    assert normalize_url("https://h:443") == "https://h"
    assert normalize_url("http://[::1]:8081") == "http://[::1]:8081"
    for bad in ("ftp://h", "h:8081", "http://"):
        with pytest.raises(ValueError):
            normalize_url(bad)


def test_png_generator_is_real_png() -> None:
    png = make_png("a")
    assert png.startswith(PNG_SIGNATURE)
    assert png != make_png("b")
    assert base64.b64encode(png)


def test_detailed_png_generator_is_real_png_of_that_size() -> None:
    png = make_detailed_png(64, 48)
    assert png.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", png[16:24]) == (64, 48)
    # random pixels: PNG cannot make them smaller
    assert len(png) > 64 * 48 * 3
    assert png == make_detailed_png(64, 48)
    assert png != make_detailed_png(64, 48, seed=1)


async def test_simulator_serves_detailed_snapshots(
    session, wcs_server, wcs_sim
) -> None:
    wcs_sim.detailed_snapshot = (320, 240)
    image = await client(session, wcs_server).snapshot("garden")
    assert image == make_detailed_png(320, 240)


def test_simulator_frame_size_option() -> None:
    from simulator.wcs import frame_size

    assert frame_size("1920x1080") == (1920, 1080)
    assert frame_size("640X480") == (640, 480)
    for bad in ("1920", "x1080", "0x10", "20000x10", "axb"):
        with pytest.raises(argparse.ArgumentTypeError):
            frame_size(bad)
