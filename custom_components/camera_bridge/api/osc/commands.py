"""Running OSC commands: one at a time, followed to their end, on either level.

``execute`` sends a command, polls ``/osc/commands/status`` while it is
``inProgress`` (tighter when the camera's completion says the end is near,
backing off after a while) and turns an ``error`` into the typed exceptions of
``errors``. Level 1 cameras get a session first; a camera on level 1 and 2
that runs ``clientVersion`` 1 is switched to level 2.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
import logging
from typing import Any

from .._http import off_loop
from ..errors import BackendError, CameraBridgeError, CannotConnect, InvalidResponse
from .answers import read_command
from .connection import OscConnection
from .const import (
    CMD_SET_OPTIONS,
    CMD_START_SESSION,
    FALLBACK_CODES,
    JSON_MAX_BYTES,
    MAX_POLL_FAILURES,
    POLL_BACKOFF,
    POLL_FLOOR,
    SESSION_CODE,
    STATE_DONE,
    STATE_ERROR,
    STATE_IN_PROGRESS,
    TRANSIENT_CODES,
    ProgressCallback,
)
from .errors import OscCommandTimeout, command_error
from .models import OscCommand
from .values import opt_str

_LOGGER = logging.getLogger(__package__)


class _SessionLost(Exception):
    """Internal: the camera wants a (new) level 1 session before the command."""


class _Transient(Exception):
    """Internal: a status poll the camera could not answer right now."""

    def __init__(self, error: BackendError) -> None:
        super().__init__(str(error))
        self.error = error


def _report(progress_cb: ProgressCallback | None, completion: float) -> None:
    if progress_cb is None:
        return
    try:
        progress_cb(min(max(completion, 0.0), 1.0))
    except Exception:
        _LOGGER.exception("progress callback failed")


class OscCommandRunner(OscConnection):
    """Runs commands on the camera, negotiating the protocol level first."""

    # ---- commands

    @contextmanager
    def _running(self, name: str) -> Iterator[None]:
        self._current = name
        try:
            yield
        finally:
            self._current = None

    async def execute(
        self,
        name: str,
        parameters: Mapping[str, Any] | None = None,
        progress_cb: ProgressCallback | None = None,
        *,
        deadline: float | None = None,
        max_bytes: int = JSON_MAX_BYTES,
    ) -> OscCommand:
        """Run a command to its end and return the final (done) command object.

        Commands are queued: one at a time per camera. ``inProgress`` answers
        are followed through ``/osc/commands/status``; their completion goes
        to ``progress_cb``. Errors become the typed exceptions of this module.
        ``max_bytes`` caps the command's first answer (listings with
        thumbnails are big); big answers are decoded off the event loop.
        """
        async with self._lock:
            with self._running(name):
                return await self._execute_locked(
                    name, dict(parameters or {}), progress_cb, deadline, max_bytes
                )

    async def _execute_locked(
        self,
        name: str,
        parameters: dict[str, Any],
        progress_cb: ProgressCallback | None,
        deadline: float | None,
        max_bytes: int = JSON_MAX_BYTES,
    ) -> OscCommand:
        loop = asyncio.get_running_loop()
        end = loop.time() + (deadline or self._command_deadline)
        await self._ensure_level()
        try:
            answer = await self._send(name, parameters, max_bytes)
        except _SessionLost:
            _LOGGER.debug("%s: session lost, opening a new one", name)
            await self._renegotiate()
            try:
                answer = await self._send(name, parameters, max_bytes)
            except _SessionLost as err:
                raise BackendError(
                    SESSION_CODE, "the camera refused a freshly opened session"
                ) from err
        return await self._follow(answer, parameters, progress_cb, end)

    async def _send(
        self, name: str, parameters: dict[str, Any], max_bytes: int = JSON_MAX_BYTES
    ) -> OscCommand:
        body: dict[str, Any] = {"name": name}
        params = dict(parameters)
        if self._level == 1 and name != CMD_START_SESSION:
            params["sessionId"] = self._session_id
        if params:
            body["parameters"] = params
        response = await self._request(
            "POST", "/osc/commands/execute", body, max_bytes=max_bytes
        )
        answer = await off_loop(lambda _: read_command(response, name), response.body)
        if answer.state == STATE_ERROR and (
            self._session_problem(answer) or await self._fell_back(answer)
        ):
            raise _SessionLost
        return answer

    def _session_problem(self, answer: OscCommand) -> bool:
        if answer.error_code == SESSION_CODE:
            return True
        # a level 2 command reaching a camera back at clientVersion 1
        return (
            self._level == 2
            and answer.error_code == "missingParameter"
            and "sessionid" in answer.error_message.lower()
        )

    async def _fell_back(self, answer: OscCommand) -> bool:
        """Whether a refused level 2 command met a camera back on level 1.

        A THETA S whose Wi-Fi dropped runs ``clientVersion`` 1 again and
        refuses level 2 commands (no ``sessionId``) with a message that names
        nothing on RICOH's firmware: the state's ``_apiVersion`` decides. One
        more request, only on such refusals by a camera that speaks level 1.
        """
        if (
            self._level != 2
            or answer.error_code not in FALLBACK_CODES
            or self._info is None
            or 1 not in self._info.api_levels
        ):
            return False
        try:
            state = await self.state()
        except CameraBridgeError as err:
            _LOGGER.debug("state read after %s failed: %s", answer.error_code, err)
            return False
        return state.api_version == 1

    async def _follow(
        self,
        answer: OscCommand,
        sent: Mapping[str, Any],
        progress_cb: ProgressCallback | None,
        end: float,
    ) -> OscCommand:
        """Poll an inProgress command until it is done; raise on error."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        interval = self._poll_start
        last_completion: float | None = None
        failures = 0
        while answer.state == STATE_IN_PROGRESS:
            if answer.completion is not None:
                _report(progress_cb, answer.completion)
            now = loop.time()
            if now >= end:
                raise OscCommandTimeout(
                    "timeout", f"{answer.name} still in progress after the deadline"
                )
            delay = interval
            completion = answer.completion
            if (
                completion is not None
                and 0 < completion < 1
                and completion != last_completion
            ):
                # rising completion tells when the command should be over
                eta = (now - started) * (1 - completion) / completion
                delay = min(delay, max(eta, POLL_FLOOR))
            last_completion = completion
            await asyncio.sleep(min(delay, end - now))
            if loop.time() - started >= self._poll_fast_for:
                interval = min(interval * POLL_BACKOFF, self._poll_max)
            assert answer.id is not None  # checked when parsed
            try:
                answer = await self._status(answer.id, answer.name, sent)
            except (CannotConnect, _Transient) as err:
                failures += 1
                if failures >= MAX_POLL_FAILURES:
                    if isinstance(err, _Transient):
                        raise err.error from None
                    raise
                _LOGGER.debug("status poll failed (%s), retrying", err)
                continue
            failures = 0
        if answer.state == STATE_ERROR:
            raise command_error(
                answer.error_code or "unknownError", answer.error_message, sent
            )
        _report(progress_cb, 1.0)
        return answer

    async def _status(
        self, command_id: str | int, name: str, sent: Mapping[str, Any]
    ) -> OscCommand:
        response = await self._request(
            "POST", "/osc/commands/status", {"id": command_id}
        )
        try:
            answer = read_command(response, name, command_id)
        except BackendError as err:
            if response.status == 503:
                raise _Transient(err) from None
            raise
        if answer.state == STATE_ERROR and answer.error_code in TRANSIENT_CODES:
            raise _Transient(command_error(answer.error_code, answer.error_message))
        return answer

    # ---- protocol level negotiation

    async def _ensure_level(self) -> None:
        if self._level is not None:
            return
        info = await self.info()
        if not info.supports_level2:
            await self._open_session()
            self._level = 1
            return
        version = self._reported_version
        if 1 in info.api_levels and version is None:
            version = (await self.state()).api_version
        if version == 1:
            await self._upgrade()
        else:
            self._level = 2

    async def _renegotiate(self) -> None:
        self._level = None
        self._session_id = None
        self._reported_version = None
        await self._ensure_level()

    async def _open_session(self) -> None:
        answer = await self._send(CMD_START_SESSION, {})
        if answer.state != STATE_DONE:
            if answer.state == STATE_ERROR:
                raise command_error(
                    answer.error_code or "unknownError", answer.error_message
                )
            raise InvalidResponse("camera.startSession did not finish at once")
        session_id = opt_str(answer.results.get("sessionId"))
        if session_id is None:
            raise InvalidResponse("camera.startSession answered no sessionId")
        self._session_id = session_id

    async def _upgrade(self) -> None:
        """Switch a level 1+2 camera running clientVersion 1 to level 2."""
        self._level = 1
        await self._open_session()
        answer = await self._send(CMD_SET_OPTIONS, {"options": {"clientVersion": 2}})
        if answer.state == STATE_ERROR:
            _LOGGER.debug(
                "camera refused clientVersion 2 (%s): staying on level 1",
                answer.error_code,
            )
            return
        self._level = 2
        self._session_id = None
        self._reported_version = 2

    async def _ensure_level_locked(self) -> None:
        if self._level is None:
            async with self._lock:
                await self._ensure_level()
