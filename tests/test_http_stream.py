"""The shared streaming request helper (open_stream), against a simulated camera."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.camera_bridge.api import CannotConnect, InvalidResponse
from custom_components.camera_bridge.api._http import StreamedResponse, open_stream
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.conftest import StartServer


async def _read_all(response: StreamedResponse, into: list[bytes]) -> None:
    """Read every chunk into a list (what was read stays when it fails)."""
    async for chunk in response.chunks():
        into.append(chunk)  # noqa: PERF401 - kept when reading fails


async def _picture(start_server: StartServer) -> tuple[OscSimulator, str, bytes]:
    """A camera holding one picture, and that picture's URL and bytes."""
    sim = OscSimulator(picture_size=(1024, 512))
    file = sim.shoot_on_camera()
    server = await start_server(sim)
    return sim, f"{server.url}/files/{sim._storage_id}/{file.uri}", file.content


async def test_body_arrives_in_chunks_as_sent(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    """The headers first, then the body piece by piece, the cap not reached."""
    _, url, content = await _picture(start_server)
    response = await open_stream(session, "GET", url, timeout=5, max_bytes=len(content))
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.content_length == len(content)
    body = b"".join([chunk async for chunk in response.chunks()])
    assert body == content


async def test_announced_body_above_the_cap_is_refused_unread(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    _, url, content = await _picture(start_server)
    with pytest.raises(InvalidResponse, match="cap"):
        await open_stream(session, "GET", url, timeout=5, max_bytes=len(content) - 1)


async def test_unannounced_body_above_the_cap_stops_the_reading(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    """A body without Content-Length is cut where it passes the cap."""
    sim, url, _ = await _picture(start_server)
    # small enough to be all sent before the reader gives up
    sim.faults = Faults(huge=300_000, paths=("/files/",))
    response = await open_stream(session, "GET", url, timeout=5, max_bytes=100_000)
    assert response.content_length is None
    read: list[bytes] = []
    with pytest.raises(InvalidResponse, match="cap"):
        await _read_all(response, read)
    assert 0 < len(b"".join(read)) <= 100_000


async def test_cut_and_stalled_bodies_are_cannot_connect(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    """A body shorter than announced, a sender that stalls, nobody listening."""
    sim, url, _ = await _picture(start_server)
    sim.faults = Faults(truncated=True, paths=("/files/",))
    response = await open_stream(session, "GET", url, timeout=5, max_bytes=10_000)
    with pytest.raises(CannotConnect):
        await _read_all(response, [])
    sim.faults = Faults(latency=2, paths=("/files/",))
    with pytest.raises(CannotConnect, match=r"0\.2 s"):
        await open_stream(session, "GET", url, timeout=0.2, max_bytes=10_000)
    with pytest.raises(CannotConnect):
        await open_stream(
            session, "GET", "http://127.0.0.1:9/x", timeout=5, max_bytes=10
        )


async def test_a_reader_that_stops_early_closes_the_answer(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    """Closing the generator (a player that left) drops the connection."""
    _, url, _ = await _picture(start_server)
    response = await open_stream(session, "GET", url, timeout=5, max_bytes=10**6)
    chunks = response.chunks()
    assert await anext(chunks)
    await chunks.aclose()
    assert response._response.closed
    # the same for an answer nobody read
    response = await open_stream(session, "GET", url, timeout=5, max_bytes=10**6)
    response.close()
    assert response._response.closed
