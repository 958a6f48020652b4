"""The Web Call Server client against the fake server, over real sockets."""

from __future__ import annotations

import argparse
import asyncio
import base64
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
    PNG_SIGNATURE,
    SnapshotFailed,
    StreamNotFound,
    WcsClient,
    normalize_url,
)
from simulator.common import Faults, RunningServer


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
        (Faults(huge=5 * 1024 * 1024), InvalidResponse),
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
    from simulator.wcs import make_png

    png = make_png("a")
    assert png.startswith(PNG_SIGNATURE)
    assert png != make_png("b")
    assert base64.b64encode(png)


def test_detailed_png_generator_is_real_png_of_that_size() -> None:
    from simulator.wcs import make_detailed_png

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
    from simulator.wcs import make_detailed_png

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
