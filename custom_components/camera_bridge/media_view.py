"""The authenticated view that streams media files from a LAN device.

An OSC camera's files sit behind Digest auth on the home network; players
(and phones away from home) fetch them through Home Assistant instead. The
view only serves paths the entry's ``MediaProvider`` accepts (files the
device itself listed), so it is never an open proxy.
"""

from __future__ import annotations

from http import HTTPStatus
import logging

from aiohttp import hdrs, web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView

from .api import CameraBridgeError
from .backends import BACKENDS
from .const import CONF_KIND, DOMAIN
from .media import MEDIA_VIEW_PREFIX, ByteRange, MediaNotFound, media_view_path

# media_view_path moved to media.py (backends build view paths); still here
__all__ = ["MediaProxyView", "media_view_path"]

_LOGGER = logging.getLogger(__name__)


class MediaProxyView(HomeAssistantView):
    """Streams one listed file of a Camera Bridge entry's device."""

    url = MEDIA_VIEW_PREFIX + "/{entry_id}/{path:.+}"
    name = f"api:{DOMAIN}:media"
    requires_auth = True

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve the media of ``hass``'s Camera Bridge entries."""
        self.hass = hass

    async def get(
        self, request: web.Request, entry_id: str, path: str
    ) -> web.StreamResponse:
        """Stream the file, or 404 for anything the device did not list."""
        entry = self.hass.config_entries.async_get_entry(entry_id)
        spec = BACKENDS.get(entry.data.get(CONF_KIND, "")) if entry else None
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
            or spec is None
            or spec.media is None
        ):
            return web.Response(status=HTTPStatus.NOT_FOUND)
        byte_range = ByteRange.parse(request.headers.get(hdrs.RANGE))
        try:
            media = await spec.media.async_open(entry.runtime_data, path, byte_range)
        except MediaNotFound:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        except CameraBridgeError as err:
            _LOGGER.warning("%s: cannot fetch a media file: %s", entry.title, err)
            return web.Response(status=HTTPStatus.BAD_GATEWAY)
        response = web.StreamResponse(
            status=media.status,
            headers={"Content-Type": media.content_type, **media.headers},
        )
        if media.size is not None:
            response.content_length = media.size
        try:
            await response.prepare(request)
            async for chunk in media.chunks:
                await response.write(chunk)
            await response.write_eof()
        except CameraBridgeError as err:
            # headers are out: drop the connection, or the player would wait
            # for the rest of the announced body
            _LOGGER.warning("%s: media file cut off: %s", entry.title, err)
            if request.transport is not None:
                request.transport.close()
        except ConnectionResetError:
            _LOGGER.debug("%s: the player left during a media file", entry.title)
        finally:
            await media.chunks.aclose()
        return response
