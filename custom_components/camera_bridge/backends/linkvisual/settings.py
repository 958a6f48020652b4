"""What a LinkVisual config entry says: the account's client and its cameras (subentries)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.linkvisual import DEFAULT_REGION, Device, LinkVisualClient
from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ACCESS_KEY_SECRET,
    CONF_DEVICE_NAME,
    CONF_DURATION,
    CONF_ENDPOINT,
    CONF_IOT_ID,
    CONF_IOT_INSTANCE_ID,
    CONF_PRE_RECORD,
    CONF_PRODUCT_KEY,
    CONF_REGION,
    CONF_STREAM_TYPE,
    DEFAULT_DURATION,
    DEFAULT_PRE_RECORD,
    DEFAULT_STREAM_TYPE,
    SUBENTRY_CAMERA,
)


@dataclass(frozen=True, slots=True)
class CameraConfig:
    """A camera as configured in its subentry."""

    subentry_id: str
    name: str
    device: Device
    duration: int
    pre_record: int
    stream_type: int

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> CameraConfig:
        """Read a camera subentry (raises LinkVisualValidationError without a device)."""
        data = subentry.data
        return cls(
            subentry_id=subentry.subentry_id,
            name=subentry.title,
            device=Device(
                iot_id=data.get(CONF_IOT_ID) or None,
                product_key=data.get(CONF_PRODUCT_KEY) or None,
                device_name=data.get(CONF_DEVICE_NAME) or None,
            ),
            duration=int(data.get(CONF_DURATION, DEFAULT_DURATION)),
            pre_record=int(data.get(CONF_PRE_RECORD, DEFAULT_PRE_RECORD)),
            stream_type=int(data.get(CONF_STREAM_TYPE, DEFAULT_STREAM_TYPE)),
        )


def client_from_data(hass: HomeAssistant, data: Mapping[str, Any]) -> LinkVisualClient:
    """A client for an account's stored settings (raises LinkVisualValidationError)."""
    return LinkVisualClient(
        async_get_clientsession(hass),
        str(data.get(CONF_ACCESS_KEY_ID, "")),
        str(data.get(CONF_ACCESS_KEY_SECRET, "")),
        region=str(data.get(CONF_REGION) or DEFAULT_REGION),
        endpoint=str(data.get(CONF_ENDPOINT) or "") or None,
        iot_instance_id=str(data.get(CONF_IOT_INSTANCE_ID) or "") or None,
    )


def subentry_signature(entry: ConfigEntry) -> dict[str, tuple[str, dict[str, Any]]]:
    """The cameras' titles and settings: a change means the entry must reload."""
    return {
        sub_id: (sub.title, dict(sub.data))
        for sub_id, sub in entry.subentries.items()
        if sub.subentry_type == SUBENTRY_CAMERA
    }
