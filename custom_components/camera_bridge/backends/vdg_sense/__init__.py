"""TKH Security VDG Sense: video exports with live progress."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import voluptuous as vol

from ...api.vdg_sense import (
    DEFAULT_PORT,
    VdgNotImplemented,
    VdgSenseClient,
    VdgValidationError,
)
from ...const import CONF_SCAN_INTERVAL, KIND_VDG_SENSE
from ...coordinator import CameraBridgeConfigEntry
from ..base import BackendSpec, EntryInfo, InvalidInput
from ..schema import credential_fields, seconds_selector
from .const import (
    CONF_ACTIVE_INTERVAL,
    CONF_EXPORT_FOLDER,
    CONF_FINISHED_HOURS,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_FINISHED_HOURS,
    DEFAULT_IDLE_INTERVAL,
    MODEL,
)
from .coordinator import VdgCoordinator
from .entities import async_setup_platform
from .media import VdgMediaProvider
from .services import async_setup_services
from .voice import VOICE


def _user_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST): TextSelector(),
            vol.Required(CONF_PORT, default=DEFAULT_PORT): NumberSelector(
                NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
            ),
            vol.Required(CONF_SSL, default=False): bool,
            vol.Required(CONF_VERIFY_SSL, default=True): bool,
            **credential_fields(),
        }
    )


def _reauth_schema() -> vol.Schema:
    return vol.Schema(credential_fields())


def _options_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_ACTIVE_INTERVAL, default=DEFAULT_ACTIVE_INTERVAL
            ): seconds_selector(2, 600),
            vol.Required(
                CONF_SCAN_INTERVAL, default=DEFAULT_IDLE_INTERVAL
            ): seconds_selector(10, 3600),
            vol.Required(
                CONF_FINISHED_HOURS, default=DEFAULT_FINISHED_HOURS
            ): NumberSelector(
                NumberSelectorConfig(
                    min=0,
                    max=720,
                    step=1,
                    unit_of_measurement="h",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            vol.Optional(CONF_EXPORT_FOLDER): TextSelector(),
        }
    )


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> VdgSenseClient:
    return VdgSenseClient(
        async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True)),
        str(data[CONF_HOST]),
        int(data.get(CONF_PORT, DEFAULT_PORT)),
        ssl=bool(data.get(CONF_SSL, False)),
        username=data.get(CONF_USERNAME) or None,
        password=data.get(CONF_PASSWORD) or None,
    )


async def _async_validate(hass: HomeAssistant, data: Mapping[str, Any]) -> EntryInfo:
    """Reach /info, then make an authenticated call the integration needs."""
    if ":" in str(data.get(CONF_USERNAME) or ""):
        # HTTP Basic cannot carry it
        raise InvalidInput(CONF_USERNAME, "invalid_username")
    try:
        client = _client(hass, data)
    except VdgValidationError as err:
        raise InvalidInput(CONF_HOST, "invalid_host") from err
    await client.info()
    try:
        await client.export_status()
    except VdgNotImplemented as err:
        raise InvalidInput("base", "export_api_missing") from err
    url = client.base_url
    host = url.host or str(data[CONF_HOST])
    address = f"[{host}]" if ":" in host else host
    port = url.port or DEFAULT_PORT
    # the server exposes no serial number: the address identifies it
    return EntryInfo(
        unique_id=f"{address}:{port}",
        title=f"{MODEL} {host}",
        data_updates={CONF_HOST: host, CONF_PORT: port},
    )


async def _async_create_coordinator(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> VdgCoordinator:
    return VdgCoordinator(hass, entry, _client(hass, entry.data))


SPEC = BackendSpec(
    kind=KIND_VDG_SENSE,
    platforms=(Platform.SENSOR, Platform.EVENT),
    user_schema=_user_schema,
    reauth_schema=_reauth_schema,
    options_schema=_options_schema,
    async_validate=_async_validate,
    async_create_coordinator=_async_create_coordinator,
    async_setup_platform=async_setup_platform,
    unique_id_follows_address=True,
    async_setup_services=async_setup_services,
    media=VdgMediaProvider(),
    voice=VOICE,
)
