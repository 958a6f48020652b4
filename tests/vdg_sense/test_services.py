"""The export_video and get_export_status actions, and diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.camera_bridge.backends.vdg_sense.services import resolve_devices
from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults, RunningServer
from simulator.vdg_sense import SimExport, VdgSenseSimulator
from tests.conftest import StartServer, advance_time, find_device, setup_entry
from tests.vdg_sense.conftest import export_events

START = "2024-07-01 12:00:00"
END = "2024-07-01 12:05:00"


def _on_add_export(
    monkeypatch: pytest.MonkeyPatch,
    sim: VdgSenseSimulator,
    change: Callable[[SimExport], object],
) -> None:
    """Let ``change`` act on each export the simulator adds (an exportVideo)."""
    original = sim.add_export

    def add(*args: Any, **kwargs: Any) -> SimExport:
        export = original(*args, **kwargs)
        change(export)
        return export

    monkeypatch.setattr(sim, "add_export", add)


async def _status(hass: HomeAssistant, data: dict[str, Any]) -> Any:
    """The get_export_status action's response to ``data``."""
    return await hass.services.async_call(
        DOMAIN, "get_export_status", data, blocking=True, return_response=True
    )


async def _setup(hass: HomeAssistant, data: dict[str, Any], **kwargs: Any):
    entry = await setup_entry(hass, data, title="VDG Sense 127.0.0.1", **kwargs)
    server = find_device(hass, entry.entry_id, entry.entry_id)
    assert server is not None
    return entry, server.id


async def _poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 11
) -> None:
    await advance_time(hass, freezer, seconds)


async def _export(
    hass: HomeAssistant, device_id: str, **data: Any
) -> dict[str, Any] | None:
    return await hass.services.async_call(
        DOMAIN,
        "export_video",
        {
            "device_id": device_id,
            "devices": ["Entrance"],
            "start": START,
            "end": END,
            "path": "D:\\exports\\incident",
            **data,
        },
        blocking=True,
        return_response=True,
    )


