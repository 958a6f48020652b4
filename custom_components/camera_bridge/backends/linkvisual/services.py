"""Actions of LinkVisual cameras: trigger a record, get a recording's playback URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
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
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from ...api import CameraBridgeError
from ...api.linkvisual import (
    MAX_DURATION,
    MAX_PRE_RECORD,
    MAX_URL_VALIDITY,
    MIN_DURATION,
    MIN_URL_VALIDITY,
    LinkVisualValidationError,
)
from ...const import DOMAIN, KIND_LINKVISUAL
from ...helpers import translate_error
from ...targets import async_get_target_devices
from .const import (
    CONF_DURATION,
    CONF_PRE_RECORD,
    CONF_STREAM_TYPE,
    DEFAULT_URL_VALIDITY,
)
from .coordinator import LinkVisualCoordinator

SERVICE_TRIGGER_RECORD = "trigger_record"
SERVICE_GET_RECORDING_URL = "get_recording_url"
ATTR_RECORD_ID = "record_id"
ATTR_FILE_NAME = "file_name"
ATTR_VALID_FOR = "valid_for"

_TARGET: dict[Any, Any] = {
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
}

TRIGGER_RECORD_SCHEMA: Any = vol.Schema(
    {
        **_TARGET,
        vol.Optional(CONF_DURATION): vol.All(
            vol.Coerce(int), vol.Range(min=MIN_DURATION, max=MAX_DURATION)
        ),
        vol.Optional(CONF_PRE_RECORD): vol.All(
            vol.Coerce(int), vol.Range(min=0, max=MAX_PRE_RECORD)
        ),
        vol.Optional(CONF_STREAM_TYPE): vol.All(vol.Coerce(int), vol.In([0, 1])),
    }
)

GET_RECORDING_URL_SCHEMA: Any = vol.Schema(
    {
        **_TARGET,
        vol.Exclusive(ATTR_RECORD_ID, "recording"): cv.string,
        vol.Exclusive(ATTR_FILE_NAME, "recording"): cv.string,
        vol.Optional(ATTR_VALID_FOR, default=DEFAULT_URL_VALIDITY): vol.All(
            vol.Coerce(int), vol.Range(min=MIN_URL_VALIDITY, max=MAX_URL_VALIDITY)
        ),
    }
)


def _cameras(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[str, LinkVisualCoordinator, str]]:
    """(device id, coordinator, camera subentry id) of every target."""
    cameras = []
    for entry, device in async_get_target_devices(hass, call, KIND_LINKVISUAL):
        coordinator = entry.runtime_data
        assert isinstance(coordinator, LinkVisualCoordinator)
        sub_id = coordinator.subentry_id_of(set(device.identifiers))
        if sub_id is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_target",
                translation_placeholders={"kind": KIND_LINKVISUAL},
            )
        cameras.append((device.id, coordinator, sub_id))
    return cameras


def _error(err: CameraBridgeError) -> Exception:
    if isinstance(err, LinkVisualValidationError):
        return translate_error(err, ServiceValidationError)
    return translate_error(err)


async def _async_trigger_record(call: ServiceCall) -> ServiceResponse:
    records: list[JsonValueType] = []
    for device_id, coordinator, sub_id in _cameras(call.hass, call):
        try:
            record_id = await coordinator.async_trigger_record(
                sub_id,
                duration=call.data.get(CONF_DURATION),
                pre_record=call.data.get(CONF_PRE_RECORD),
                stream_type=call.data.get(CONF_STREAM_TYPE),
            )
        except CameraBridgeError as err:
            raise _error(err) from err
        records.append({"device_id": device_id, ATTR_RECORD_ID: record_id})
    if not call.return_response:
        return None
    first = records[0]
    assert isinstance(first, dict)
    return {ATTR_RECORD_ID: first[ATTR_RECORD_ID], "records": records}


async def _async_get_recording_url(call: ServiceCall) -> ServiceResponse:
    cameras = _cameras(call.hass, call)
    if len(cameras) != 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="single_camera_required"
        )
    record_id: str | None = call.data.get(ATTR_RECORD_ID)
    file_name: str = call.data.get(ATTR_FILE_NAME) or ""
    if not record_id and not file_name:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="recording_required"
        )
    _, coordinator, sub_id = cameras[0]
    device = coordinator.trackers[sub_id].config.device
    valid_for: int = call.data[ATTR_VALID_FOR]
    client = coordinator.client
    try:
        if record_id:
            recording = await client.query_record_by_record_id(record_id, device)
            if recording is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="recording_not_ready",
                    translation_placeholders={"record_id": record_id},
                )
            file_name = recording.file_name
        # expiry counted from before the request: never later than the service's
        expires = dt_util.utcnow() + timedelta(seconds=valid_for)
        url = await client.query_record_url(file_name, valid_for, device=device)
    except CameraBridgeError as err:
        raise _error(err) from err
    return {"url": url, "expires": expires.isoformat(), ATTR_FILE_NAME: file_name}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the LinkVisual actions (once, in async_setup)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_TRIGGER_RECORD,
        _async_trigger_record,
        schema=TRIGGER_RECORD_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_RECORDING_URL,
        _async_get_recording_url,
        schema=GET_RECORDING_URL_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
