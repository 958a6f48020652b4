"""HTTP to one OSC camera: transport, authentication and the plain endpoints.

``OscConnection`` holds the state of one camera (address, credentials, the
protocol level in use) and reads ``/osc/info``, ``/osc/state`` and
``/osc/checkForUpdates``; commands are run by the layers above it
(``commands.OscCommandRunner``, ``client.OscClient``).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from yarl import URL

from .._http import Response, SingleFlight, StreamedResponse, fetch
from ..errors import AuthenticationFailed, CannotConnect
from .answers import read_json
from .const import DEFAULT_PORT, HEADERS, JSON_MAX_BYTES, POLL_FLOOR
from .lock import CommandLock
from .models import OscInfo, OscState, OscUpdates
from .tuning import DEFAULT_TUNING, OscTuning

_LOGGER = logging.getLogger(__package__)


class OscConnection:
    """HTTP to one OSC camera and the state every layer above shares."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        username: str | None = None,
        password: str | None = None,
        *,
        tuning: OscTuning = DEFAULT_TUNING,
    ) -> None:
        """Prepare the client; nothing is sent before the first call.

        ``tuning`` sets its timeouts and polling cadence.
        """
        try:
            self._base = URL.build(scheme="http", host=host.strip(), port=port)
        except (TypeError, ValueError) as err:
            raise CannotConnect(f"invalid camera address: {err}") from err
        self._session = session
        self._middlewares: tuple[aiohttp.ClientMiddlewareType, ...] = ()
        if username:
            if ":" in username:
                raise AuthenticationFailed("a user name cannot contain ':'")
            self._middlewares = (
                aiohttp.DigestAuthMiddleware(username, password or ""),
            )
        self._timeout = tuning.timeout
        self._poll_start = max(tuning.poll_start, POLL_FLOOR)
        self._poll_max = max(tuning.poll_max, self._poll_start)
        self._poll_fast_for = tuning.poll_fast_for
        self._command_deadline = tuning.command_deadline
        self._options_settle = tuning.options_settle
        # one command at a time; a preview being opened gives way (lock.py)
        self._lock = CommandLock()
        self._flight: SingleFlight[str, Any] = SingleFlight()
        self._info: OscInfo | None = None
        # None until negotiated; 1 = sessions, 2 = plain commands
        self._level: int | None = None
        self._session_id: str | None = None
        self._reported_version: int | None = None
        self._current: str | None = None
        self._pictures_pending = 0
        self._options_set_at: float | None = None

    # ---- properties

    @property
    def base_url(self) -> str:
        """Where the camera is reached."""
        return str(self._base)

    @property
    def api_level(self) -> int | None:
        """Protocol level in use, once the first command negotiated it."""
        return self._level

    @property
    def busy(self) -> bool:
        """Whether a command is running or waiting for the camera."""
        return self._lock.locked()

    @property
    def current_command(self) -> str | None:
        """Name of the command the camera is working on, if any."""
        return self._current

    @property
    def picture_in_progress(self) -> bool:
        """Whether a ``take_picture`` call is running or queued."""
        return self._pictures_pending > 0

    # ---- transport

    async def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        timeout: float | None = None,
        max_bytes: int = JSON_MAX_BYTES,
    ) -> Response:
        response = await fetch(
            self._session,
            method,
            self._base.with_path(path),
            timeout=timeout or self._timeout,
            max_bytes=max_bytes,
            json_body=body,
            headers=HEADERS,
            middlewares=self._middlewares,
        )
        self._check_auth(response)
        return response

    def _check_auth(self, response: Response | StreamedResponse) -> None:
        if response.status == 401:
            if self._middlewares:
                raise AuthenticationFailed(
                    "the camera refused the user name or password"
                )
            raise AuthenticationFailed("the camera asks for a user name and password")

    # ---- protocol endpoints

    async def info(self, *, refresh: bool = False) -> OscInfo:
        """Read ``/osc/info`` (cached after the first success)."""
        if self._info is not None and not refresh:
            return self._info

        async def read() -> OscInfo:
            response = await self._request("GET", "/osc/info")
            info = OscInfo.from_dict(read_json(response, "/osc/info"))
            self._info = info
            return info

        result: OscInfo = await self._flight.run("info", read)
        return result

    async def state(self) -> OscState:
        """Read ``/osc/state``; concurrent callers share one request."""

        async def read() -> OscState:
            response = await self._request("POST", "/osc/state")
            state = OscState.from_dict(read_json(response, "/osc/state"))
            self._note_version(state.api_version)
            return state

        result: OscState = await self._flight.run("state", read)
        return result

    async def check_for_updates(
        self, fingerprint: str, wait_timeout: int | None = None
    ) -> OscUpdates:
        """Ask whether the state changed since ``fingerprint`` was read."""
        body: dict[str, Any] = {"stateFingerprint": fingerprint}
        if wait_timeout is not None:
            body["waitTimeout"] = wait_timeout
        timeout = self._timeout + (wait_timeout or 0)
        response = await self._request(
            "POST", "/osc/checkForUpdates", body, timeout=timeout
        )
        return OscUpdates.from_dict(
            read_json(response, "/osc/checkForUpdates"), fingerprint
        )

    def _note_version(self, version: int | None) -> None:
        """Track ``_apiVersion``: a THETA S falls back to 1 when Wi-Fi drops."""
        if version is None:
            return
        self._reported_version = version
        if self._level is not None and version != self._level and not self.busy:
            _LOGGER.debug("camera reports API version %s: renegotiating", version)
            self._level = None
            self._session_id = None
