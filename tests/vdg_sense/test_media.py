"""VDG Sense in the Media browser: completed exports listed, never played."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.camera_bridge.const import DOMAIN
from simulator.vdg_sense import VdgSenseSimulator
from tests.conftest import MediaWs, setup_entry

ROOT = f"media-source://{DOMAIN}"


async def _server(
    hass: HomeAssistant, vdg_data: dict[str, Any], sim: VdgSenseSimulator
):
    sim.add_export("\\\\nas\\done", age=100)  # completed
    sim.add_export("\\\\nas\\running")  # syncing
    sim.add_export("D:\\exports\\older", age=200)  # completed
    return await setup_entry(hass, vdg_data, title="VDG Sense 127.0.0.1")


async def test_completed_exports_are_listed(
    hass: HomeAssistant, media_ws: MediaWs, vdg_data: dict[str, Any], sim
) -> None:
    """The entry's folder lists completed exports with cameras and path; no request."""
    entry = await _server(hass, vdg_data, sim)
    root = await media_ws("browse_media", ROOT)
    assert root["success"], root
    (folder,) = root["result"]["children"]
    assert folder["title"] == "VDG Sense 127.0.0.1"
    assert folder["media_content_id"] == f"{ROOT}/{entry.entry_id}"
    requests = dict(sim.commands)
    answer = await media_ws("browse_media", folder["media_content_id"])
    assert answer["success"], answer
    result = answer["result"]
    assert result["can_expand"] and not result["can_play"]
    assert result["children_media_class"] == "video"
    titles = [child["title"] for child in result["children"]]
    assert len(titles) == 2
    assert all(t.startswith("Entrance: ") for t in titles)
    assert {t.rsplit("(", 1)[1] for t in titles} == {
        "\\\\nas\\done)",
        "D:\\exports\\older)",
    }
    assert not any(child["can_play"] for child in result["children"])
    item = result["children"][0]["media_content_id"]
    assert item.startswith(f"{ROOT}/{entry.entry_id}/export/")
    one = await media_ws("browse_media", item)
    assert one["success"] and one["result"]["title"] == titles[0]
    # the list is the last poll's: browsing asks the server nothing
    assert sim.commands == requests


async def test_exports_are_not_playable(
    hass: HomeAssistant, media_ws: MediaWs, vdg_data: dict[str, Any], sim
) -> None:
    """Resolving a listed export says why it cannot play; unknown ids are not found."""
    entry = await _server(hass, vdg_data, sim)
    folder = await media_ws("browse_media", f"{ROOT}/{entry.entry_id}")
    item = folder["result"]["children"][0]["media_content_id"]
    answer = await media_ws("resolve_media", item)
    assert not answer["success"]
    assert "cannot play them" in answer["error"]["message"]
    for tampered in ("export/999", "export/2", "../export/1", "nothing"):
        missing = await media_ws("browse_media", f"{ROOT}/{entry.entry_id}/{tampered}")
        assert not missing["success"]
        assert "does not exist" in missing["error"]["message"]
