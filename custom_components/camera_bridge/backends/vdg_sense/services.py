"""Actions of VDG Sense servers: export_video and get_export_status."""

from __future__ import annotations

from typing import Any, cast

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ...api import CameraBridgeError
from ...api.vdg_sense import (
    SenseDevice,
    VdgConnectionLost,
    VdgInvalidExportId,
    VdgNoDevice,
    VdgNotImplemented,
    VdgValidationError,
)
from ...const import DOMAIN, KIND_VDG_SENSE
from ...helpers import register_error_translation, translate_error
from ...targets import async_get_target_devices
from .const import (
    ATTR_BANDWIDTH,
    ATTR_DEVICES,
    ATTR_END,
    ATTR_EXPORT_ID,
    ATTR_PATH,
    ATTR_START,
    SERVICE_EXPORT_VIDEO,
    SERVICE_GET_EXPORT_STATUS,
)
from .coordinator import VdgCoordinator

register_error_translation(
    VdgInvalidExportId,
    "vdg_invalid_export_id",
    lambda err: {"message": getattr(err, "message", "")},
)
register_error_translation(
    VdgNoDevice, "vdg_no_device", lambda err: {"message": getattr(err, "message", "")}
)
register_error_translation(
    VdgNotImplemented,
    "vdg_not_implemented",
    lambda err: {"message": getattr(err, "message", "")},
)
register_error_translation(
    VdgConnectionLost,
    "vdg_connection_lost",
    lambda err: {"message": getattr(err, "message", "")},
)
register_error_translation(
    VdgValidationError, "vdg_invalid_request", lambda err: {"message": str(err)}
)

# Typed loosely: from 2026.9 voluptuous is probatio's shim, whose types differ
_TARGET_FIELDS: dict[Any, Any] = dict(cv.ENTITY_SERVICE_FIELDS)
EXPORT_VIDEO_SCHEMA: Any = vol.Schema(
    {
        **_TARGET_FIELDS,
        vol.Required(ATTR_DEVICES): vol.All(
            cv.ensure_list, [cv.string], vol.Length(min=1)
        ),
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        vol.Required(ATTR_PATH): vol.All(cv.string, vol.Length(min=1)),
        vol.Optional(ATTR_BANDWIDTH): vol.All(vol.Coerce(int), vol.Range(min=1)),
    }
)
GET_EXPORT_STATUS_SCHEMA: Any = vol.Schema(
    {**_TARGET_FIELDS, vol.Optional(ATTR_EXPORT_ID): cv.string}
)


def _coordinator(hass: HomeAssistant, call: ServiceCall) -> VdgCoordinator:
    """The coordinator of the one VDG Sense server the call targets."""
    entries = {
        entry.entry_id: entry
        for entry, _ in async_get_target_devices(hass, call, KIND_VDG_SENSE)
    }
    if len(entries) != 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="single_server_required"
        )
    (entry,) = entries.values()
    return cast("VdgCoordinator", entry.runtime_data)


def _bare(device_id: str) -> str:
    return device_id.strip().strip("{}").casefold()


def resolve_devices(
    devices: tuple[SenseDevice, ...], wanted: list[str]
) -> list[SenseDevice]:
    """Devices named by id (braces optional) or by name, case-insensitively."""
    by_id = {_bare(device.device_id): device for device in devices}
    found: list[SenseDevice] = []
    for text in wanted:
        device = by_id.get(_bare(text))
        if device is None:
            named = [d for d in devices if d.name.casefold() == text.strip().casefold()]
            if len(named) > 1:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="ambiguous_device",
                    translation_placeholders={"device": text},
                )
            if not named:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="unknown_device",
                    translation_placeholders={"device": text},
                )
            device = named[0]
        if device not in found:
            found.append(device)
    return found


async def _async_export_video(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call.hass, call)
    start = dt_util.as_utc(call.data[ATTR_START])
    end = dt_util.as_utc(call.data[ATTR_END])
    if start >= end:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="export_time_range"
        )
    try:
        devices = resolve_devices(
            await coordinator.async_refresh_devices(), call.data[ATTR_DEVICES]
        )
        export_id = await coordinator.async_export_video(
            devices, start, end, call.data[ATTR_PATH], call.data.get(ATTR_BANDWIDTH)
        )
    except VdgValidationError as err:
        raise translate_error(err, ServiceValidationError) from err
    except CameraBridgeError as err:
        raise translate_error(err) from err
    return {ATTR_EXPORT_ID: export_id}


async def _async_get_export_status(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call.hass, call)
    try:
        status = await coordinator.client.export_status(call.data.get(ATTR_EXPORT_ID))
    except (VdgValidationError, VdgInvalidExportId) as err:
        raise translate_error(err, ServiceValidationError) from err
    except CameraBridgeError as err:
        raise translate_error(err) from err
    return {
        "active": status.active_count,
        "exports": [coordinator.export_as_dict(export) for export in status.exports],
        # listed by the server but not readable XML (skipped)
        "unreadable": [
            {"export_id": block.ident, "error": block.error}
            for block in status.unreadable
        ],
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the VDG Sense actions (once, whatever the number of servers)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_VIDEO,
        _async_export_video,
        schema=EXPORT_VIDEO_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_EXPORT_STATUS,
        _async_get_export_status,
        schema=GET_EXPORT_STATUS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
