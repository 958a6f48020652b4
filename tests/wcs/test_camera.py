"""Camera images of WCS streams through Home Assistant's camera API."""

from __future__ import annotations

import asyncio
from http import HTTPStatus

from homeassistant.components.camera import async_get_image
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.camera_bridge.api.wcs import PNG_SIGNATURE
from tests.conftest import setup_entry


async def test_image_is_png(hass: HomeAssistant, wcs_data) -> None:
    await setup_entry(hass, wcs_data)
    image = await async_get_image(hass, "camera.garden")
    assert image.content_type == "image/png"
    assert image.content.startswith(PNG_SIGNATURE)


async def test_concurrent_requests_share_one_snapshot(
    hass: HomeAssistant, wcs_data, wcs_sim
) -> None:
    await setup_entry(hass, wcs_data, options={"snapshot_cache": 0})
    wcs_sim.snapshot_delay = 0.2
    images = await asyncio.gather(
        *(async_get_image(hass, "camera.garden") for _ in range(8))
    )
    assert len({i.content for i in images}) == 1
    assert wcs_sim.count("snapshot:garden") == 1


async def test_cache_lifetime(hass: HomeAssistant, wcs_data, wcs_sim, freezer) -> None:
    await setup_entry(hass, wcs_data, options={"snapshot_cache": 10})
    await async_get_image(hass, "camera.garden")
    await async_get_image(hass, "camera.garden")
    assert wcs_sim.count("snapshot:garden") == 1
    freezer.tick(11)
    await async_get_image(hass, "camera.garden")
    assert wcs_sim.count("snapshot:garden") == 2


async def test_no_cache_when_zero(hass: HomeAssistant, wcs_data, wcs_sim) -> None:
    await setup_entry(hass, wcs_data, options={"snapshot_cache": 0})
    await async_get_image(hass, "camera.garden")
    await async_get_image(hass, "camera.garden")
    assert wcs_sim.count("snapshot:garden") == 2


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (
            lambda sim: setattr(sim, "snapshot_error", "Snapshot response timeout"),
            "Snapshot response timeout",
        ),
        (lambda sim: setattr(sim, "snapshot_garbage", b"GIF89a"), "not a PNG"),
        (lambda sim: sim.unpublish("garden"), "no longer has this stream"),
    ],
)
async def test_snapshot_failures_are_translated(
    hass: HomeAssistant, wcs_data, wcs_sim, break_it, message
) -> None:
    await setup_entry(hass, wcs_data, options={"snapshot_cache": 0})
    break_it(wcs_sim)
    with pytest.raises(HomeAssistantError, match=message):
        await async_get_image(hass, "camera.garden")


async def test_snapshot_never_hangs_past_timeout(
    hass: HomeAssistant, wcs_data, wcs_sim
) -> None:
    await setup_entry(
        hass, wcs_data, options={"snapshot_cache": 0, "snapshot_timeout": 1}
    )
    wcs_sim.snapshot_delay = 5
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(HomeAssistantError, match="Could not reach"):
        await async_get_image(hass, "camera.garden")
    assert loop.time() - started < 4


async def test_camera_proxy_serves_png(
    hass: HomeAssistant, hass_client, wcs_data
) -> None:
    await setup_entry(hass, wcs_data)
    client = await hass_client()
    resp = await client.get("/api/camera_proxy/camera.front_door")
    assert resp.status == HTTPStatus.OK
    assert resp.content_type == "image/png"
    assert (await resp.read()).startswith(PNG_SIGNATURE)
