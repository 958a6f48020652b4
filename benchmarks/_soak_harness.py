"""The soak's Home Assistant: one entry per simulator, at rest and its targets.

Every entry polls every second (``POLL``); LinkVisual live URLs are valid
30 s and renewed 5 s before their end, so that renewals happen during a run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
import time
from typing import Any

from homeassistant.components.camera import CameraEntityFeature  # type: ignore[attr-defined,unused-ignore]
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.const import (
    CONF_KIND,
    CONF_SCAN_INTERVAL,
    DOMAIN,
    KIND_LINKVISUAL,
    KIND_OSC,
    KIND_VDG_SENSE,
    KIND_WCS,
)
from custom_components.camera_bridge.helpers import async_find_device
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET

from ._soak_load import Load, Targets
from ._soak_probe import AvailabilityRecorder, Sample, quiet_sample

HOST = "127.0.0.1"
POLL = 1  # seconds between polls, every entry
LV_CAMERAS = (
    ("garden", "Garden", {"iot_id": "SimCam0001xyzIotIdA000100"}),
    ("porch", "Porch", {"product_key": "a1SimProduct", "device_name": "porch"}),
)
# LinkVisual live URLs: valid 30 s, renewed 5 s before their end (several
# renewals during a run instead of one every 570 s)
LIVE_VALIDITY = 30
LIVE_RENEW = timedelta(seconds=5)


def entry_configs(ports: dict[str, int]) -> dict[str, dict[str, Any]]:
    """MockConfigEntry arguments of the four entries, by simulator."""
    lv_subentries = [
        {
            "data": {"duration": 60, "pre_record": 0, "stream_type": 0, **ids},
            "subentry_type": "camera",
            "title": title,
            "unique_id": ids.get("iot_id") or "a1SimProduct/porch",
            "subentry_id": sub_id,
        }
        for sub_id, title, ids in LV_CAMERAS
    ]
    return {
        "wcs": {
            "title": "WCS",
            "data": {
                CONF_KIND: KIND_WCS,
                "url": f"http://{HOST}:{ports['wcs']}",
                "verify_ssl": True,
            },
            "options": {CONF_SCAN_INTERVAL: POLL},
        },
        "osc": {
            "title": "THETA",
            "unique_id": "10100001",
            "data": {CONF_KIND: KIND_OSC, "host": HOST, "port": ports["osc"]},
            "options": {CONF_SCAN_INTERVAL: POLL},
        },
        "vdg": {
            "title": "VDG Sense",
            "data": {
                CONF_KIND: KIND_VDG_SENSE,
                "host": HOST,
                "port": ports["vdg"],
                "ssl": False,
                "verify_ssl": True,
            },
            "options": {CONF_SCAN_INTERVAL: POLL, "active_interval": POLL},
        },
        "lv": {
            "title": "LinkVisual",
            "unique_id": DEFAULT_KEY_ID,
            "data": {
                CONF_KIND: KIND_LINKVISUAL,
                "access_key_id": DEFAULT_KEY_ID,
                "access_key_secret": DEFAULT_KEY_SECRET,
                "region": "cn-shanghai",
                "endpoint": f"http://{HOST}:{ports['lv']}",
                "iot_instance_id": "",
            },
            "options": {CONF_SCAN_INTERVAL: POLL, "pending_interval": POLL},
            "subentries_data": lv_subentries,
        },
    }


@dataclass
class Harness:
    """The entries, which simulator each entity talks to, the load's targets."""

    entries: dict[str, MockConfigEntry]
    sim_of: dict[str, str]
    targets: Targets


async def set_up(hass: HomeAssistant, ports: dict[str, int]) -> Harness:
    """The four entries; which simulator each entity talks to; the load's targets."""
    assert await async_setup_component(hass, "media_source", {})
    entries = {}
    for sim, config in entry_configs(ports).items():
        entry = MockConfigEntry(domain=DOMAIN, **config)
        entry.add_to_hass(hass)
        if not await hass.config_entries.async_setup(entry.entry_id):
            raise RuntimeError(f"{sim}: the entry did not set up ({entry.state})")
        entries[sim] = entry
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    sim_of: dict[str, str] = {}
    by_sim: dict[str, list[er.RegistryEntry]] = {}
    for sim, entry in entries.items():
        for item in er.async_entries_for_config_entry(registry, entry.entry_id):
            if hass.states.get(item.entity_id) is not None:
                sim_of[item.entity_id] = sim
                by_sim.setdefault(sim, []).append(item)
    cameras = [e for e in sim_of if e.startswith("camera.")]
    preview = next(i for i in by_sim["osc"] if i.unique_id.endswith("_live_preview"))
    live = [
        i
        for i in by_sim["lv"]
        if i.domain == "camera"
        and (state := hass.states.get(i.entity_id)) is not None
        and state.attributes.get("supported_features", 0) & CameraEntityFeature.STREAM
    ]
    vdg_device = async_find_device(
        hass, entries["vdg"].entry_id, (DOMAIN, entries["vdg"].entry_id)
    )
    assert vdg_device is not None and preview.device_id is not None
    targets = Targets(
        base_url="",  # once Home Assistant's HTTP server runs
        preview=preview.entity_id,
        live=[i.entity_id for i in live],
        cameras=cameras,
        buttons=[e for e in sim_of if e.startswith("button.")],
        osc_device=preview.device_id,
        lv_devices=[i.device_id for i in live if i.device_id],
        vdg_device=vdg_device.id,
        sim_of=sim_of,
        capture_status=next(e for e in sim_of if e.endswith("_capture_status")),
        media_folders={
            sim: f"media-source://{DOMAIN}/{entries[sim].entry_id}"
            for sim in ("osc", "vdg", "lv")
        },
    )
    live_urls = entries["lv"].runtime_data.live
    live_urls.valid_for = LIVE_VALIDITY
    live_urls.renew_before = LIVE_RENEW
    return Harness(entries, sim_of, targets)


async def settle(
    hass: HomeAssistant,
    load: Load,
    entries: dict[str, MockConfigEntry],
    availability: AvailabilityRecorder,
    down_at_start: set[str],
) -> Sample:
    """Wait until the viewers left and all recovered, then measure at rest."""
    hub = entries["osc"].runtime_data.preview
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        healthy = all(e.runtime_data.last_update_success for e in entries.values())
        down = set(availability.down_now()) - down_at_start
        if not load.viewers and not hub.streaming and healthy and not down:
            break
        await asyncio.sleep(0.5)
    else:
        print(f"  (not at rest after 60 s: down {availability.down_now()})")
    # the preview's upstream ends 5 s after its last viewer; a few polls more
    await asyncio.sleep(hub.timing.linger + 3 * POLL)
    return await quiet_sample(hass)
