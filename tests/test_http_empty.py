"""Body-less answers end, for the shared request helper and streamed answers.

Issue 17: a server answering 204 twice froze all of Home Assistant. Every
case runs three times (the defect struck from the second on) under the
loop-lag probe, then the server behaves and the next answer must be its
own, not bytes left behind on a kept-alive connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any

import aiohttp
import pytest

from custom_components.camera_bridge.api import CannotConnect
from custom_components.camera_bridge.api._http import Response, fetch, open_stream
from custom_components.camera_bridge.api._stream import has_body
from simulator.common import Faults
from simulator.wcs import WcsSimulator
from tests.conftest import StartServer

from .empty_answers import BODYLESS, INTERIM
from .loop_lag import loop_lag


@pytest.fixture
async def find_all(start_server: StartServer) -> tuple[WcsSimulator, str]:
    """A WCS simulator with one stream and its list's URL."""
    sim = WcsSimulator()
    sim.publish("garden")
    server = await start_server(sim)
    return sim, f"{server.url}/rest-api/stream/find_all"


@pytest.fixture
def broken_list(
    find_all: tuple[WcsSimulator, str], faults: dict[str, Any]
) -> tuple[WcsSimulator, str]:
    """The simulator answering with the test's ``faults``, and the list's URL."""
    sim, url = find_all
    sim.faults = Faults(**faults)
    return sim, url


async def ends(call: Awaitable[Response], faults: dict[str, Any]) -> None:
    """The answer of a body-less fault: its status and no body.

    Bytes sent after the headers may reach aiohttp's parser together with
    them: it refuses them as a broken next answer (CannotConnect), which
    ends the call as well.
    """
    try:
        resp = await call
    except CannotConnect as err:
        message = str(err)
    else:
        assert (resp.status, resp.body) == (faults["status"], b"")
        return
    assert "after_body" in faults
    assert len(message) < 300  # what aiohttp quotes of the bytes is cut


def names(body: bytes) -> list[str]:
    """The stream names of a find_all answer."""
    return [stream["name"] for stream in json.loads(body)]


@pytest.mark.parametrize(
    ("method", "status", "expected"),
    [
        ("GET", 200, True),
        ("POST", 404, True),
        ("GET", 204, False),
        ("GET", 205, False),
        ("GET", 304, False),
        ("GET", 100, False),
        ("head", 200, False),
    ],
)
def test_which_answers_have_a_body(method: str, status: int, expected: bool) -> None:
    assert has_body(method, status) is expected


async def fetched(session: aiohttp.ClientSession, url: str) -> Response:
    """The list's answer through the request helper."""
    return await fetch(session, "POST", url, timeout=2)


async def streamed(session: aiohttp.ClientSession, url: str) -> Response:
    """A streamed answer read to its end, one empty piece at a time."""
    stream = await open_stream(session, "POST", url, timeout=2)
    assert await stream.read_chunk() == b""
    return Response(stream.status, stream.headers, await stream.read_all())


async def stream_read(session: aiohttp.ClientSession, url: str) -> Response:
    """A streamed answer read whole."""
    stream = await open_stream(session, "POST", url, timeout=2)
    return Response(stream.status, stream.headers, await stream.read_all())


type Reader = Callable[[aiohttp.ClientSession, str], Awaitable[Response]]

# How an answer is read: (a body-less answer, a whole answer)
READERS: dict[str, tuple[Reader, Reader]] = {
    "fetch": (fetched, fetched),
    "stream": (streamed, stream_read),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("faults", BODYLESS)
async def test_bodyless_answers_end(
    session: aiohttp.ClientSession,
    broken_list: tuple[WcsSimulator, str],
    faults: dict[str, Any],
    reader: str,
) -> None:
    """fetch and streamed answers end at a body-less answer; the next is its own."""
    bodyless, whole = READERS[reader]
    sim, url = broken_list
    async with loop_lag(limit=0.1):
        for _ in range(3):
            await ends(bodyless(session, url), faults)
        sim.faults.reset()
        resp = await whole(session, url)
    assert names(resp.body) == ["garden"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("faults", INTERIM)
async def test_interim_answers_are_skipped(
    session: aiohttp.ClientSession, broken_list: tuple[WcsSimulator, str], reader: str
) -> None:
    """fetch and streamed answers skip 1xx answers and read the final one."""
    _, url = broken_list
    whole = READERS[reader][1]
    async with loop_lag(limit=0.1):
        for _ in range(3):
            resp = await whole(session, url)
            assert names(resp.body) == ["garden"]


async def test_fetch_ends_for_head(
    session: aiohttp.ClientSession, find_all: tuple[WcsSimulator, str]
) -> None:
    """HEAD answers carry headers only, whatever their status."""
    _, url = find_all
    async with loop_lag(limit=0.1):
        for _ in range(3):
            resp = await fetch(session, "HEAD", url, timeout=2)
            assert (resp.status, resp.body) == (405, b"")
        resp = await fetch(session, "POST", url, timeout=2)
    assert names(resp.body) == ["garden"]
