"""Actions of OSC cameras: take_picture (answers the file URL) and set_options."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from ...api import CameraBridgeError
from ...api.osc import OscValidationError
from ...const import DOMAIN, KIND_OSC
from ...helpers import translate_error
from ...targets import async_get_target_devices
from .const import (
    ATTR_FILE_URL,
    ATTR_OPTIONS,
    SERVICE_SET_OPTIONS,
    SERVICE_TAKE_PICTURE,
)
from .coordinator import OscCoordinator

# Types of the options people set most; others go to the camera as given
# (JSON values) and the camera validates them.
OPTION_TYPES: dict[str, type] = {
    "iso": int,
    "exposureCompensation": float,
    "exposureProgram": int,
    "exposureDelay": int,
    "shutterSpeed": float,
    "aperture": float,
    "captureMode": str,
    "whiteBalance": str,
    "sleepDelay": int,
    "offDelay": int,
    "fileFormat": dict,
    "previewFormat": dict,
    "_shutterVolume": int,
    "_colorTemperature": int,
    "_filter": str,
}
# Managed by the client (protocol level); setting it would break the session
FORBIDDEN_OPTIONS = frozenset({"clientVersion"})
_JSON = (bool, int, float, str, list, dict)


def _typed(name: str, value: Any) -> Any:
    expected = OPTION_TYPES.get(name)
    if expected is None:
        if value is None or not isinstance(value, _JSON):
            raise vol.Invalid(f"option {name} needs a JSON value")
        return value
    if expected is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif expected is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif isinstance(value, expected):
        return value
    raise vol.Invalid(f"option {name} must be of type {expected.__name__}")


def validate_options(value: Any) -> dict[str, Any]:
    """A non-empty mapping of option names to values of the right type."""
    if not isinstance(value, dict) or not value:
        raise vol.Invalid("options must be a non-empty mapping")
    options: dict[str, Any] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name:
            raise vol.Invalid("option names must be text")
        if name in FORBIDDEN_OPTIONS:
            raise vol.Invalid(f"option {name} is managed by Camera Bridge")
        options[name] = _typed(name, item)
    return options


# Typed loosely: from 2026.9 voluptuous is probatio's shim, whose types differ
_TARGET_FIELDS: dict[Any, Any] = dict(cv.ENTITY_SERVICE_FIELDS)
TAKE_PICTURE_SCHEMA: Any = vol.Schema(_TARGET_FIELDS)
SET_OPTIONS_SCHEMA: Any = vol.Schema(
    {**_TARGET_FIELDS, vol.Required(ATTR_OPTIONS): validate_options}
)


def _coordinators(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[str, OscCoordinator]]:
    return [
        (device.id, cast("OscCoordinator", entry.runtime_data))
        for entry, device in async_get_target_devices(hass, call, KIND_OSC)
    ]


async def _async_take_picture(call: ServiceCall) -> ServiceResponse:
    targets = _coordinators(call.hass, call)
    try:
        urls = await asyncio.gather(
            *(coordinator.async_take_picture() for _, coordinator in targets)
        )
    except CameraBridgeError as err:
        raise translate_error(err) from err
    response: dict[str, Any] = {ATTR_FILE_URL: urls[0]}
    if len(urls) > 1:
        response["pictures"] = [
            {ATTR_DEVICE_ID: device_id, ATTR_FILE_URL: url}
            for (device_id, _), url in zip(targets, urls, strict=True)
        ]
    return response


async def _async_set_options(call: ServiceCall) -> None:
    options: dict[str, Any] = call.data[ATTR_OPTIONS]
    for _, coordinator in _coordinators(call.hass, call):
        try:
            await coordinator.async_set_options(options)
        except OscValidationError as err:
            raise translate_error(err, ServiceValidationError) from err
        except CameraBridgeError as err:
            raise translate_error(err) from err


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the OSC actions (once, whatever the number of cameras)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_TAKE_PICTURE,
        _async_take_picture,
        schema=TAKE_PICTURE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_OPTIONS,
        _async_set_options,
        schema=SET_OPTIONS_SCHEMA,
    )
