"""The shared request helper: reading bodies, decoding off the loop."""

from __future__ import annotations

import asyncio
import json
import threading

import aiohttp
import pytest

from custom_components.camera_bridge.api import InvalidResponse, _offload
from custom_components.camera_bridge.api._http import (
    JOIN_OFF_LOOP_BYTES,
    fetch,
    off_loop,
    yield_gil,
)
from simulator.common import Faults
from simulator.wcs import WcsSimulator
from tests.conftest import StartServer


async def test_fetch_returns_a_big_body_as_sent(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    """A body of many chunks, joined in a worker thread, arrives unchanged."""
    sim = WcsSimulator(detailed_snapshot=(1280, 720))
    sim.publish("garden")
    server = await start_server(sim)
    expected = sim.detailed_answer((1280, 720))
    assert len(expected) > JOIN_OFF_LOOP_BYTES
    resp = await fetch(
        session,
        "POST",
        f"{server.url}/rest-api/stream/snapshot",
        json_body={"streamName": "garden"},
    )
    assert resp.status == 200
    assert resp.body == expected


async def test_fetch_returns_small_and_empty_bodies(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    sim = WcsSimulator()
    sim.publish("garden")
    server = await start_server(sim)
    resp = await fetch(session, "POST", f"{server.url}/rest-api/stream/find_all")
    assert [s["name"] for s in json.loads(resp.body)] == ["garden"]
    sim.faults = Faults(status=200, status_body="")
    resp = await fetch(session, "POST", f"{server.url}/rest-api/stream/find_all")
    assert (resp.status, resp.body) == (200, b"")


async def test_off_loop_decodes_big_bodies_in_a_worker_thread() -> None:
    def where(body: bytes) -> int:
        return threading.get_ident()

    here = threading.get_ident()
    assert await off_loop(where, b"x" * 10, threshold=11) == here
    assert await off_loop(where, b"x" * 11, threshold=11) != here


async def test_off_loop_passes_exceptions_on() -> None:
    def refuse(body: bytes) -> None:
        raise InvalidResponse(body.decode())

    with pytest.raises(InvalidResponse, match="nope"):
        await off_loop(refuse, b"nope", threshold=1)


async def test_yield_gil_sleeps_only_off_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sleeps: list[tuple[int, float]] = []
    monkeypatch.setattr(
        _offload.time, "sleep", lambda s: sleeps.append((threading.get_ident(), s))
    )
    yield_gil()
    assert sleeps == []
    worker = await asyncio.get_running_loop().run_in_executor(
        None, lambda: (yield_gil(), threading.get_ident())[1]
    )
    assert sleeps == [(worker, 0)]
