"""Each backend's VoiceActions at their edges: other devices, no media, lost listings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge import assist
from custom_components.camera_bridge.backends import BACKENDS
from custom_components.camera_bridge.backends.osc.voice import file_time
from custom_components.camera_bridge.backends.vdg_sense.voice import export_path
from custom_components.camera_bridge.const import (
    KIND_LINKVISUAL,
    KIND_OSC,
    KIND_VDG_SENSE,
    KIND_WCS,
)
from custom_components.camera_bridge.voice import VoiceRefused
from simulator.common import Faults
from simulator.osc import OscSimulator
from simulator.wcs import WcsSimulator
from tests.conftest import advance_time

from .conftest import ASSISTANT, FRONT_DOOR, THETA_BUTTON, Expose

CALLER = assist.Caller(ASSISTANT, None)


def devices(hass: HomeAssistant, entry: MockConfigEntry) -> list[dr.DeviceEntry]:
    """The entry's devices."""
    return dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)


def test_osc_file_time() -> None:
    """The camera's dateTimeZone keeps its zone; dateTime is Home Assistant's."""
    zoned = file_time("2015:07:10 11:05:18+09:00")
    assert zoned == datetime(
        2015, 7, 10, 11, 5, 18, tzinfo=timezone(timedelta(hours=9))
    )
    bare = file_time("2015:07:10 11:05:18")
    assert bare is not None
    assert bare.tzinfo is not None
    assert (bare.hour, bare.minute) == (11, 5)
    assert file_time("yesterday") is None
    assert file_time(None) is None
    assert file_time("2015:13:45 11:05:18") is None


@pytest.mark.parametrize(
    ("folder", "path"),
    [
        ("D:\\Exports\\Voice\\", "D:\\Exports\\Voice\\camera_bridge-20261205-100000"),
        ("/srv/exports/", "/srv/exports/camera_bridge-20261205-100000"),
    ],
)
async def test_vdg_export_path(hass: HomeAssistant, folder: str, path: str) -> None:
    """A folder per export, with the server's own separator."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    start = datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert export_path(folder, start) == path


async def test_devices_of_other_kinds_can_do_nothing(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    vdg_entry: MockConfigEntry,
    wcs_entry: MockConfigEntry,
) -> None:
    """A backend offers nothing for a device that is not one of its cameras."""
    (theta,) = devices(hass, osc_entry)
    entries = {
        KIND_OSC: osc_entry,
        KIND_LINKVISUAL: lv_entry,
        KIND_VDG_SENSE: vdg_entry,
        KIND_WCS: wcs_entry,
    }
    for kind, entry in entries.items():
        voice = BACKENDS[kind].voice
        assert voice is not None
        other = theta if kind != KIND_OSC else devices(hass, lv_entry)[0]
        assert voice.abilities(entry.runtime_data, other) == frozenset(), kind
    # the server of a Web Call Server is no camera, and has no snapshot
    server = next(d for d in devices(hass, wcs_entry) if d.via_device_id is None)
    voice = BACKENDS[KIND_WCS].voice
    assert voice is not None and voice.latest is not None
    assert voice.abilities(wcs_entry.runtime_data, server) == frozenset()
    assert await voice.latest(wcs_entry.runtime_data, server) is None


async def test_stream_that_left_is_not_found(
    hass: HomeAssistant,
    wcs_entry: MockConfigEntry,
    wcs_sim: WcsSimulator,
    expose: Expose,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A stream no longer published has no snapshot to offer."""
    expose(FRONT_DOOR)
    wcs_sim.unpublish("front-door")
    await advance_time(hass, freezer, 60)
    with pytest.raises(VoiceRefused, match="front-door"):
        await assist.async_latest(hass, CALLER, "front-door")


async def test_osc_latest_without_picture_and_without_listing(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    expose: Expose,
) -> None:
    """No picture yet: said so. A listing that fails leaves the time unknown."""
    expose(THETA_BUTTON)
    with pytest.raises(VoiceRefused) as refused:
        await assist.async_latest(hass, CALLER, "THETA")
    assert str(refused.value) == "THETA has no picture or recording yet"

    _, taken = await assist.async_take_picture(hass, CALLER, "THETA")
    osc_sim.faults = Faults(status=500, paths=("/osc/commands/execute",))
    _, latest = await assist.async_latest(hass, CALLER, "THETA")
    assert latest.media_id == taken.media_id
    assert latest.when is None


async def test_nothing_exposed_nothing_able(
    hass: HomeAssistant, osc_entry: MockConfigEntry, vdg_entry: MockConfigEntry
) -> None:
    """Unnamed requests with nothing exposed are refused, naming nothing."""
    for request in (
        assist.async_take_picture(hass, CALLER, None),
        assist.async_export_status(hass, CALLER),
    ):
        with pytest.raises(VoiceRefused) as refused:
            await request
        assert str(refused.value) == "No camera exposed to the assistant can do that"
