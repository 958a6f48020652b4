"""Alibaba Cloud IoT LinkVisual: an account (entry) with cameras (subentries): live view, recordings on demand, Media browser."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ...api.linkvisual import (
    DEFAULT_REGION,
    LIVE_SCHEMES,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualValidationError,
    endpoint_for_region,
    normalize_endpoint,
)
from ...const import CONF_SCAN_INTERVAL, KIND_LINKVISUAL
from ...coordinator import CameraBridgeConfigEntry
from ..base import BackendSpec, EntryInfo, InvalidInput
from ..schema import seconds_selector
from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ACCESS_KEY_SECRET,
    CONF_ENDPOINT,
    CONF_IOT_INSTANCE_ID,
    CONF_LIVE_SCHEME,
    CONF_PENDING_INTERVAL,
    CONF_READY_MARGIN,
    CONF_REGION,
    DEFAULT_LIVE_SCHEME,
    DEFAULT_PENDING_INTERVAL,
    DEFAULT_READY_MARGIN,
    DEFAULT_SCAN_INTERVAL,
    REGIONS,
    SUBENTRY_CAMERA,
)
from .coordinator import LinkVisualCoordinator
from .entities import async_setup_platform
from .flow import CameraSubentryFlow
from .media import LinkVisualMediaProvider
from .services import async_setup_services
from .settings import client_from_data
from .store import account_store
from .voice import VOICE

_LOGGER = logging.getLogger(__name__)


def _secret_selector() -> TextSelector:
    return TextSelector(
        TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
    )


def _user_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_ACCESS_KEY_ID): TextSelector(
                TextSelectorConfig(autocomplete="off")
            ),
            vol.Required(CONF_ACCESS_KEY_SECRET): _secret_selector(),
            vol.Required(CONF_REGION, default=DEFAULT_REGION): SelectSelector(
                SelectSelectorConfig(
                    options=list(REGIONS),
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Optional(CONF_ENDPOINT): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            vol.Optional(CONF_IOT_INSTANCE_ID): TextSelector(),
        }
    )


def _reauth_schema() -> vol.Schema:
    return vol.Schema({vol.Required(CONF_ACCESS_KEY_SECRET): _secret_selector()})


def _options_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL
            ): seconds_selector(60, 86400),
            vol.Required(
                CONF_PENDING_INTERVAL, default=DEFAULT_PENDING_INTERVAL
            ): seconds_selector(5, 300),
            vol.Required(
                CONF_READY_MARGIN, default=DEFAULT_READY_MARGIN
            ): seconds_selector(60, 7200),
            vol.Required(CONF_LIVE_SCHEME, default=DEFAULT_LIVE_SCHEME): SelectSelector(
                SelectSelectorConfig(
                    options=list(LIVE_SCHEMES),
                    translation_key="linkvisual_live_scheme",
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


def _clean(data: Mapping[str, Any]) -> dict[str, str]:
    """Trimmed account settings, or InvalidInput naming the bad field."""
    cleaned = {
        CONF_ACCESS_KEY_ID: str(data.get(CONF_ACCESS_KEY_ID) or "").strip(),
        CONF_ACCESS_KEY_SECRET: str(data.get(CONF_ACCESS_KEY_SECRET) or "").strip(),
        CONF_REGION: str(data.get(CONF_REGION) or DEFAULT_REGION).strip().lower(),
        CONF_ENDPOINT: str(data.get(CONF_ENDPOINT) or "").strip(),
        CONF_IOT_INSTANCE_ID: str(data.get(CONF_IOT_INSTANCE_ID) or "").strip(),
    }
    for key in (CONF_ACCESS_KEY_ID, CONF_ACCESS_KEY_SECRET):
        if not cleaned[key]:
            raise InvalidInput(key, "required")
    try:
        endpoint_for_region(cleaned[CONF_REGION])
    except LinkVisualValidationError as err:
        raise InvalidInput(CONF_REGION, "invalid_region") from err
    if cleaned[CONF_ENDPOINT]:
        try:
            cleaned[CONF_ENDPOINT] = normalize_endpoint(cleaned[CONF_ENDPOINT])
        except LinkVisualValidationError as err:
            raise InvalidInput(CONF_ENDPOINT, "invalid_endpoint") from err
    return cleaned


async def _async_validate(hass: HomeAssistant, data: Mapping[str, Any]) -> EntryInfo:
    """Prove the key works with one cheap signed call (see CHECK_ACTION)."""
    cleaned = _clean(data)
    try:
        await client_from_data(hass, cleaned).check_credentials()
    except LinkVisualThrottled as err:
        raise InvalidInput("base", "throttled") from err
    except LinkVisualError as err:
        if str(err.code).lower().startswith("invalidtimestamp"):
            raise InvalidInput("base", "clock_skew") from err
        _LOGGER.warning("LinkVisual refused the account check: %s", err)
        raise InvalidInput("base", "service_error") from err
    key_id = cleaned[CONF_ACCESS_KEY_ID]
    instance = cleaned[CONF_IOT_INSTANCE_ID]
    return EntryInfo(
        unique_id=f"{key_id}:{instance}" if instance else key_id,
        title=f"LinkVisual {instance or cleaned[CONF_REGION]} (…{key_id[-4:]})",
        data_updates=cleaned,
    )


async def _async_remove_entry(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> None:
    await account_store(hass, entry.entry_id).async_remove()


async def _async_create_coordinator(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> LinkVisualCoordinator:
    store = account_store(hass, entry.entry_id)
    stored = await store.async_load()
    return LinkVisualCoordinator(
        hass, entry, client_from_data(hass, entry.data), store, stored
    )


SPEC = BackendSpec(
    kind=KIND_LINKVISUAL,
    platforms=(Platform.BUTTON, Platform.CAMERA, Platform.EVENT, Platform.SENSOR),
    user_schema=_user_schema,
    reauth_schema=_reauth_schema,
    options_schema=_options_schema,
    async_validate=_async_validate,
    async_create_coordinator=_async_create_coordinator,
    async_setup_platform=async_setup_platform,
    # The account is its AccessKey: reconfigure is how a key is rotated.
    unique_id_follows_address=True,
    subentry_flows={SUBENTRY_CAMERA: CameraSubentryFlow},
    async_setup_services=async_setup_services,
    async_remove_entry=_async_remove_entry,
    media=LinkVisualMediaProvider(),
    voice=VOICE,
)
