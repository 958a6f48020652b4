"""Fixtures of the LinkVisual tests: a simulator on a free port, a client, an account entry."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.api.linkvisual import (
    Device,
    LinkVisualClient,
    Recording,
)
from custom_components.camera_bridge.const import CONF_KIND, KIND_LINKVISUAL
from simulator.common import RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator
from tests.conftest import StartServer, advance_time, setup_entry

GARDEN = Device(iot_id="SimCam0001xyzIotIdA000100")
PORCH = Device(product_key="a1SimProduct", device_name="porch")


@pytest.fixture
def sim() -> LinkVisualSimulator:
    """A simulated account whose records are ready almost at once."""
    return LinkVisualSimulator(record_delay=0.05)


@pytest.fixture
async def server(start_server: StartServer, sim: LinkVisualSimulator) -> RunningServer:
    """The simulator served on 127.0.0.1 for one test."""
    return await start_server(sim)


@pytest.fixture
def client(session: aiohttp.ClientSession, server: RunningServer) -> LinkVisualClient:
    """A client of the simulator with the simulator's key."""
    return LinkVisualClient(
        session, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, endpoint=server.url, timeout=5
    )


async def wait_ready(client: LinkVisualClient, record_id: str) -> Recording:
    """The garden camera's triggered record, polled until its file is there."""
    for _ in range(100):
        recording = await client.query_record_by_record_id(record_id, GARDEN)
        if recording is not None:
            return recording
        await asyncio.sleep(0.02)
    raise AssertionError("the record never became available")


GARDEN_IOT_ID = "SimCam0001xyzIotIdA000100"
ENTRY_UNIQUE_ID = DEFAULT_KEY_ID


def camera(
    title: str = "Garden",
    subentry_id: str = "garden",
    **data: Any,
) -> ConfigSubentryDataWithId:
    """A camera subentry (the garden camera of the simulator by default)."""
    values: dict[str, Any] = {"duration": 60, "pre_record": 0, "stream_type": 0}
    if not {"iot_id", "product_key", "device_name"} & data.keys():
        values["iot_id"] = GARDEN_IOT_ID
    values |= data
    return ConfigSubentryDataWithId(
        data=values,
        subentry_type="camera",
        title=title,
        unique_id=values.get("iot_id")
        or f"{values.get('product_key')}/{values.get('device_name')}",
        subentry_id=subentry_id,
    )


PORCH_CAMERA = camera("Porch", "porch", product_key="a1SimProduct", device_name="porch")


@pytest.fixture
def lv_data(server: RunningServer) -> dict[str, Any]:
    """Account data pointing at the simulator."""
    return {
        CONF_KIND: KIND_LINKVISUAL,
        "access_key_id": DEFAULT_KEY_ID,
        "access_key_secret": DEFAULT_KEY_SECRET,
        "region": "cn-shanghai",
        "endpoint": server.url,
        "iot_instance_id": "",
    }


async def setup_account(
    hass: HomeAssistant,
    data: dict[str, Any],
    cameras: list[ConfigSubentryDataWithId] | None = None,
    **kwargs: Any,
) -> MockConfigEntry:
    """Set up a LinkVisual account entry with cameras (the garden by default)."""
    return await setup_entry(
        hass,
        data,
        unique_id=ENTRY_UNIQUE_ID,
        title="LinkVisual cn-shanghai",
        subentries_data=[camera()] if cameras is None else cameras,
        **kwargs,
    )


RECORD_NOW = "button.garden_record_now"


@dataclass
class Account:
    """The simulated account's entry under test, and Home Assistant's clock."""

    hass: HomeAssistant
    data: dict[str, Any]
    sim: LinkVisualSimulator
    freezer: FrozenDateTimeFactory

    async def record(
        self,
        delay: float,
        cameras: list[ConfigSubentryDataWithId] | None = None,
        **kwargs: Any,
    ) -> MockConfigEntry:
        """Set the entry up, files ready ``delay`` s after a trigger; press Record now."""
        self.sim.record_delay = delay
        entry = await setup_account(self.hass, self.data, cameras, **kwargs)
        await self.hass.services.async_call(
            "button", "press", {"entity_id": RECORD_NOW}, blocking=True
        )
        return entry

    async def setup(
        self, cameras: list[ConfigSubentryDataWithId] | None = None, **kwargs: Any
    ) -> MockConfigEntry:
        """Set the entry up (the garden camera by default)."""
        return await setup_account(self.hass, self.data, cameras, **kwargs)

    async def tick(self, seconds: float) -> None:
        """Move the clock and let the polls it triggers finish."""
        await advance_time(self.hass, self.freezer, seconds)


@pytest.fixture
def account(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    freezer: FrozenDateTimeFactory,
) -> Account:
    """The account's entry, not set up yet."""
    return Account(hass, lv_data, sim, freezer)
