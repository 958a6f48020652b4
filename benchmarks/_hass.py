"""A real Home Assistant core for benchmarks that go through its APIs.

The core is the one the tests run (pytest-homeassistant-custom-component's
``async_test_home_assistant``: registries in memory, a throw-away config
directory), with custom integrations enabled so that Camera Bridge loads
from this checkout. Its shared HTTP session resolves names with aiohttp's
threaded resolver, as in the tests, rather than through zeroconf (the fakes
are reached by IP address anyway).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import logging
import tempfile
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
from homeassistant import loader
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.camera_bridge.const import DOMAIN


@asynccontextmanager
async def running_hass() -> AsyncIterator[HomeAssistant]:
    """A started Home Assistant, stopped on the way out."""
    resolver = ThreadedResolver()
    # what Home Assistant calls when it closes its sessions' resolver
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    # the custom integration and zlib warnings would cut the tables
    for name in ("homeassistant.loader", "aiohttp_fast_zlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with (
        tempfile.TemporaryDirectory() as config_dir,
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            return_value=resolver,
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


async def add_entry(
    hass: HomeAssistant, data: dict[str, Any], options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """Add a Camera Bridge entry and set it up."""
    entry = MockConfigEntry(domain=DOMAIN, data=data, options=options or {})
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"the entry did not set up: {entry.state}")
    await hass.async_block_till_done()
    return entry