async def test_export_video_follows_the_export(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer
) -> None:
    """The action starts an export, answers its id; completion fires an event."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    _, server = await _setup(hass, vdg_data)
    fired = export_events(hass)
    response = await _export(
        hass,
        server,
        devices=["entrance", sim.devices[3].device_id.strip("{}").lower()],
        bandwidth=512,
    )
    assert response == {"export_id": "1"}
    body = sim.last_body.decode()
    # Home Assistant's local time (UTC+2 in July) goes out in UTC
    assert body.count("<starttime>2024-07-01 10:00:00.000</starttime>") == 2
    assert "<bandwidth>512</bandwidth>" in body
    assert [d.device_id for d in sim.exports[1].devices] == [
        sim.devices[0].device_id,
        sim.devices[3].device_id,
    ]
    # the action asked for a poll right away: the sensor is there
    await hass.async_block_till_done()
    state = hass.states.get("sensor.vdg_sense_127_0_0_1_export_1")
    assert state is not None
    assert state.attributes["status"] == "syncing"
    assert [d["name"] for d in state.attributes["devices"]] == [
        "Entrance",
        "Loading dock",
    ]
    assert hass.states.get("sensor.vdg_sense_127_0_0_1_active_exports").state == "1"
    sim.advance(200)
    await _poll(hass, freezer)
    assert [(e["event_type"], e["export_id"]) for e in fired] == [
        ("export_completed", "1")
    ]


async def test_export_completed_before_the_next_poll(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, monkeypatch
) -> None:
    """An export of ours first seen completed still fires export_completed."""
    _, server = await _setup(hass, vdg_data)
    fired = export_events(hass)
    sim.speed = 1000.0
    sim.sync_seconds = 0.0
    original = sim.add_export

    def add_done(*args: Any, **kwargs: Any):
        return original(*args, **{**kwargs, "age": 10.0})

    monkeypatch.setattr(sim, "add_export", add_done)
    assert await _export(hass, server) == {"export_id": "1"}
    await hass.async_block_till_done()
    assert [(e["event_type"], e["export_id"], e["path"]) for e in fired] == [
        ("export_completed", "1", "D:\\exports\\incident")
    ]


async def test_export_removed_before_the_next_poll(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, monkeypatch
) -> None:
    """An export of ours first seen REMOVED fires export_removed."""
    _, server = await _setup(hass, vdg_data)
    fired = export_events(hass)
    _on_add_export(monkeypatch, sim, lambda export: setattr(export, "removed", True))
    await _export(hass, server)
    await hass.async_block_till_done()
    assert [(e["event_type"], e["reason"]) for e in fired] == [
        ("export_removed", "removed")
    ]


async def test_export_never_listed_is_reported(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer, caplog, monkeypatch
) -> None:
    """An export the server never lists is reported failed after three polls."""
    entry, server = await _setup(hass, vdg_data)
    fired = export_events(hass)
    _on_add_export(monkeypatch, sim, lambda export: sim.forget(export.export_id))
    await _export(hass, server)
    await hass.async_block_till_done()  # the first poll, right after the action
    for _ in range(2):
        await _poll(hass, freezer)
    assert [(e["event_type"], e["export_id"], e["reason"]) for e in fired] == [
        ("export_failed", "1", "not_listed")
    ]
    assert "still not listed" in caplog.text
    # still looked for (fast polls) for a while, then given up
    assert entry.runtime_data.update_interval == timedelta(seconds=10)
    for _ in range(60):
        await _poll(hass, freezer)
    assert len(fired) == 1
    assert entry.runtime_data.update_interval == timedelta(seconds=60)


async def test_export_listed_unreadable_is_still_awaited(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer
) -> None:
    """Listed but unreadable is not "never listed": no not_listed failure."""
    entry, server = await _setup(hass, vdg_data)
    fired = export_events(hass)
    sim.truncated.add(1)
    await _export(hass, server)
    await hass.async_block_till_done()
    for _ in range(4):
        await _poll(hass, freezer)
    assert fired == []
    assert entry.runtime_data.unreadable_exports == frozenset({"1"})
    sim.truncated.clear()
    sim.advance(100)
    await _poll(hass, freezer)
    assert [(e["event_type"], e["export_id"]) for e in fired] == [
        ("export_completed", "1")
    ]


async def test_export_video_targets(
    hass: HomeAssistant, vdg_data, sim, start_server: StartServer
) -> None:
    """An entity of the server is a target too; one server at a time."""
    _, server = await _setup(hass, vdg_data)
    response = await hass.services.async_call(
        DOMAIN,
        "export_video",
        {
            "entity_id": "sensor.vdg_sense_127_0_0_1_active_exports",
            "devices": "Lobby",
            "start": datetime(2024, 7, 1, 10, tzinfo=UTC),
            "end": datetime(2024, 7, 1, 11, tzinfo=UTC),
            "path": "p",
        },
        blocking=True,
        return_response=True,
    )
    assert response == {"export_id": "1"}
    other_sim = VdgSenseSimulator(clock=lambda: 0.0)
    other = await start_server(other_sim)
    other_entry = await setup_entry(
        hass, {**vdg_data, "port": other.port}, title="Other"
    )
    other_device = find_device(hass, other_entry.entry_id, other_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _export(hass, [server, other_device.id])
    assert err.value.translation_key == "single_server_required"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"devices": ["Nope"]}, "unknown_device"),
        ({"devices": ["Twin"]}, "ambiguous_device"),
        ({"start": END, "end": START}, "export_time_range"),
        ({"path": "bell\x07"}, "vdg_invalid_request"),
    ],
)
async def test_export_video_invalid(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, data, key
) -> None:
    """Bad requests are refused before reaching the server."""
    sim.devices[1].name = "Twin"
    sim.devices[2].name = "twin"
    _, server = await _setup(hass, vdg_data)
    with pytest.raises(ServiceValidationError) as err:
        await _export(hass, server, **data)
    assert err.value.translation_key == key
    assert sim.exports == {}


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        (lambda sim: sim.fail(-2, "gone", command="exportVideo"), "vdg_no_device"),
        (lambda sim: setattr(sim, "api_license", False), "vdg_not_implemented"),
        (
            lambda sim: sim.fail(-53, "cam", command="exportVideo"),
            "vdg_connection_lost",
        ),
        (lambda sim: sim.fail(-99, "odd", command="exportVideo"), "backend_error"),
        (
            lambda sim: setattr(sim, "faults", Faults(drop=True)),
            "cannot_connect",
        ),
    ],
)
async def test_export_video_server_errors(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, setup, key
) -> None:
    """Server errors become translated Home Assistant errors."""
    _, server = await _setup(hass, vdg_data)
    setup(sim)
    with pytest.raises(HomeAssistantError) as err:
        await _export(hass, server)
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == key


async def test_get_export_status(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator
) -> None:
    """All exports, or one; unknown ids are the caller's mistake."""
    sim.add_export("a", age=100)
    sim.add_export("b", age=5)
    _, server = await _setup(hass, vdg_data)
    everything = await _status(hass, {"device_id": server})
    assert everything["active"] == 1
    assert [e["export_id"] for e in everything["exports"]] == ["1", "2"]
    first = everything["exports"][0]
    assert first["status"] == "completed"
    assert first["progress"] == 100.0
    assert first["path"] == "a"
    assert first["devices"][0]["name"] == "Entrance"
    assert first["devices"][0]["end"] == "2024-01-19T10:05:00+00:00"
    one = await _status(hass, {"device_id": server, "export_id": "2"})
    assert [e["export_id"] for e in one["exports"]] == ["2"]
    assert one["exports"][0]["progress"] == 15.0
    assert sim.last_query["exportid"] == "2"
    with pytest.raises(ServiceValidationError) as err:
        await _status(hass, {"device_id": server, "export_id": "77"})
    assert err.value.translation_key == "vdg_invalid_export_id"
    sim.faults = Faults(status=503)
    with pytest.raises(HomeAssistantError) as err:
        await _status(hass, {"device_id": server})
    assert err.value.translation_key == "cannot_connect"


