"""Every Camera Bridge LLM tool through the Assist API, against the simulators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.backends.linkvisual.media import recording_media_id
from simulator.linkvisual import LinkVisualSimulator
from simulator.osc import OscSimulator
from simulator.vdg_sense import VdgSenseSimulator
from simulator.wcs import WcsSimulator
from tests.conftest import MediaWs, advance_time

from .conftest import (
    ASSISTANT,
    EXPORT_FOLDER,
    FRONT_DOOR,
    GARDEN_BUTTON,
    THETA_BUTTON,
    THETA_CAMERA,
    VDG_SENSOR,
    Expose,
)

TOOLS = {
    "camera_bridge__take_picture",
    "camera_bridge__record",
    "camera_bridge__export_video",
    "camera_bridge__export_status",
    "camera_bridge__latest_media",
}


async def api_of(hass: HomeAssistant, user_id: str | None = None) -> llm.APIInstance:
    """The Assist API as an LLM agent of ``user_id`` gets it."""
    context = llm.LLMContext(
        platform="test",
        context=Context(user_id=user_id),
        language="en",
        assistant=ASSISTANT,
        device_id=None,
    )
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)


async def call(
    hass: HomeAssistant, tool: str, args: dict[str, Any], user_id: str | None = None
) -> llm.ToolResult:
    """Call one tool as an LLM agent does."""
    api = await api_of(hass, user_id)
    result = await api.async_call_tool(llm.ToolInput(f"camera_bridge__{tool}", args))
    assert isinstance(result, llm.ToolResult)
    return result


def ours(api: llm.APIInstance) -> set[str]:
    """The Camera Bridge tools an API instance offers."""
    return {tool.name for tool in api.tools if tool.name.startswith("camera_bridge")}


async def test_tools_follow_what_is_exposed(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    vdg_entry: MockConfigEntry,
    wcs_entry: MockConfigEntry,
    expose: Expose,
) -> None:
    """Nothing exposed: no tool, no prompt. Each exposed camera adds its abilities."""
    api = await api_of(hass)
    assert ours(api) == set()
    assert "Camera Bridge" not in api.api_prompt

    expose(FRONT_DOOR)
    assert ours(await api_of(hass)) == {"camera_bridge__latest_media"}

    expose(THETA_BUTTON, GARDEN_BUTTON, VDG_SENSOR)
    api = await api_of(hass)
    assert ours(api) == TOOLS
    for tool in api.tools:
        if tool.name in TOOLS:
            assert tool.integration == "camera_bridge"
    prompt = api.api_prompt
    assert "- THETA: take a picture, latest media" in prompt
    assert "- Garden: record now, latest media" in prompt
    assert "- front-door: latest media" in prompt
    assert (
        "- VDG Sense 127.0.0.1: export video, export status; its cameras: Entrance,"
        " Parking north, Parking south, Loading dock, Lobby, Server room"
    ) in prompt
    assert str(dt_util.get_default_time_zone()) in prompt

    # another LLM API gets nothing from Camera Bridge
    from custom_components.camera_bridge import llm as bridge_llm

    context = llm.LLMContext("test", None, "en", ASSISTANT, None)
    assert bridge_llm.async_get_tools(hass, context, "homeassistant") is None


async def test_take_picture_then_latest(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    expose: Expose,
    media_ws: MediaWs,
) -> None:
    """A picture is taken by the action's coordinator method; its id resolves."""
    expose(THETA_BUTTON)
    before = dt_util.now()
    result = await call(hass, "take_picture", {"name": "the theta"})
    assert not result.error, result
    data = result.data
    assert osc_sim.count("execute:camera.takePicture") == 1
    assert data["camera"] == "THETA"
    assert data["kind"] == "picture"
    assert dt_util.parse_datetime(str(data["time"])) >= before.replace(microsecond=0)
    prefix = f"media-source://camera_bridge/{osc_entry.entry_id}/file/"
    assert str(data["media_id"]).startswith(prefix)
    assert "token" not in str(data) and "http" not in str(data)
    resolved = await media_ws("resolve_media", str(data["media_id"]))
    assert resolved["success"], resolved
    assert resolved["result"]["mime_type"] == "image/jpeg"

    latest = await call(hass, "latest_media", {"name": "THETA"})
    assert not latest.error, latest
    assert latest.data["media_id"] == data["media_id"]
    # the camera's own time of the file, from a one-file listing
    assert latest.data["time"] is not None
    # the camera entity counts as the camera too (its name, as Assist says it)
    expose(THETA_BUTTON, exposed=False)
    expose(THETA_CAMERA)
    again = await call(hass, "latest_media", {"name": "THETA Latest picture"})
    assert again.data["media_id"] == data["media_id"]


