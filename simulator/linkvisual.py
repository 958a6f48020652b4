"""Fake Alibaba Cloud IoT LinkVisual OpenAPI endpoint (RPC style, signature V1).

Every call to ``/`` is authenticated as the real gateway does: the signature
is recomputed here (with an encoder of its own, independent of the client's)
and compared, a nonce is accepted once, a timestamp further than
``max_skew`` seconds from the server clock is refused. Then the action runs
against an in-memory account: cameras, triggered records that become
available ``record_delay`` seconds after the trigger (whatever their
duration: the simulator compresses time), scheduled recordings for
``QueryRecord``, and playback URLs served under ``/vod/``.

Error shapes follow the documentation: gateway errors (key, signature, nonce,
timestamp, throttling, permissions, parameters) answer an HTTP error status
with ``{RequestId, HostId, Code, Message, Recommend}``; action errors answer
200 with ``{RequestId, Success: false, Code, ErrorMessage}``. The action
error codes (``iot.device.NotExistedDevice``, ...) are made up: the real ones
are only listed in Alibaba's API Error Center.
"""

from __future__ import annotations

import argparse
import base64
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
import hashlib
import hmac
import json
import math
import time
from typing import Any
from urllib.parse import parse_qsl, quote
import uuid

from aiohttp import web
import xmltodict

from .common import SimulatorBase

