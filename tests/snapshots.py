"""The snapshot tests every backend shares: each platform's entities, the devices.

A backend's ``test_snapshots.py`` gives a ``snapshot_entry`` fixture (a call
that sets up its entry, with a fixed entry id) and takes its two tests from
:func:`snapshot_tests`; the amber files stay beside it, one per release.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.conftest import only_platforms, snapshot_devices

# Sets up the backend's entry (only the platforms allowed at the time)
type EntrySetup = Callable[[], Awaitable[MockConfigEntry]]

FROZEN_AT = "2026-01-15 12:00:00+00:00"


def snapshot_tests(
    kind: str, platforms: Iterable[Platform]
) -> tuple[Callable[..., Awaitable[None]], Callable[..., Awaitable[None]]]:
    """``test_entities`` (one case per platform) and ``test_devices`` of a backend."""

    def marked(test: Any) -> Any:
        test = pytest.mark.freeze_time(FROZEN_AT)(test)
        return pytest.mark.usefixtures("entity_registry_enabled_by_default")(test)

    @marked
    @pytest.mark.parametrize("platform", tuple(platforms))
    async def test_entities(
        hass: HomeAssistant,
        entity_registry: er.EntityRegistry,
        snapshot: SnapshotAssertion,
        snapshot_entry: EntrySetup,
        platform: Platform,
    ) -> None:
        """Registry entries and states of one platform's entities."""
        with only_platforms(kind, platform):
            entry = await snapshot_entry()
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)

    @marked
    async def test_devices(
        hass: HomeAssistant, snapshot: SnapshotAssertion, snapshot_entry: EntrySetup
    ) -> None:
        """The entry's devices and which entities sit on which."""
        snapshot_devices(hass, snapshot, (await snapshot_entry()).entry_id)

    return test_entities, test_devices