async def test_raw_server_in_actions_and_diagnostics(
    hass: HomeAssistant,
    hass_client,
    vdg_data,
    sim: VdgSenseSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Raw camera names and paths work; unreadable entries are reported."""
    assert await async_setup_component(hass, "diagnostics", {})
    sim.raw_values = True
    sim.devices[0].name = "Lobby & bar"
    sim.devices[1].name = "x</name>y"  # cannot be told from markup
    sim.add_export("a", age=100)
    sim.add_export("b", age=100)
    sim.truncated.add(2)
    entry, server = await _setup(hass, vdg_data)
    assert "Camera {D0000000" in caplog.text
    response = await _export(
        hass, server, devices=["Lobby & bar"], path="D:\\exports\\ha & co"
    )
    assert response == {"export_id": "3"}
    assert sim.exports[3].path == "D:\\exports\\ha & co"
    status = await _status(hass, {"device_id": server})
    assert [e["path"] for e in status["exports"]] == ["a", "D:\\exports\\ha & co"]
    assert [(u["export_id"], u["error"][:13]) for u in status["unreadable"]] == [
        ("2", "malformed XML")
    ]
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    backend = diagnostics["backend"]
    assert "Lobby & bar" in [c["name"] for c in backend["cameras"]]
    assert [d["id"] for d in backend["unreadable_devices"]] == [
        sim.devices[1].device_id
    ]
    assert [d["id"] for d in backend["unreadable_exports"]] == ["2"]
    assert backend["device_list_error"] is None


def test_resolve_devices() -> None:
    """Ids with or without braces, any case; names; duplicates once."""
    from custom_components.camera_bridge.api.vdg_sense import SenseDevice

    def device(name: str, ident: str) -> SenseDevice:
        return SenseDevice("{S}", ident, name, None, None, None, None, None, None, None)

    gate, hall = device("Gate", "{AB-1}"), device("Hall", "{CD-2}")
    assert resolve_devices((gate, hall), ["ab-1", "{CD-2}", " gate ", "Hall"]) == [
        gate,
        hall,
    ]


async def test_diagnostics(
    hass: HomeAssistant, hass_client, vdg_data, sim: VdgSenseSimulator
) -> None:
    """Cameras and exports are listed; credentials are not."""
    assert await async_setup_component(hass, "diagnostics", {})
    sim.auth = ("operator", "s3cret")
    sim.add_export("a", age=100)
    entry, _ = await _setup(
        hass, {**vdg_data, "username": "operator", "password": "s3cret"}
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    assert "s3cret" not in text
    assert "operator" not in text
    backend = diagnostics["backend"]
    assert backend["version"] == sim.version
    assert [c["name"] for c in backend["cameras"]] == [d.name for d in sim.devices]
    assert backend["cameras"][0]["ip_address"] == "192.0.2.10"
    assert backend["export_count"] == 1
    assert backend["exports"][0]["path"] == "a"
    assert backend["device_list_error"] is None
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"


async def test_services_with_unloaded_server(
    hass: HomeAssistant, vdg_data, sim, vdg_server: RunningServer
) -> None:
    """An unloaded server cannot be used."""
    entry, server = await _setup(hass, vdg_data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _export(hass, server)
    assert err.value.translation_key == "entry_not_loaded"
