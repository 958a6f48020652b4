"""The shared request helper: reading bodies."""

from __future__ import annotations

import json

import aiohttp

from custom_components.camera_bridge.api._http import JOIN_OFF_LOOP_BYTES, fetch
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
