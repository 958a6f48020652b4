"""The VDG Sense client against the simulator: authentication, transport faults, construction."""

from __future__ import annotations

import threading

import aiohttp
import pytest

from custom_components.camera_bridge.api import _offload
from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    VdgConnectionLost,
    VdgSenseClient,
    VdgValidationError,
)
from simulator.common import Faults, RunningServer, serve
from simulator.vdg_sense import VdgSenseSimulator
from tests.vdg_sense.conftest import authed_client

pytestmark = pytest.mark.without_hass


# --- authentication ----------------------------------------------------------


async def test_basic_auth(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
) -> None:
    """Credentials are sent as HTTP Basic; wrong ones fail without leaking."""
    sim.auth = ("opérateur", "pässwörd:with:colons")
    good = authed_client(vdg_server, session, "opérateur", "pässwörd:with:colons")
    assert len(await good.device_list()) == len(sim.devices)
    for user, password in [(None, None), ("opérateur", "wrong"), ("other", "x")]:
        bad = authed_client(vdg_server, session, user, password)
        with pytest.raises(AuthenticationFailed) as err:
            await bad.export_status()
        assert "wrong" not in str(err.value)
    assert "pässwörd" not in repr(good)
    assert "pässwörd" not in repr(good._login)
    assert "opérateur" in repr(good._login)


async def test_forbidden(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """403 is an authentication failure too."""
    sim.faults.status = 403
    with pytest.raises(AuthenticationFailed, match="403"):
        await client.device_list()


def test_username_with_colon(session: aiohttp.ClientSession) -> None:
    """HTTP Basic cannot carry a ':' in the user name."""
    with pytest.raises(VdgValidationError):
        VdgSenseClient(session, "127.0.0.1", username="a:b", password="x")


# --- transport and status codes -----------------------------------------------


async def test_http_errors(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Status codes without a result body map by class."""
    sim.faults.status = 500
    with pytest.raises(CannotConnect, match="HTTP 500"):
        await client.export_status()
    sim.faults.status = 404
    with pytest.raises(InvalidResponse, match="HTTP 404"):
        await client.export_status()


async def test_http_error_with_result_code(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A non-200 answer that carries a result code keeps its meaning."""
    sim.faults.status = 500
    sim.faults.status_body = (
        '<result errorcode="-53"><description>Lost</description></result>'
    )
    with pytest.raises(VdgConnectionLost):
        await client.export_status()
    sim.faults.status_body = '<result errorcode="0"/>'
    with pytest.raises(CannotConnect):
        await client.export_status()


async def test_not_xml(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Malformed and truncated answers are invalid responses."""
    sim.faults.malformed = True
    with pytest.raises(InvalidResponse):
        await client.export_status()
    with pytest.raises(InvalidResponse):
        await client.device_list()
    with pytest.raises(InvalidResponse):
        await client.info()


@pytest.mark.parametrize(
    ("fault", "call"),
    [("truncated", "export_status"), ("drop", "device_list")],
    ids=["truncated", "dropped"],
)
async def test_cut_answers_cannot_connect(
    client: VdgSenseClient, sim: VdgSenseSimulator, fault: str, call: str
) -> None:
    """A body cut short, or a dropped connection, is a connection problem."""
    setattr(sim.faults, fault, True)
    with pytest.raises(CannotConnect):
        await getattr(client, call)()


async def test_timeout(
    vdg_server: RunningServer, session: aiohttp.ClientSession, sim: VdgSenseSimulator
) -> None:
    """A server slower than the timeout cannot connect."""
    sim.faults.latency = 0.5
    client = VdgSenseClient(session, vdg_server.host, vdg_server.port, timeout=0.1)
    with pytest.raises(CannotConnect, match=r"0\.1 s"):
        await client.export_status()


async def test_big_lists_are_parsed_off_the_loop(
    client: VdgSenseClient, sim: VdgSenseSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big export list is parsed in a worker thread handing the GIL over (issue 10).

    ``yield_gil`` sleeps only off the event loop: the sleeps show where the
    parsing ran. A small answer is parsed right on the loop.
    """
    sleeps: list[int] = []
    monkeypatch.setattr(
        _offload.time, "sleep", lambda _: sleeps.append(threading.get_ident())
    )
    sim.seed_exports(2000)
    assert len((await client.export_status()).exports) == 2000
    assert sleeps
    assert threading.get_ident() not in sleeps
    sleeps.clear()
    assert (await client.info()).version == sim.version
    assert sleeps == []


async def test_caps_follow_the_documented_answers(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """10,000 exports fit the export list's cap; 8 MiB do not, nor 64 KiB of /info."""
    sim.seed_exports(10_000)
    assert len((await client.export_status()).exports) == 10_000
    sim.faults = Faults(huge=8 * 1024 * 1024, paths=("/command",))
    with pytest.raises(InvalidResponse, match="cap"):
        await client.export_status()
    sim.faults = Faults(huge=64 * 1024, paths=("/info",))
    with pytest.raises(InvalidResponse, match="cap"):
        await client.info()


async def test_size_cap(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Bodies above the cap are refused."""
    sim.faults.huge = 2 * 1024 * 1024
    with pytest.raises(InvalidResponse, match="cap"):
        await client.device_list()


async def test_refused(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    """Nobody listening cannot connect."""
    server = await serve(VdgSenseSimulator())
    port = server.port
    await server.stop()
    client = VdgSenseClient(session, "127.0.0.1", port, timeout=1.0)
    with pytest.raises(CannotConnect):
        await client.info()


# --- construction --------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "ssl", "url"),
    [
        ("nvr.local", 80, False, "http://nvr.local"),
        (" NVR.example.com ", 8443, True, "https://nvr.example.com:8443"),
        ("fe80::1", 8080, False, "http://[fe80::1]:8080"),
        ("[::1]", 80, False, "http://[::1]"),
    ],
)
def test_base_url(
    session: aiohttp.ClientSession, host: str, port: int, ssl: bool, url: str
) -> None:
    """Host, port and scheme build the base URL."""
    client = VdgSenseClient(session, host, port, ssl=ssl)
    assert str(client.base_url) == url
    assert repr(client) == f"VdgSenseClient({url!r})"


@pytest.mark.parametrize(
    ("host", "port"),
    [
        ("", 80),
        ("  ", 80),
        ("a b", 80),
        ("http://x/y", 80),
        ("x", 0),
        ("x", 70000),
        ("x", True),
    ],
)
def test_bad_address(session: aiohttp.ClientSession, host: str, port: int) -> None:
    """Unusable addresses are refused with the API's own error."""
    with pytest.raises(VdgValidationError):
        VdgSenseClient(session, host, port)
