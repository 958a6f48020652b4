"""The VDG Sense client against the simulator, over real sockets: info, devices, exports over time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    ExportState,
    VdgInvalidExportId,
    VdgSenseClient,
)
from simulator.common import RunningServer
from simulator.vdg_sense import VdgSenseSimulator
from tests.vdg_sense.conftest import END, START, authed_client, camera_ref

pytestmark = pytest.mark.without_hass


@pytest.fixture(params=["upper", "camel", "random"])
def odd_tags(sim: VdgSenseSimulator, request: pytest.FixtureRequest) -> None:
    """The server writes its tags in another case, shuffled, with extra ones."""
    sim.tag_case = request.param
    sim.extra_tags = True
    sim.shuffle = True


# --- /info -------------------------------------------------------------------


async def test_info(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Version and clock come from /info."""
    info = await client.info()
    assert info.version == sim.version
    assert info.version_tuple == (2, 8, 1, 14)
    assert info.supports_export_video is True
    assert not info.legacy
    assert info.server_time is not None
    assert info.server_time.tzinfo is UTC
    assert abs(info.server_time - datetime.now(UTC)) < timedelta(minutes=1)


async def test_info_legacy_server(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A 404 on /info is an older server: unknown version, still usable."""
    sim.legacy = True
    info = await client.info()
    assert info.legacy
    assert info.version is None
    assert info.version_tuple is None
    assert info.supports_export_video is None
    assert await client.device_list()


async def test_info_old_version(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """A server older than 2.7.3 cannot export."""
    sim.version = "2.6.1"
    assert (await client.info()).supports_export_video is False


async def test_info_needs_no_credentials(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
) -> None:
    """/info works while commands ask for credentials."""
    sim.auth = ("operator", "secret")
    client = authed_client(vdg_server, session, None, None)
    assert (await client.info()).version == sim.version
    with pytest.raises(AuthenticationFailed):
        await client.device_list()


async def test_info_any_tag_case(
    client: VdgSenseClient, sim: VdgSenseSimulator, odd_tags: None
) -> None:
    """Tag case does not matter; extra tags are kept aside."""
    info = await client.info()
    assert info.version == sim.version
    assert info.extras == (("comment", "added by a newer server"),)


async def test_info_errors(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Status codes of /info map to the error family."""
    sim.faults.status = 401
    with pytest.raises(AuthenticationFailed):
        await client.info()
    sim.faults.status = 503
    with pytest.raises(CannotConnect):
        await client.info()
    sim.faults.status = 400
    with pytest.raises(InvalidResponse, match="HTTP 400"):
        await client.info()


# --- getDeviceList -----------------------------------------------------------


async def test_device_list(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Every device comes with its fields."""
    devices = await client.device_list()
    assert [d.name for d in devices] == [d.name for d in sim.devices]
    first = devices[0]
    assert first.server_id == sim.devices[0].server_id
    assert first.device_id == sim.devices[0].device_id
    assert first.status == "online"
    assert first.type == "camera"
    assert first.brand == "Sim"
    assert first.location == "Site A"
    assert first.ptz_type == "none"
    assert first.ip_address == "192.0.2.10"
    assert first.port == 554
    assert sim.last_query == {"command": "getDeviceList"}


async def test_device_list_lenient(
    client: VdgSenseClient, sim: VdgSenseSimulator, odd_tags: None
) -> None:
    """Case, order, extra tags and a missing count change nothing."""
    sim.omit_count = True
    devices = await client.device_list()
    assert [(d.server_id, d.device_id, d.name, d.port) for d in devices] == [
        (d.server_id, d.device_id, d.name, d.port) for d in sim.devices
    ]


async def test_device_list_empty(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A server without devices answers an empty list."""
    sim.devices.clear()
    assert await client.device_list() == ()


# --- exports over time -------------------------------------------------------


async def test_export_lifecycle(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """An export goes SYNCING -> PENDING -> COMPLETED with rising progress."""
    assert (await client.export_status()).exports == ()
    export_id = await client.export_video(
        [camera_ref(sim, 0), camera_ref(sim, 1)],
        START,
        END,
        r"D:\exports\incident 7",
        2048,
    )
    assert export_id == "1"

    status = await client.export_status()
    assert status.reported_count == 1
    (export,) = status.exports
    assert export.export_id == "1"
    assert export.path == r"D:\exports\incident 7"
    assert export.status is ExportState.SYNCING
    assert export.bandwidth == 2048
    assert export.progress == 0.0
    assert [(d.server_id, d.device_id) for d in export.devices] == [
        (sim.devices[i].server_id, sim.devices[i].device_id) for i in (0, 1)
    ]
    assert all(d.start == START and d.end == END for d in export.devices)
    assert all(d.status is ExportState.SYNCING for d in export.devices)
    assert status.active_count == 1

    sim.advance(sim.sync_seconds + 10)  # 50 % for the first, 33 % for the second
    (export,) = (await client.export_status()).exports
    assert export.status is ExportState.PENDING
    assert [d.progress for d in export.devices] == [50.0, 33.0]
    assert export.progress == pytest.approx(41.5)
    assert [d.status for d in export.devices] == [ExportState.PENDING] * 2

    sim.advance(12)  # the first device is done, the second is not
    (export,) = (await client.export_status()).exports
    assert export.status is ExportState.PENDING
    assert [d.status for d in export.devices] == [
        ExportState.COMPLETED,
        ExportState.PENDING,
    ]

    sim.advance(100)
    status = await client.export_status("1")
    (export,) = status.exports
    assert export.status is ExportState.COMPLETED
    assert export.progress == 100.0
    assert status.active_count == 0
    assert sim.last_query == {"command": "getExportVideoStatus", "exportid": "1"}


@pytest.mark.parametrize("status_case", ["lower", "title"])
@pytest.mark.parametrize("tag_case", ["upper", "camel", "random"])
async def test_export_status_lenient(
    client: VdgSenseClient, sim: VdgSenseSimulator, status_case: str, tag_case: str
) -> None:
    """Tag and status case, order, extra tags and a missing count are accepted."""
    sim.status_case = status_case  # type: ignore[assignment]
    sim.tag_case = tag_case  # type: ignore[assignment]
    sim.shuffle = True
    sim.extra_tags = True
    sim.omit_count = True
    sim.seed_exports(60)
    status = await client.export_status()
    assert status.reported_count is None
    assert len(status.exports) == 60
    expected = {
        str(e.export_id): sim.export_state(e).lower() for e in sim.exports.values()
    }
    assert {e.export_id: e.status.value for e in status.exports} == expected
    assert {e.status for e in status.exports} == {
        ExportState.SYNCING,
        ExportState.PENDING,
        ExportState.COMPLETED,
        ExportState.REMOVED,
    }


async def test_export_removed(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """An export removed on the server is listed as REMOVED, then may vanish."""
    sim.add_export("first")
    sim.add_export("second")
    sim.remove(1)
    by_id = (await client.export_status()).by_id()
    assert by_id["1"].status is ExportState.REMOVED
    assert not by_id["1"].status.active
    assert by_id["2"].status is ExportState.SYNCING
    sim.forget(1)
    assert list((await client.export_status()).by_id()) == ["2"]


async def test_restart_reuses_ids(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """After a restart an id names a different export: its identity differs."""
    await client.export_video([camera_ref(sim, 0)], START, END, "before")
    before = (await client.export_status()).by_id()["1"]
    sim.restart()
    assert (await client.export_status()).exports == ()
    with pytest.raises(VdgInvalidExportId):
        await client.export_status("1")
    assert await client.export_video([camera_ref(sim, 2)], START, END, "after") == "1"
    after = (await client.export_status()).by_id()["1"]
    assert after.identity != before.identity
    assert after.path == "after"


async def test_load(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Thousands of exports come back in one request."""
    sim.seed_exports(2000)
    status = await client.export_status()
    assert len(status.exports) == status.reported_count == 2000
    assert len(status.by_id()) == 2000
    assert sum(len(e.devices) for e in status.exports) == sum(
        len(e.devices) for e in sim.exports.values()
    )
    assert status.active_count == 200
    assert sim.count("/command") == 1
    sim.restart()
    sim.seed_exports(100, active_share=0.5)
    assert (await client.export_status()).active_count == 50


async def test_concurrent_polls_share_a_request(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """Two polls at the same time send one request."""
    sim.add_export("x")
    sim.faults.latency = 0.05
    first, second = await asyncio.gather(client.export_status(), client.export_status())
    assert first == second
    assert sim.count("/command") == 1
    await client.export_status()
    assert sim.count("/command") == 2
