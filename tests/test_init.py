"""Set-up behaviour shared by every backend."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.const import CONF_KIND, DOMAIN
from custom_components.camera_bridge.media import media_view_path
from tests.conftest import setup_entry


async def test_entry_of_unknown_kind_fails_clearly(hass: HomeAssistant) -> None:
    entry = await setup_entry(
        hass, {CONF_KIND: "teleporter"}, expect=ConfigEntryState.SETUP_ERROR
    )
    assert entry.reason is not None
    assert "teleporter" in entry.reason


async def test_media_view_is_up_without_the_media_browser(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Signed media links work after a restart before anyone browses media.

    The view comes with the integration, not with the media_source platform
    (which the newest Home Assistant loads only when the panel is opened): an
    unsigned request is refused by the view (401) rather than unrouted (404).
    """
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client_no_auth()
    response = await client.get(media_view_path("someentry", "file/0123abcd"))
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert "media_source" not in hass.config.components