API_VERSION = "2018-01-20"
DEFAULT_KEY_ID = "LTAI5tSimulatorKeyId"
DEFAULT_KEY_SECRET = "simulator-secret-0123456789"
FILE_SPLIT = 1800  # a file holds at most 30 minutes
MS_THRESHOLD = 100_000_000_000
CST = timezone(timedelta(hours=8), "CST")
_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
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
_MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def rfc3986(text: str) -> str:
    """Percent-encode UTF-8 bytes outside ``A-Z a-z 0-9 - _ . ~`` (upper-case hex)."""
    return "".join(
        chr(byte) if byte in _UNRESERVED else f"%{byte:02X}"
        for byte in text.encode("utf-8")
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """The V1 string to sign of a request, as the server computes it."""
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    canonical = "&".join(rfc3986(k) + "=" + rfc3986(v) for k, v in pairs)
    return method.upper() + "&" + rfc3986("/") + "&" + rfc3986(canonical)


def expected_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """The signature the server expects for these parameters."""
    mac = hmac.new((secret + "&").encode("utf-8"), digestmod=hashlib.sha1)
    mac.update(string_to_sign(method, params).encode("utf-8"))
    return base64.b64encode(mac.digest()).decode("ascii")


class _Fail(Exception):
    """An error answer: gateway shape when ``gateway``, else Success=false."""

    def __init__(
        self, code: str, message: str, status: int = 400, *, gateway: bool = True
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.gateway = gateway


def _api_error(code: str, message: str) -> _Fail:
    return _Fail(code, message, 200, gateway=False)


@dataclass
class SimCamera:
    """A camera of the simulated account."""

    iot_id: str
    product_key: str
    device_name: str
    pre_record: bool = True
    online: bool = True


@dataclass
class SimFile:
    """A recorded file, visible once ``ready_at`` (server time) has passed."""

    file_name: str
    iot_id: str
    begin: float
    end: float
    ready_at: float
    stream_type: int = 0
    record_type: int = 0  # 0 scheduled, 1 alarm, 2 triggered
    event_type: int = 0
    record_id: str | None = None

    @property
    def size(self) -> int:
        """About 256 kB per second of video."""
        return max(1, int(self.end - self.begin)) * 256 * 1024


@dataclass
class SimRecord:
    """A triggered record and its files."""

    record_id: str
    iot_id: str
    files: list[SimFile]
    stopped: bool = False


def _default_cameras() -> dict[str, SimCamera]:
    cameras = [
        SimCamera("SimCam0001xyzIotIdA000100", "a1SimProduct", "garden"),
        SimCamera(
            "SimCam0002xyzIotIdB000100", "a1SimProduct", "porch", pre_record=False
        ),
    ]
    return {c.iot_id: c for c in cameras}


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
    QueryRecordByRecordId before the upload finished).
    """

    keys: dict[str, str] = field(
        default_factory=lambda: {DEFAULT_KEY_ID: DEFAULT_KEY_SECRET}
    )
    disabled_keys: set[str] = field(default_factory=set)
    iot_instance_id: str | None = None
    cameras: dict[str, SimCamera] = field(default_factory=_default_cameras)
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

    def _time(self, value: float) -> Any:
        match self.time_format:
            case "s":
                return int(value)
            case "text":
                return datetime.fromtimestamp(value, CST).strftime("%Y-%m-%d %H:%M:%S")
            case "iso":
                return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            case _:
                return int(value * 1000)

    def _vod_url(self, origin: str, file_name: str, valid_for: int) -> str:
        expires = int(self.now()) + valid_for
        token = self._vod_token(file_name, expires)
        return (
            f"{origin}/vod/{quote(file_name, safe='/')}?Expires={expires}&Token={token}"
        )

    def _vod_token(self, file_name: str, expires: int) -> str:
        mac = hmac.new(
            self._vod_key, f"{file_name}\n{expires}".encode(), hashlib.sha256
        )
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
        app.router.add_get("/vod/{name:.+}", self._vod)

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
        except _Fail as fail:
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
                raise _Fail(
                    "MissingParameter",
                    f'The input parameter "{name}" that is mandatory for '
                    "processing this request is not supplied.",
                )
        if params["SignatureMethod"] != "HMAC-SHA1":
            raise _Fail(
                "InvalidParameter", "Specified SignatureMethod is not supported."
            )
        if params["SignatureVersion"] != "1.0":
            raise _Fail("InvalidParameter", "Specified SignatureVersion is not valid.")
        key_id = params["AccessKeyId"]
        secret = self.keys.get(key_id)
        if secret is None:
            raise _Fail(
                "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404
            )
        if key_id in self.disabled_keys:
            raise _Fail(
                "InvalidAccessKeyId.Inactive", "Specified access key is disabled."
            )
        stamp = _parse_timestamp(params["Timestamp"])
        now = self.now()
        if abs(stamp - now) > self.max_skew:
            raise _Fail(
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            )
        expected = expected_signature(method, params, secret)
        if not hmac.compare_digest(expected.encode(), params["Signature"].encode()):
            raise _Fail(
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. "
                f"server string to sign is:{string_to_sign(method, params)}",
            )
        if not self._remember_nonce(params["SignatureNonce"], now):
            raise _Fail(
                "SignatureNonceUsed", "Specified signature nonce was used already."
            )

    def _dispatch(
        self, action: str, params: dict[str, str], request: web.Request
    ) -> Any:
        if params["Version"] != API_VERSION:
            raise _Fail("InvalidVersion", "Specified parameter Version is not valid.")
        handler = self._actions().get(action)
        if handler is None:
            raise _Fail(
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
                404,
            )
        if self.throttle > 0:
            self.throttle -= 1
            raise _Fail(
                self.throttle_code,
                "Request was denied due to user flow control.",
                self.throttle_status,
            )
        if action in self.forbidden_actions:
            raise _Fail(
                "Forbidden.RAM",
                "User not authorized to operate on the specified resource.",
                403,
            )
        if params.get("IotInstanceId") != self.iot_instance_id:
            raise _api_error("iot.common.InvalidTenant", "tenant auth error")
        return handler(params, request)

    def _actions(self) -> dict[str, Callable[[dict[str, str], web.Request], Any]]:
        return {
            "TriggerRecord": self._trigger_record,
            "QueryRecordByRecordId": self._query_record_by_record_id,
            "QueryRecordUrl": self._query_record_url,
            "StopTriggeredRecord": self._stop_triggered_record,
            "QueryRecord": self._query_record,
            "QueryTimeTemplate": self._query_time_template,
        }

    # -- parameters --------------------------------------------------------

    @staticmethod
    def _int(
        params: Mapping[str, str],
        name: str,
        low: int,
        high: int,
        default: int | None = None,
    ) -> int:
        raw = params.get(name)
        if raw is None or raw == "":
            if default is None:
                raise _Fail(
                    "MissingParameter",
                    f'The input parameter "{name}" that is mandatory for '
                    "processing this request is not supplied.",
                )
            return default
        try:
            value = int(raw)
        except ValueError:
            raise _Fail("InvalidParameter", f"{name} is not an integer.") from None
        if not low <= value <= high:
            raise _Fail("InvalidParameter", f"{name} must be within {low} and {high}.")
        return value

    def _camera(
        self, params: Mapping[str, str], *, required: bool = True
    ) -> SimCamera | None:
        """The camera named by IotId (wins) or ProductKey + DeviceName."""
        if iot_id := params.get("IotId"):
            camera = self.cameras.get(iot_id)
        elif params.get("ProductKey") and params.get("DeviceName"):
            camera = next(
                (
                    c
                    for c in self.cameras.values()
                    if c.product_key == params["ProductKey"]
                    and c.device_name == params["DeviceName"]
                ),
                None,
            )
        elif required:
            raise _Fail(
                "MissingParameter", "IotId, or ProductKey and DeviceName, is required."
            )
        else:
            return None
        if camera is None:
            raise _api_error(
                "iot.device.NotExistedDevice", "The device does not exist."
            )
        return camera

    def _record(self, params: Mapping[str, str]) -> SimRecord:
        record_id = params.get("RecordId")
        if not record_id:
            raise _Fail(
                "MissingParameter",
                'The input parameter "RecordId" that is mandatory for '
                "processing this request is not supplied.",
            )
        record = self.records.get(record_id)
        camera = self._camera(params, required=False)
        if record is None or (camera is not None and camera.iot_id != record.iot_id):
            raise _api_error("iot.vision.RecordNotFound", "The record does not exist.")
        return record

    # -- actions -----------------------------------------------------------

    def _trigger_record(self, params: dict[str, str], request: web.Request) -> Any:
        duration = self._int(params, "RecordDuration", 10, 7200)
        pre_record = self._int(params, "PreRecordDuration", 0, 10, 0)
        stream_type = self._int(params, "StreamType", 0, 1, 0)
        camera = self._camera(params)
        assert camera is not None
        if not camera.online:
            raise _api_error("iot.device.DeviceOffline", "The device is offline.")
        if not camera.pre_record:
            pre_record = 0  # documented: only cameras that pre-record honour it
        now = self.now()
        record_id = uuid.uuid4().hex
        begin = now - pre_record
        files: list[SimFile] = []
        start = begin
        while start < begin + duration:
            stop = min(start + FILE_SPLIT, begin + duration)
            sim_file = self.add_recording(
                camera.iot_id,
                start,
                stop,
                record_type=2,
                stream_type=stream_type,
                ready_at=now + self.record_delay,
            )
            sim_file.record_id = record_id
            files.append(sim_file)
            start = stop
        self.records[record_id] = SimRecord(record_id, camera.iot_id, files)
        return record_id

    def _query_record_by_record_id(
        self, params: dict[str, str], request: web.Request
    ) -> Any:
        record = self._record(params)
        first = record.files[0]
        if first.ready_at > self.now():
            return self.pending_data
        return {
            "BeginTime": self._time(first.begin),
            "EndTime": self._time(first.end),
            "FileName": first.file_name,
            "VodUrl": self._vod_url(_origin(request), first.file_name, 3600),
        }

    def _query_record_url(self, params: dict[str, str], request: web.Request) -> Any:
        file_name = params.get("FileName")
        if not file_name:
            raise _Fail(
                "MissingParameter",
                'The input parameter "FileName" that is mandatory for '
                "processing this request is not supplied.",
            )
        valid_for = self._int(params, "UrlValidDuration", 10, 3600, 30)
        self._int(params, "SeekTime", 0, 2**31 - 1, 0)
        now = self.now()
        if not any(f.file_name == file_name and f.ready_at <= now for f in self.files):
            raise _api_error("iot.vision.FileNotFound", "The file does not exist.")
        return self._vod_url(_origin(request), file_name, valid_for)

    def _stop_triggered_record(
        self, params: dict[str, str], request: web.Request
    ) -> Any:
        record = self._record(params)
        now = self.now()
        record.stopped = True
        kept = [f for f in record.files if f.begin < now] or record.files[:1]
        for sim_file in record.files[len(kept) :]:
            self.files.remove(sim_file)
        record.files = kept
        kept[-1].end = max(kept[-1].begin + 1, min(kept[-1].end, now))
        return None

    def _query_record(self, params: dict[str, str], request: web.Request) -> Any:
        begin = _seconds(self._int(params, "BeginTime", 0, 2**62))
        end = _seconds(self._int(params, "EndTime", 0, 2**62))
        page = self._int(params, "CurrentPage", 1, 1_000_000, 1)
        page_size = self._int(params, "PageSize", 1, 200, 10)
        stream = params.get("StreamType")
        camera = self._camera(params)
        assert camera is not None
        now = self.now()
        found = sorted(
            (
                f
                for f in self.files
                if f.iot_id == camera.iot_id
                and f.ready_at <= now
                and f.end >= begin
                and f.begin <= end
                and (stream is None or str(f.stream_type) == stream)
            ),
            key=lambda f: f.begin,
        )
        chunk = found[(page - 1) * page_size : page * page_size]
        return {
            "List": [
                {
                    "BeginTime": self._time(f.begin),
                    "EndTime": self._time(f.end),
                    "EventType": f.event_type,
                    "FileName": f.file_name,
                    "FileSize": f.size,
                    "RecordType": f.record_type,
                    "SnapshotUrl": "",
                    "StreamType": f.stream_type,
                }
                for f in chunk
            ],
            "Page": page,
            "PageSize": page_size,
            "PageCount": max(1, math.ceil(len(found) / page_size)),
            "Total": len(found),
        }

    def _query_time_template(self, params: dict[str, str], request: web.Request) -> Any:
        page = self._int(params, "CurrentPage", 1, 1_000_000, 1)
        page_size = self._int(params, "PageSize", 1, 50, 10)
        templates = [
            {"TemplateId": "sim-all-day", "Name": "all day", "AllDay": 1, "Default": 1}
        ]
        return {
            "List": templates[(page - 1) * page_size : page * page_size],
            "Page": page,
            "PageSize": page_size,
            "Total": len(templates),
        }

    async def _vod(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        try:
            expires = int(request.query.get("Expires", ""))
        except ValueError:
            return web.Response(status=403, text="missing or bad Expires")
        token = request.query.get("Token", "")
        if not hmac.compare_digest(token, self._vod_token(name, expires)):
            return web.Response(status=403, text="bad token")
        if expires < self.now():
            return web.Response(status=403, text="expired")
        return web.Response(body=_MP4_HEAD + bytes(64), content_type="video/mp4")


def _parse_timestamp(text: str) -> float:
    """UNIX time of a ``YYYY-MM-DDThh:mm:ssZ`` timestamp, or InvalidTimeStamp.Format."""
    try:
        stamp = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        stamp = None
    if stamp is None or not text.endswith("Z"):
        raise _Fail(
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    return stamp.timestamp()


def _check_unique(pairs: list[tuple[str, str]], params: dict[str, str]) -> None:
    if len(params) != len(pairs):
        raise _Fail("InvalidParameter", "A parameter is given twice.")


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _seconds(value: int) -> float:
    return value / 1000 if value >= MS_THRESHOLD else float(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the LinkVisual simulator."""
    group = parser.add_argument_group("LinkVisual")
    group.add_argument(
        "--linkvisual-port",
        type=int,
        default=0,
        help="port of the LinkVisual endpoint (0 = off)",
    )
    group.add_argument(
        "--linkvisual-key-id", default=DEFAULT_KEY_ID, help="accepted AccessKeyId"
    )
    group.add_argument(
        "--linkvisual-key-secret",
        default=DEFAULT_KEY_SECRET,
        help="its AccessKeySecret",
    )
    group.add_argument(
        "--linkvisual-record-delay",
        type=float,
        default=20.0,
        help="seconds until a triggered recording is available",
    )
    group.add_argument(
        "--linkvisual-instance-id",
        default="",
        help="IotInstanceId the calls must carry (empty = public instance)",
    )


def build(args: argparse.Namespace) -> LinkVisualSimulator | None:
    """The simulator the command line asks for, or None when its port is 0."""
    if not args.linkvisual_port:
        return None
    return LinkVisualSimulator(
        keys={args.linkvisual_key_id: args.linkvisual_key_secret},
        record_delay=args.linkvisual_record_delay,
        iot_instance_id=args.linkvisual_instance_id or None,
        seed_recordings=3,
    )