async def test_record_then_latest_recording(
    hass: HomeAssistant,
    lv_entry: MockConfigEntry,
    lv_sim: LinkVisualSimulator,
    expose: Expose,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Record now answers the record id; the latest tool tells when it is there."""
    expose(GARDEN_BUTTON)
    lv_sim.record_delay = 20
    result = await call(hass, "record", {"name": "garden", "duration": "2 minutes"})
    assert not result.error, result
    record_id = result.data["record_id"]
    assert result.data == {"camera": "Garden", "record_id": record_id, "seconds": 120}
    assert lv_sim.count("TriggerRecord") == 1

    pending = await call(hass, "latest_media", {"name": "Garden"})
    assert pending.error
    assert pending.data == {"error": "The recording of Garden is not uploaded yet"}

    for _ in range(12):
        await advance_time(hass, freezer, 16)
    latest = await call(hass, "latest_media", {"name": "Garden"})
    assert not latest.error, latest
    tracker = lv_entry.runtime_data.trackers["garden"]
    assert tracker.last is not None
    assert latest.data["media_id"] == recording_media_id(
        lv_entry.entry_id, "garden", tracker.last.file_name
    )
    assert latest.data["kind"] == "recording"
    assert "records_still_uploading" not in latest.data

    # a number of seconds works as well; the latest tells it is uploading
    result = await call(hass, "record", {"name": "Garden", "duration": 30})
    assert result.data["seconds"] == 30
    assert lv_sim.count("TriggerRecord") == 2
    latest = await call(hass, "latest_media", {"name": "Garden"})
    assert latest.data["records_still_uploading"] == [result.data["record_id"]]


async def test_export_video_and_status(
    hass: HomeAssistant,
    vdg_at_noon: MockConfigEntry,
    vdg_sim: VdgSenseSimulator,
) -> None:
    """Times as said, in Home Assistant's zone; the export is then followed."""
    result = await call(
        hass,
        "export_video",
        {"cameras": ["the lobby camera", "Entrance"], "start": "10:00", "end": "10:15"},
    )
    assert not result.error, result
    export_id = result.data["export_id"]
    assert result.data == {
        "server": "VDG Sense 127.0.0.1",
        "export_id": export_id,
        "cameras": ["Lobby", "Entrance"],
        "start": "2026-12-05T10:00:00+01:00",
        "end": "2026-12-05T10:15:00+01:00",
    }
    export = vdg_sim.exports[int(str(export_id))]
    assert export.path == EXPORT_FOLDER + "\\camera_bridge-20261205-100000"
    names = {d.name: d for d in vdg_sim.devices}
    assert [(d.device_id, d.start, d.end) for d in export.devices] == [
        (
            names[name].device_id,
            datetime(2026, 12, 5, 9, 0, tzinfo=UTC),
            datetime(2026, 12, 5, 9, 15, tzinfo=UTC),
        )
        for name in ("Lobby", "Entrance")
    ]

    running = await call(hass, "export_status", {})
    assert not running.error, running
    (status,) = running.data["exports"]
    assert status["export_id"] == export_id
    assert status["status"] in ("syncing", "pending")
    assert status["cameras"] == ["Lobby", "Entrance"]

    vdg_sim.advance(60)
    by_camera = await call(hass, "export_status", {"camera": "Lobby"})
    (status,) = by_camera.data["exports"]
    assert status["export_id"] == export_id
    assert status["status"] == "completed"
    assert status["progress_percent"] == 100.0
    by_id = await call(hass, "export_status", {"export_id": export_id})
    assert [e["export_id"] for e in by_id.data["exports"]] == [export_id]
    # nothing running any more
    assert (await call(hass, "export_status", {})).data == {"exports": []}


async def test_latest_snapshot_of_a_stream(
    hass: HomeAssistant,
    wcs_entry: MockConfigEntry,
    wcs_sim: WcsSimulator,
    expose: Expose,
) -> None:
    """A stream's newest media is its camera's snapshot, as a camera media id."""
    expose(FRONT_DOOR)
    result = await call(hass, "latest_media", {"name": "front-door"})
    assert not result.error, result
    assert result.data["media_id"] == f"media-source://camera/{FRONT_DOOR}"
    assert result.data["kind"] == "snapshot"
    assert wcs_sim.count("snapshot:front-door") >= 1
