"""OSC 360° cameras (RICOH THETA, Insta360, ...): take pictures, show the latest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import voluptuous as vol

from ...api.osc import DEFAULT_TUNING, OscClient, OscTuning
from ...const import CONF_SCAN_INTERVAL, KIND_OSC
from ...coordinator import CameraBridgeConfigEntry
from ..base import BackendSpec, EntryInfo, InvalidInput
from ..schema import credential_fields, seconds_selector
from .const import (
    CONF_PREVIEW_FORMAT,
    CONF_SHOT_TIMEOUT,
    DEFAULT_PORT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SHOT_TIMEOUT,
    PREVIEW_FORMAT_CAMERA,
)
from .coordinator import OscCoordinator
from .entities import async_setup_platform
from .media import OscMediaProvider
from .services import async_setup_services
from .voice import OscVoice


def _user_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST): TextSelector(),
            vol.Required(CONF_PORT, default=DEFAULT_PORT): NumberSelector(
                NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
            ),
            **credential_fields(),
        }
    )


def _reauth_schema() -> vol.Schema:
    return vol.Schema(credential_fields())


def _option_fields() -> dict[Any, Any]:
    return {
        vol.Required(CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL): (
            seconds_selector(2, 3600)
        ),
        vol.Required(CONF_SHOT_TIMEOUT, default=DEFAULT_SHOT_TIMEOUT): (
            seconds_selector(10, 600)
        ),
    }


def _options_schema() -> vol.Schema:
    return vol.Schema(_option_fields())


def _entry_options_schema(entry: CameraBridgeConfigEntry) -> vol.Schema:
    """The options, and the live preview sizes the camera offers (if any)."""
    coordinator = getattr(entry, "runtime_data", None)
    support = (
        coordinator.preview.support if isinstance(coordinator, OscCoordinator) else None
    )
    sizes = [size.key for size in support.formats] if support else []
    chosen = entry.options.get(CONF_PREVIEW_FORMAT)
    if chosen and chosen not in (PREVIEW_FORMAT_CAMERA, *sizes):
        sizes.append(chosen)  # the camera is away: keep what was chosen
    if not sizes:
        return _options_schema()
    return vol.Schema(
        {
            **_option_fields(),
            vol.Optional(
                CONF_PREVIEW_FORMAT,
                description={"suggested_value": PREVIEW_FORMAT_CAMERA},
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[PREVIEW_FORMAT_CAMERA, *sizes],
                    translation_key="preview_format",
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


def _host(data: Mapping[str, Any]) -> str:
    host = str(data.get(CONF_HOST, "")).strip()
    for prefix in ("http://", "https://"):
        host = host.removeprefix(prefix)
    host = host.rstrip("/")
    # a port goes in its own field; IPv6 addresses have several colons
    if not host or any(c in host for c in "/ ?#@") or host.count(":") == 1:
        raise InvalidInput(CONF_HOST, "invalid_host")
    return host


def _client(
    hass: HomeAssistant, data: Mapping[str, Any], tuning: OscTuning | None = None
) -> OscClient:
    return OscClient(
        async_get_clientsession(hass),
        _host(data),
        int(data.get(CONF_PORT, DEFAULT_PORT)),
        data.get(CONF_USERNAME) or None,
        data.get(CONF_PASSWORD) or None,
        tuning=tuning or DEFAULT_TUNING,
    )


async def _async_validate(hass: HomeAssistant, data: Mapping[str, Any]) -> EntryInfo:
    """Ask the camera who it is; read its state to check the credentials."""
    host = _host(data)
    client = _client(hass, data)
    info = await client.info()
    await client.state()
    return EntryInfo(
        unique_id=info.unique_id,
        title=info.model or info.manufacturer or "OSC camera",
        data_updates={
            CONF_HOST: host,
            CONF_PORT: int(data.get(CONF_PORT, DEFAULT_PORT)),
        },
    )


async def _async_create_coordinator(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> OscCoordinator:
    deadline = float(entry.options.get(CONF_SHOT_TIMEOUT, DEFAULT_SHOT_TIMEOUT))
    client = _client(
        hass, entry.data, replace(DEFAULT_TUNING, command_deadline=deadline)
    )
    return OscCoordinator(hass, entry, client)


# one Media browser memory: files handed to voice assistants resolve there
_MEDIA = OscMediaProvider()

SPEC = BackendSpec(
    kind=KIND_OSC,
    platforms=(Platform.BUTTON, Platform.CAMERA, Platform.EVENT, Platform.SENSOR),
    user_schema=_user_schema,
    reauth_schema=_reauth_schema,
    options_schema=_options_schema,
    entry_options_schema=_entry_options_schema,
    async_validate=_async_validate,
    async_create_coordinator=_async_create_coordinator,
    async_setup_platform=async_setup_platform,
    unique_id_follows_address=False,
    async_setup_services=async_setup_services,
    media=_MEDIA,
    voice=OscVoice(_MEDIA).actions(),
)
