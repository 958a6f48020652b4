"""Flashphoner Web Call Server: every published stream as a camera."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
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
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from ...api.wcs import WcsClient, normalize_url
from ...const import CONF_SCAN_INTERVAL, KIND_WCS
from ...coordinator import CameraBridgeConfigEntry
from ..base import BackendSpec, EntryInfo, InvalidInput
from ..schema import credential_fields, seconds_selector
from .const import (
    CONF_HLS_PORT,
    CONF_LIVE_PROTOCOL,
    CONF_RTSP_PORT,
    CONF_SNAPSHOT_CACHE,
    CONF_SNAPSHOT_TIMEOUT,
    CONF_STREAM_FILTER,
    CONF_STREAM_PROTOCOL,
    CONF_WS_PORT,
    DEFAULT_LIVE_PROTOCOL,
    DEFAULT_RTSP_PORT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SNAPSHOT_CACHE,
    DEFAULT_SNAPSHOT_TIMEOUT,
    DEFAULT_STREAM_PROTOCOL,
)
from .coordinator import WcsCoordinator, compile_filter
from .entities import async_setup_platform
from .live import LiveProtocol
from .voice import VOICE


def _port_selector() -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
    )


def _user_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            **credential_fields(),
            vol.Required(CONF_VERIFY_SSL, default=True): bool,
        }
    )


def _reauth_schema() -> vol.Schema:
    return vol.Schema(credential_fields())


def _options_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL
            ): seconds_selector(5, 3600),
            vol.Optional(CONF_STREAM_FILTER): TextSelector(),
            vol.Required(
                CONF_SNAPSHOT_CACHE, default=DEFAULT_SNAPSHOT_CACHE
            ): seconds_selector(0, 300),
            vol.Required(
                CONF_SNAPSHOT_TIMEOUT, default=DEFAULT_SNAPSHOT_TIMEOUT
            ): seconds_selector(1, 60, 0.5),
            vol.Required(
                CONF_LIVE_PROTOCOL, default=DEFAULT_LIVE_PROTOCOL
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[p.value for p in LiveProtocol],
                    translation_key="wcs_live_protocol",
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            # with WebRTC: what stream_source() gives
            vol.Required(
                CONF_STREAM_PROTOCOL, default=DEFAULT_STREAM_PROTOCOL
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[LiveProtocol.RTSP.value, LiveProtocol.HLS.value],
                    translation_key="wcs_stream_protocol",
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_RTSP_PORT, default=DEFAULT_RTSP_PORT): _port_selector(),
            # empty: WCS's default for the server URL's scheme (8082 / 8445)
            vol.Optional(CONF_HLS_PORT): _port_selector(),
            # empty: WCS's default for the server URL's scheme (8080 / 8443)
            vol.Optional(CONF_WS_PORT): _port_selector(),
        }
    )


def _validate_options(options: Mapping[str, Any]) -> None:
    try:
        compile_filter(options.get(CONF_STREAM_FILTER))
    except re.error as err:
        raise InvalidInput(CONF_STREAM_FILTER, "invalid_filter") from err
    for key in (CONF_RTSP_PORT, CONF_HLS_PORT, CONF_WS_PORT):
        port = options.get(key)
        if port is not None and not float(port).is_integer():
            raise InvalidInput(key, "invalid_port")


def _client(hass: HomeAssistant, data: Mapping[str, Any], **kwargs: Any) -> WcsClient:
    return WcsClient(
        async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True)),
        data[CONF_URL],
        username=data.get(CONF_USERNAME) or None,
        password=data.get(CONF_PASSWORD) or None,
        **kwargs,
    )


async def _async_validate(hass: HomeAssistant, data: Mapping[str, Any]) -> EntryInfo:
    try:
        url = normalize_url(str(data.get(CONF_URL, "")))
    except ValueError as err:
        raise InvalidInput(CONF_URL, "invalid_url") from err
    await _client(hass, {**data, CONF_URL: url}).check()
    host = URL(url).host or url
    return EntryInfo(
        unique_id=url,
        title=f"Web Call Server {host}",
        data_updates={CONF_URL: url},
    )


async def _async_create_coordinator(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> WcsCoordinator:
    options = entry.options
    client = _client(
        hass,
        entry.data,
        snapshot_timeout=float(
            options.get(CONF_SNAPSHOT_TIMEOUT, DEFAULT_SNAPSHOT_TIMEOUT)
        ),
    )
    return WcsCoordinator(hass, entry, client)


SPEC = BackendSpec(
    kind=KIND_WCS,
    platforms=(Platform.CAMERA, Platform.SENSOR),
    user_schema=_user_schema,
    reauth_schema=_reauth_schema,
    options_schema=_options_schema,
    validate_options=_validate_options,
    async_validate=_async_validate,
    async_create_coordinator=_async_create_coordinator,
    async_setup_platform=async_setup_platform,
    unique_id_follows_address=True,
    voice=VOICE,
)
