"""The simulated VDG Sense server itself: its checks, its answers, its command line."""

from __future__ import annotations

import argparse

import aiohttp
import pytest
from yarl import URL

from simulator import vdg_sense as sim_module
from simulator.common import RunningServer
from simulator.vdg_sense import SimExportDevice, VdgSenseSimulator
from tests.vdg_sense.conftest import END, START

pytestmark = pytest.mark.without_hass


# --- requests it refuses ------------------------------------------------------


async def test_unknown_command_in_simulator(
    vdg_server: RunningServer, session: aiohttp.ClientSession
) -> None:
    """Commands are case-insensitive; an unknown one is -1."""
    url = URL(vdg_server.url) / "command"
    async with session.get(url, params={"command": "GETEXPORTVIDEOSTATUS"}) as resp:
        assert '<result errorcode="0">' in await resp.text()
    async with session.get(url, params={"command": "getdevicelist"}) as resp:
        assert "<devices" in await resp.text()
    async with session.get(url, params={"command": "reboot"}) as resp:
        assert '<result errorcode="-1">' in await resp.text()


def _export_body(start: str, end: str, bandwidth: str = "1") -> bytes:
    return (
        "<export><devices><device><serverid>{S}</serverid><deviceid>{D}</deviceid>"
        f"<starttime>{start}</starttime><endtime>{end}</endtime></device></devices>"
        f"<path>p</path><bandwidth>{bandwidth}</bandwidth></export>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"<!DOCTYPE x><export/>", "Document types"),
        (b"<export>", "Malformed"),
        (b"<export><path>p</path></export>", "Missing"),
        (
            _export_body("2024-01-19 10:00:00", "yesterday"),
            "Invalid time",
        ),
        (
            _export_body("2024-01-19 10:00:00", "2024-01-19 09:00:00"),
            "Invalid time range",
        ),
        (
            _export_body("2024-01-19 10:00:00", "2024-01-19 11:00:00", "fast"),
            "Invalid bandwidth",
        ),
    ],
)
async def test_simulator_refuses_bad_export_requests(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
    body: bytes,
    description: str,
) -> None:
    """The fake server checks exportVideo bodies like a real one would."""
    body = body.replace(b"{S}", sim.devices[0].server_id.encode()).replace(
        b"{D}", sim.devices[0].device_id.encode()
    )
    url = URL(vdg_server.url) / "command"
    async with session.post(url, params={"command": "exportVideo"}, data=body) as resp:
        text = await resp.text()
    assert '<result errorcode="-' in text
    assert description in text
    assert sim.exports == {}


@pytest.mark.parametrize(
    "header",
    ['Digest username="u"', "Basic !!!", "Basic", "Bearer dTpw", ""],
)
async def test_simulator_refuses_other_authorization(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
    header: str,
) -> None:
    """Only the right HTTP Basic credentials open /command."""
    sim.auth = ("u", "p")
    url = URL(vdg_server.url) / "command"
    headers = {"Authorization": header} if header else {}
    async with session.get(
        url, params={"command": "getDeviceList"}, headers=headers
    ) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Basic")


async def test_simulator_export_video_needs_post(
    vdg_server: RunningServer, session: aiohttp.ClientSession, sim: VdgSenseSimulator
) -> None:
    """exportVideo is a POST, like on the real server."""
    url = URL(vdg_server.url) / "command"
    async with session.get(url, params={"command": "exportVideo"}) as resp:
        assert resp.status == 405
    assert sim.exports == {}


# --- answers without a server -------------------------------------------------


def test_simulator_renders_status() -> None:
    """The status answer can be rendered without a server (benchmarks)."""
    sim = VdgSenseSimulator(clock=lambda: 0.0)
    sim.seed_exports(3)
    body = sim.render_export_status()
    assert body.startswith(b"<?xml")
    assert body.count(b"<export>") == 3
    assert b'errorcode="-57"' in sim.render_export_status("99")


# --- simulator command line -----------------------------------------------------


def test_simulator_cli() -> None:
    """The options build a configured fake server, or none when the port is 0."""
    parser = argparse.ArgumentParser()
    sim_module.add_arguments(parser)
    assert sim_module.build(parser.parse_args([])) is None
    args = parser.parse_args(
        [
            "--vdg-port",
            "8099",
            "--vdg-username",
            "u",
            "--vdg-password",
            "p",
            "--vdg-exports",
            "30",
            "--vdg-speed",
            "12.5",
            "--vdg-legacy",
            "--vdg-raw",
        ]
    )
    sim = sim_module.build(args)
    assert sim is not None
    assert sim.auth == ("u", "p")
    assert len(sim.exports) == 30
    assert sim.speed == 12.5
    assert sim.legacy
    assert sim.raw_values
    sim = sim_module.build(parser.parse_args(["--vdg-port", "1"]))
    assert sim is not None
    assert sim.auth is None
    assert sim.exports == {}
    assert not sim.raw_values


def test_simulator_time_passes() -> None:
    """With the real clock, progress rises by itself."""
    ticks = iter([100.0, 100.0, 103.0, 200.0, 200.0])
    sim = VdgSenseSimulator(clock=lambda: next(ticks), sync_seconds=1.0, speed=10.0)
    device = SimExportDevice("s", "d", START, END)
    export = sim.add_export("p", [device])  # created at 100
    assert sim.device_progress(export, device) == 0.0
    assert sim.device_progress(export, device) == 20.0  # 103: 2 s exporting
    assert sim.export_state(export) == "COMPLETED"
