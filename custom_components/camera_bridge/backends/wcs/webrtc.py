"""WebRTC live view of WCS streams: the viewers' signaling sessions.

Home Assistant's frontend sends a camera its SDP offer; the camera hands it
to WCS in a ``playStream`` over a WebSocket of its own (one per viewer) and
sends WCS's answer back. The browser's trickled ICE candidates are not
passed on: WCS's signaling has no message for them (Flashphoner's Web SDK
sends its offer at once and keeps its candidates), WCS learns the browser's
address from the browser's connectivity checks. The offer goes out at once,
so nothing waits for candidates.

A session ends when the viewer leaves (``close_webrtc_session``), when WCS
ends it (the frontend gets an error message then) and when the entry
unloads; no socket or task outlives it.
"""

from __future__ import annotations

import asyncio
from functools import partial
import logging
from typing import Final

import aiohttp
from homeassistant.components.camera.webrtc import (
    WebRTCAnswer,
    WebRTCError,
    WebRTCSendMessage,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from webrtc_models import RTCIceCandidateInit

from ...api import CameraBridgeError
from ...api.wcs_signaling import (
    DEFAULT_ANSWER_TIMEOUT,
    SignalingTimeout,
    StreamRefused,
    WcsPlayer,
)
from ...const import DOMAIN
from ...helpers import register_error_translation, translate_error

_LOGGER = logging.getLogger(__name__)

# the code of every error the frontend gets from a WCS WebRTC session
ERROR_CODE: Final = "wcs_webrtc_failed"
# from opening the WebSocket to WCS's SDP answer
ANSWER_TIMEOUT = DEFAULT_ANSWER_TIMEOUT

register_error_translation(
    StreamRefused,
    "stream_refused",
    lambda err: {"message": getattr(err, "message", "") or str(err)},
)
register_error_translation(
    SignalingTimeout, "webrtc_no_answer", lambda err: {"error": str(err)}
)


class WcsWebRtc:
    """The WebRTC sessions of one entry's viewers, by session id."""

    def __init__(
        self,
        hass: HomeAssistant,
        session: aiohttp.ClientSession,
        url: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Sessions signaled on WCS's WebSocket at ``url``."""
        self._hass = hass
        self._session = session
        self.url = url
        self.timeout = ANSWER_TIMEOUT if timeout is None else timeout
        self._players: dict[str, WcsPlayer] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._shut_down = False

    @property
    def sessions(self) -> int:
        """How many viewers are playing (or waiting for their answer)."""
        return len(self._players)

    async def async_offer(
        self,
        name: str,
        offer_sdp: str,
        session_id: str,
        send_message: WebRTCSendMessage,
    ) -> None:
        """Play stream ``name`` for the viewer of ``session_id``.

        The answer, or an error message, goes to the viewer with
        ``send_message``.
        """
        if self._shut_down:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="webrtc_unloaded"
            )
        player = WcsPlayer(
            self._session,
            self.url,
            name,
            timeout=self.timeout,
            on_end=partial(self._ended, session_id, send_message),
        )
        self._players[session_id] = player
        try:
            answer = await player.play(offer_sdp)
        except CameraBridgeError as err:
            if self._players.get(session_id) is player:
                del self._players[session_id]
                _LOGGER.debug("WebRTC offer for %s failed: %s", name, err)
                send_message(WebRTCError(ERROR_CODE, str(translate_error(err))))
            return
        if self._players.get(session_id) is player:
            send_message(WebRTCAnswer(answer))

    async def async_candidate(
        self, session_id: str, candidate: RTCIceCandidateInit
    ) -> None:
        """A candidate the browser trickled: WCS has no use for it.

        Raises for a session that is not (or no longer) playing.
        """
        if session_id not in self._players:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="webrtc_session_unknown",
            )

    @callback
    def async_close_session(self, session_id: str) -> None:
        """The viewer left: end its session."""
        if (player := self._players.pop(session_id, None)) is not None:
            self._close_later(player)

    @callback
    def _ended(
        self,
        session_id: str,
        send_message: WebRTCSendMessage,
        error: CameraBridgeError,
    ) -> None:
        """WCS ended a session that was playing: tell the viewer."""
        player = self._players.pop(session_id, None)
        if player is None:
            return
        _LOGGER.debug("WebRTC session of %s ended: %s", player.name, error)
        send_message(WebRTCError(ERROR_CODE, str(translate_error(error))))
        self._close_later(player)

    @callback
    def _close_later(self, player: WcsPlayer) -> None:
        task = self._hass.async_create_background_task(
            player.close(), f"{DOMAIN} WCS WebRTC close {player.name}"
        )
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def async_shutdown(self) -> None:
        """The entry unloads: end every session, wait until all are closed."""
        self._shut_down = True
        for session_id in list(self._players):
            self.async_close_session(session_id)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
