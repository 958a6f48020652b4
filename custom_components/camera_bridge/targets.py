"""Resolve an action's target (devices or entities) to loaded entries of a backend."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import CONF_KIND, DOMAIN
from .coordinator import CameraBridgeConfigEntry


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


@callback
def async_get_loaded_entry(
    hass: HomeAssistant, entry_id: str, kind: str
) -> CameraBridgeConfigEntry:
    """The loaded Camera Bridge entry ``entry_id`` of backend ``kind``."""
    entry: CameraBridgeConfigEntry | None = hass.config_entries.async_get_entry(
        entry_id
    )
    if entry is None or entry.domain != DOMAIN or entry.data.get(CONF_KIND) != kind:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_target",
            translation_placeholders={"kind": kind},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    return entry


def _entry_ids(device: Any) -> Iterable[str]:
    """The config entries a device belongs to.

    Home Assistant 2026.10 gives a device one ``config_entry_id`` and
    deprecates ``config_entries``; 2026.3 only has ``config_entries``.
    """
    entry_id: str | None = getattr(device, "config_entry_id", None)
    if entry_id is not None:
        return (entry_id,)
    entries: Iterable[str] = device.config_entries
    return entries


@callback
def async_get_target_devices(
    hass: HomeAssistant, call: ServiceCall, kind: str
) -> list[tuple[CameraBridgeConfigEntry, dr.DeviceEntry]]:
    """Resolve an action's device/entity target to (entry, device) pairs.

    Every targeted device must belong to a loaded entry of backend ``kind``.
    """
    dev_reg = dr.async_get(hass)
    ent_reg = er.async_get(hass)
    device_ids = _as_list(call.data.get(ATTR_DEVICE_ID))
    for entity_id in _as_list(call.data.get(ATTR_ENTITY_ID)):
        entity = ent_reg.async_get(entity_id)
        if entity is None or entity.device_id is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_target",
                translation_placeholders={"kind": kind},
            )
        device_ids.append(entity.device_id)
    if not device_ids:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_target",
            translation_placeholders={"kind": kind},
        )
    targets: list[tuple[CameraBridgeConfigEntry, dr.DeviceEntry]] = []
    for device_id in dict.fromkeys(device_ids):
        device = dev_reg.async_get(device_id)
        entry = None
        if device is not None:
            entry = next(
                (
                    candidate
                    for entry_id in _entry_ids(device)
                    if (candidate := hass.config_entries.async_get_entry(entry_id))
                    and candidate.domain == DOMAIN
                    and candidate.data.get(CONF_KIND) == kind
                ),
                None,
            )
        if device is None or entry is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_target",
                translation_placeholders={"kind": kind},
            )
        # 2026.10 may hand back a child device entry; it reads like a device
        targets.append(
            (
                async_get_loaded_entry(hass, entry.entry_id, kind),
                cast("dr.DeviceEntry", device),
            )
        )
    return targets
