"""The simulated LinkVisual endpoint: knobs, the gateway's checks and the HTTP routes."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import hashlib
import hmac
import json
import math
import time
from typing import Any
from urllib.parse import parse_qsl
import uuid

from aiohttp import web
import xmltodict

from ..common import SimulatorBase
from .actions import ACTIONS
from .errors import Fail, api_error
from .live import MEDIA_ACTIONS, add_media_routes, vod_path
from .signature import expected_signature, parse_timestamp, string_to_sign
from .state import (
    API_VERSION,
    CST,
    DEFAULT_KEY_ID,
    DEFAULT_KEY_SECRET,
    SimCamera,
    SimCapture,
    SimFile,
    SimRecord,
    default_cameras,
)

_COMMON = (
    "Action",
    "Version",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Signature",
)


@dataclass
class LinkVisualSimulator(SimulatorBase):
    """State and knobs of the simulated LinkVisual account.

    Knobs: ``keys`` (AccessKeyId → secret), ``disabled_keys``,
    ``iot_instance_id`` (required in every call when set), ``record_delay``
    (seconds from TriggerRecord until the file is available),
    ``max_skew`` (seconds of Timestamp skew accepted), ``time_offset`` (added
    to the server clock), ``throttle`` (the next N authenticated calls get
    ``throttle_code``), ``forbidden_actions`` (answer Forbidden.RAM),
    ``time_format`` of answer times (``s``, ``ms``, ``text`` = naive
    ``yyyy-MM-dd HH:mm:ss`` in UTC+8, ``iso``), ``pending_data`` (the Data of
    QueryRecordByRecordId before the upload finished), ``list_total``
    (QueryRecord tells PageCount and Total), ``live_refusals``
    (the next N QueryLiveStreaming calls fail), ``capture_delay`` (seconds
    until a captured picture is uploaded); per camera ``online`` and
    ``can_capture``. ``media_requests`` counts the files served (``live:``,
    ``vod:`` + file name, ``picture``); ``requests`` counts calls by action.
    """

    keys: dict[str, str] = field(
        default_factory=lambda: {DEFAULT_KEY_ID: DEFAULT_KEY_SECRET}
    )
    disabled_keys: set[str] = field(default_factory=set)
    iot_instance_id: str | None = None
    cameras: dict[str, SimCamera] = field(default_factory=default_cameras)
    record_delay: float = 5.0
    max_skew: float = 900.0
    time_offset: float = 0.0
    throttle: int = 0
    throttle_code: str = "Throttling.User"
    throttle_status: int = 400
    forbidden_actions: set[str] = field(default_factory=set)
    time_format: str = "ms"
    pending_data: Any = field(default_factory=dict)
    seed_recordings: int = 0
    live_refusals: int = 0
    list_total: bool = True
    capture_delay: float = 0.0
    captures: dict[str, SimCapture] = field(default_factory=dict)
    media_requests: Counter[str] = field(default_factory=Counter)
    started: float = field(default=0.0, repr=False)
    records: dict[str, SimRecord] = field(default_factory=dict)
    files: list[SimFile] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    # looked up at each call, so that a test's frozen clock applies
    clock: Callable[[], float] = field(default=lambda: time.time(), repr=False)  # noqa: PLW0108
    _nonces: dict[str, float] = field(default_factory=dict, repr=False)
    _nonce_order: deque[tuple[float, str]] = field(default_factory=deque, repr=False)
    _vod_key: bytes = field(default_factory=lambda: uuid.uuid4().bytes, repr=False)

    def __post_init__(self) -> None:
        """Add the scheduled recordings asked for by ``seed_recordings``."""
        now = self.now()
        # the live playlists count their segments from here
        self.started = now
        for camera in self.cameras.values():
            for index in range(self.seed_recordings, 0, -1):
                begin = now - index * 600
                self.add_recording(camera.iot_id, begin, begin + 300)

    # -- helpers -----------------------------------------------------------

    def now(self) -> float:
        """The server clock (UNIX seconds)."""
        return self.clock() + self.time_offset

    def add_recording(
        self,
        iot_id: str,
        begin: float,
        end: float,
        *,
        record_type: int = 0,
        stream_type: int = 0,
        ready_at: float | None = None,
    ) -> SimFile:
        """Add a finished recording (scheduled by default) of a camera."""
        sim_file = SimFile(
            file_name=f"{int(begin)}_{iot_id}_{stream_type}/{uuid.uuid4()}",
            iot_id=iot_id,
            begin=begin,
            end=end,
            ready_at=begin if ready_at is None else ready_at,
            stream_type=stream_type,
            record_type=record_type,
        )
        self.files.append(sim_file)
        return sim_file

    def time_value(self, value: float) -> Any:
        """A time as answers write it (``time_format``)."""
        match self.time_format:
            case "s":
                return int(value)
            case "text":
                return datetime.fromtimestamp(value, CST).strftime("%Y-%m-%d %H:%M:%S")
            case "iso":
                return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            case _:
                return int(value * 1000)

    def vod_url(self, origin: str, file_name: str, valid_for: int) -> str:
        """A signed HLS playback URL of a file under ``/vod/``, valid ``valid_for`` s."""
        expires = int(self.now()) + valid_for
        token = self.token(file_name, expires)
        return f"{vod_path(origin, file_name)}?Expires={expires}&Token={token}"

    def token(self, resource: str, expires: int) -> str:
        """The token of a URL to ``resource`` valid until ``expires``."""
        mac = hmac.new(self._vod_key, f"{resource}\n{expires}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def _remember_nonce(self, nonce: str, now: float) -> bool:
        """Record a nonce; False when it was seen within the replay window."""
        horizon = now - 2 * self.max_skew
        while self._nonce_order and self._nonce_order[0][0] < horizon:
            _, old = self._nonce_order.popleft()
            if self._nonces.get(old, math.inf) < horizon:
                del self._nonces[old]
        if nonce in self._nonces:
            return False
        self._nonces[nonce] = now
        self._nonce_order.append((now, nonce))
        return True

    # -- HTTP --------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        """The RPC endpoint and the playback files."""
        app.router.add_route("*", "/", self._rpc)
        add_media_routes(self, app)

    async def _rpc(self, request: web.Request) -> web.Response:
        pairs = parse_qsl(request.query_string, keep_blank_values=True)
        if request.method == "POST" and request.content_type == (
            "application/x-www-form-urlencoded"
        ):
            pairs += parse_qsl(await request.text(), keep_blank_values=True)
        params = dict(pairs)
        action = params.get("Action", "")
        fmt = params.get("Format", "XML").upper()
        request_id = str(uuid.uuid4()).upper()
        try:
            _check_unique(pairs, params)
            self._authenticate(request.method, params)
            self.requests[action] += 1
            self.calls.append(params)
            data = self._dispatch(action, params, request)
        except Fail as fail:
            if fail.gateway:
                body: dict[str, Any] = {
                    "RequestId": request_id,
                    "HostId": request.host,
                    "Code": fail.code,
                    "Message": fail.message,
                    "Recommend": "https://api.aliyun.com/troubleshoot",
                }
            else:
                body = {
                    "RequestId": request_id,
                    "Success": False,
                    "Code": fail.code,
                    "ErrorMessage": fail.message,
                }
            return self._answer(
                fmt, "Error" if fail.gateway else action, body, fail.status
            )
        body = {"RequestId": request_id, "Success": True, "Code": "200"}
        if data is not None:
            body["Data"] = data
        return self._answer(fmt, action, body, 200)

    @staticmethod
    def _answer(
        fmt: str, action: str, body: dict[str, Any], status: int
    ) -> web.Response:
        if fmt == "JSON":
            return web.Response(
                status=status, text=json.dumps(body), content_type="application/json"
            )
        root = action if action == "Error" else f"{action or 'Unknown'}Response"
        text = xmltodict.unparse({root: body}, full_document=True)
        return web.Response(status=status, text=text, content_type="text/xml")

    def _authenticate(self, method: str, params: dict[str, str]) -> None:
        """Refuse the request unless it is signed, fresh and not replayed."""
        for name in _COMMON:
            if not params.get(name):
                raise Fail(
                    "MissingParameter",
                    f'The input parameter "{name}" that is mandatory for '
                    "processing this request is not supplied.",
                )
        if params["SignatureMethod"] != "HMAC-SHA1":
            raise Fail(
                "InvalidParameter", "Specified SignatureMethod is not supported."
            )
        if params["SignatureVersion"] != "1.0":
            raise Fail("InvalidParameter", "Specified SignatureVersion is not valid.")
        key_id = params["AccessKeyId"]
        secret = self.keys.get(key_id)
        if secret is None:
            raise Fail(
                "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404
            )
        if key_id in self.disabled_keys:
            raise Fail(
                "InvalidAccessKeyId.Inactive", "Specified access key is disabled."
            )
        stamp = parse_timestamp(params["Timestamp"])
        now = self.now()
        if abs(stamp - now) > self.max_skew:
            raise Fail(
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            )
        expected = expected_signature(method, params, secret)
        if not hmac.compare_digest(expected.encode(), params["Signature"].encode()):
            raise Fail(
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. "
                f"server string to sign is:{string_to_sign(method, params)}",
            )
        if not self._remember_nonce(params["SignatureNonce"], now):
            raise Fail(
                "SignatureNonceUsed", "Specified signature nonce was used already."
            )

    def _dispatch(
        self, action: str, params: dict[str, str], request: web.Request
    ) -> Any:
        if params["Version"] != API_VERSION:
            raise Fail("InvalidVersion", "Specified parameter Version is not valid.")
        handler = ACTIONS.get(action) or MEDIA_ACTIONS.get(action)
        if handler is None:
            raise Fail(
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
                404,
            )
        if self.throttle > 0:
            self.throttle -= 1
            raise Fail(
                self.throttle_code,
                "Request was denied due to user flow control.",
                self.throttle_status,
            )
        if action in self.forbidden_actions:
            raise Fail(
                "Forbidden.RAM",
                "User not authorized to operate on the specified resource.",
                403,
            )
        if params.get("IotInstanceId") != self.iot_instance_id:
            raise api_error("iot.common.InvalidTenant", "tenant auth error")
        return handler(self, params, request)


def _check_unique(pairs: list[tuple[str, str]], params: dict[str, str]) -> None:
    if len(params) != len(pairs):
        raise Fail("InvalidParameter", "A parameter is given twice.")
