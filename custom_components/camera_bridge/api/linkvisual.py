"""Client for the Alibaba Cloud IoT LinkVisual OpenAPI (RPC style, signature V1).

Every call is an HTTPS POST to the region's endpoint with all parameters in the
query string, signed with HMAC-SHA1 over the sorted, percent-encoded
parameters (``sign``). Answers are JSON objects
``{RequestId, Success, Code, ErrorMessage, Data}``; gateway errors (bad
signature, unknown key, throttling) come as ``{RequestId, Code, Message}``
with an HTTP error status.

Uncertain facts are single constants here: ``REQUEST_TIMES_IN_MS`` (unit of
``QueryRecord``'s BeginTime/EndTime), ``MS_THRESHOLD`` and ``NAIVE_TIME_ZONE``
(how answer times are read, see ``parse_time``), ``CHECK_ACTION`` (the cheap
call proving a key works).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
import hashlib
import hmac
import logging
import math
from typing import Any
from urllib.parse import quote
import uuid

import aiohttp
from yarl import URL

from ._http import DEFAULT_TIMEOUT, Response, fetch, origin
from .errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    InvalidResponse,
)

_LOGGER = logging.getLogger(__name__)

API_VERSION = "2018-01-20"
DEFAULT_REGION = "cn-shanghai"
SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

MIN_DURATION = 10
MAX_DURATION = 7200
MAX_PRE_RECORD = 10
STREAM_TYPES = (0, 1)  # 0 main stream, 1 sub stream
MIN_URL_VALIDITY = 10
MAX_URL_VALIDITY = 3600
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200  # not documented for QueryRecord; a conservative cap

# The QueryRecord page says "10-digit timestamp in milliseconds" and gives
# 1508200012 as example: ten digits are seconds, so seconds are sent.
REQUEST_TIMES_IN_MS = False
# Answer times: a number at or above this is milliseconds, below it seconds.
# 1e11 seconds is the year 5138, 1e11 milliseconds is March 1973, so every
# plausible recording time falls clearly on one side.
MS_THRESHOLD = 100_000_000_000
# Answer times written as "yyyy-MM-dd HH:mm:ss" carry no zone; Alibaba's
# consoles show China Standard Time. Uncertain: change here if wrong.
NAIVE_TIME_ZONE = timezone(timedelta(hours=8), "CST")

# The cheap signed call of ``check_credentials``: lists time templates, needs
# no device, changes nothing and fails on a wrong key, secret or instance id.
CHECK_ACTION = "QueryTimeTemplate"

AUTH_CODE_PREFIXES = (
    "invalidaccesskeyid",
    "signaturedoesnotmatch",
    "forbidden",
    "incompletesignature",
)
THROTTLING_CODE_PREFIXES = ("throttling",)
UNAVAILABLE_CODES = ("serviceunavailable", "internalerror", "servicetimeout")
_SUCCESS_CODES = ("", "200", "success", "ok")


class LinkVisualValidationError(CameraBridgeError):
    """A request was refused before sending: an argument is out of range.

    ``field`` names the offending argument (``duration``, ``pre_record``,
    ``stream_type``, ``device``, ...).
    """

    def __init__(self, field_name: str, message: str) -> None:
        """Keep the field name and a readable message."""
        self.field = field_name
        super().__init__(message)


class LinkVisualError(BackendError):
    """LinkVisual answered an error (``Success=false`` or an HTTP error).

    ``code`` and ``message`` are the service's ``Code`` and ``ErrorMessage``
    (or ``Message``), ``request_id`` its ``RequestId`` for support tickets,
    ``status`` the HTTP status. ``retryable`` tells whether trying again later
    may succeed.
    """

    retryable = False

    def __init__(
        self,
        code: str | int,
        message: str = "",
        *,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        """Keep everything the service said about the failure."""
        super().__init__(code, message)
        self.request_id = request_id
        self.status = status

    def __str__(self) -> str:
        """Code, message and request id."""
        text = super().__str__()
        return f"{text} (RequestId {self.request_id})" if self.request_id else text


class LinkVisualThrottled(LinkVisualError):
    """The service throttled the call (``Throttling*`` or HTTP 429): retry later."""

    retryable = True


class LinkVisualUnavailable(LinkVisualError):
    """The service failed on its side (HTTP 5xx, InternalError): retry later."""

    retryable = True


class LinkVisualAuthenticationFailed(AuthenticationFailed):
    """The key id, the secret or the key's permissions were refused."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        """Keep the service's code, message and request id."""
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status
        text = f"{code}: {message}" if message else code
        if request_id:
            text = f"{text} (RequestId {request_id})"
        super().__init__(text)


# --------------------------------------------------------------------------
# Signature V1


def percent_encode(value: str) -> str:
    """Percent-encode UTF-8 text keeping only ``A-Z a-z 0-9 - _ . ~``.

    Space becomes ``%20``, ``*`` ``%2A``, ``/`` ``%2F``; ``~`` stays.
    """
    return quote(value, safe="", encoding="utf-8", errors="strict")


def sign(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """Compute the V1 ``Signature`` of a request's parameters.

    Every parameter but ``Signature`` is sorted by name, names and values are
    percent-encoded and joined as ``k=v`` with ``&``; the string to sign is
    ``METHOD&%2F&`` + the encoded query; the signature is the base64 of its
    HMAC-SHA1 keyed with ``secret + "&"``.
    """
    query = "&".join(
        f"{percent_encode(name)}={percent_encode(value)}"
        for name, value in sorted(params.items())
        if name != "Signature"
    )
    to_sign = f"{method.upper()}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


# --------------------------------------------------------------------------
# Models


@dataclass(frozen=True, slots=True)
class Credentials:
    """An AccessKey pair, the secret kept out of every repr."""

    access_key_id: str
    access_key_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Device:
    """A camera, given by IotId or by ProductKey + DeviceName (IotId wins).

    Empty strings count as missing; surrounding spaces are dropped.
    """

    iot_id: str | None = None
    product_key: str | None = None
    device_name: str | None = None

    def __post_init__(self) -> None:
        """Normalise the identifiers and refuse a device that names nothing."""
        for name in ("iot_id", "product_key", "device_name"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise LinkVisualValidationError("device", f"{name} must be text")
            cleaned = value.strip() if value else None
            object.__setattr__(self, name, cleaned or None)
        if self.iot_id is None and not (self.product_key and self.device_name):
            raise LinkVisualValidationError(
                "device", "a device needs an IotId or a ProductKey and a DeviceName"
            )

    @property
    def key(self) -> str:
        """A stable text identifier: the IotId or ``ProductKey/DeviceName``."""
        return self.iot_id or f"{self.product_key}/{self.device_name}"

    def params(self) -> dict[str, str]:
        """The request parameters naming the device."""
        if self.iot_id is not None:
            return {"IotId": self.iot_id}
        assert self.product_key is not None
        assert self.device_name is not None
        return {"ProductKey": self.product_key, "DeviceName": self.device_name}


@dataclass(frozen=True, slots=True)
class Recording:
    """A recorded video file.

    From ``QueryRecordByRecordId`` (``record_id`` and ``vod_url`` set) or from
    ``QueryRecord`` (file size, types and snapshot set). Unknown values are None.
    """

    file_name: str
    begin: datetime | None = None
    end: datetime | None = None
    vod_url: str | None = None
    record_id: str | None = None
    file_size: int | None = None
    record_type: int | None = None
    stream_type: int | None = None
    event_type: int | None = None
    snapshot_url: str | None = None

    @classmethod
    def from_dict(
        cls, raw: Mapping[str, Any], *, record_id: str | None = None
    ) -> Recording:
        """Build a recording from an answer object, or raise InvalidResponse."""
        file_name = raw.get("FileName")
        if not isinstance(file_name, str) or not file_name:
            raise InvalidResponse("recording has no 'FileName'")
        return cls(
            file_name=file_name,
            begin=parse_time(raw.get("BeginTime")),
            end=parse_time(raw.get("EndTime")),
            vod_url=_text(raw.get("VodUrl")),
            record_id=record_id,
            file_size=_int(raw.get("FileSize")),
            record_type=_int(raw.get("RecordType")),
            stream_type=_int(raw.get("StreamType")),
            event_type=_int(raw.get("EventType")),
            snapshot_url=_text(raw.get("SnapshotUrl")),
        )


def parse_time(value: Any) -> datetime | None:
    """Read a time from an answer, whatever its form; None when unreadable.

    - numbers and numeric text: UNIX time, in milliseconds when at or above
      ``MS_THRESHOLD``, in seconds below (the docs do not say which);
    - ISO 8601 text with ``Z`` or an offset: as written;
    - ``yyyy-MM-dd HH:mm:ss`` without zone: in ``NAIVE_TIME_ZONE``.
    The result is always timezone-aware UTC.
    """
    if isinstance(value, bool) or value is None:
        return None
    number: float | None = None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return _parse_time_text(text)
    else:
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    if number >= MS_THRESHOLD:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except OverflowError, OSError, ValueError:
        return None


def _parse_time_text(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=NAIVE_TIME_ZONE)
    return parsed.astimezone(UTC)


def _flag(value: Any) -> bool | None:
    """Read a boolean that may come as text or number; None when absent."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------
# Endpoint


def endpoint_for_region(region: str) -> str:
    """The default endpoint of a region, e.g. ``https://linkvisual.cn-shanghai.aliyuncs.com``."""
    region = region.strip().lower()
    if not region or not all(c.isalnum() or c == "-" for c in region):
        raise LinkVisualValidationError("region", "the region is not a region id")
    return f"https://linkvisual.{region}.aliyuncs.com"


def normalize_endpoint(endpoint: str) -> str:
    """Return ``scheme://host[:port]`` for an endpoint URL or bare host name.

    A bare host gets ``https://``. RPC calls always go to ``/``: a path,
    query or fragment is refused, as is anything that is not http(s).
    """
    text = endpoint.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        url = URL(text)
        _ = url.explicit_port  # yarl raises ValueError for a bad port here
    except ValueError as err:
        raise LinkVisualValidationError(
            "endpoint", "the endpoint is not a URL"
        ) from err
    if url.scheme not in ("http", "https") or not url.host:
        raise LinkVisualValidationError(
            "endpoint", "the endpoint is not an http(s) URL with a host"
        )
    if url.path not in ("", "/") or url.query_string or url.fragment or url.user:
        raise LinkVisualValidationError(
            "endpoint", "the endpoint must be a bare scheme://host[:port]"
        )
    return origin(url)


# --------------------------------------------------------------------------
# Client


class LinkVisualClient:
    """Async client of the LinkVisual OpenAPI for one AccessKey (and instance)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        access_key_id: str,
        access_key_secret: str,
        *,
        region: str = DEFAULT_REGION,
        endpoint: str | None = None,
        iot_instance_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session and the account; ``endpoint`` overrides the region's host."""
        access_key_id = access_key_id.strip()
        if not access_key_id or not access_key_secret:
            raise LinkVisualValidationError(
                "access_key", "the AccessKeyId and AccessKeySecret are required"
            )
        self._session = session
        self._credentials = Credentials(access_key_id, access_key_secret)
        self.region = region.strip().lower() or DEFAULT_REGION
        self.endpoint = normalize_endpoint(endpoint or endpoint_for_region(self.region))
        self.iot_instance_id = (iot_instance_id or "").strip() or None
        self.timeout = timeout

    @property
    def access_key_id(self) -> str:
        """The AccessKeyId (not a secret; the secret has no accessor)."""
        return self._credentials.access_key_id

    def __repr__(self) -> str:
        """Describe the client without its secret."""
        return (
            f"LinkVisualClient(access_key_id={self.access_key_id!r}, "
            f"endpoint={self.endpoint!r}, iot_instance_id={self.iot_instance_id!r})"
        )

    # -- transport ---------------------------------------------------------

    def _signed_query(self, action: str, params: Mapping[str, str]) -> str:
        """The full, signed, encoded query string of one call."""
        signed: dict[str, str] = {
            "Action": action,
            "Version": API_VERSION,
            "Format": "JSON",
            "AccessKeyId": self._credentials.access_key_id,
            "SignatureMethod": SIGNATURE_METHOD,
            "SignatureVersion": SIGNATURE_VERSION,
            "SignatureNonce": str(uuid.uuid4()),
            "Timestamp": datetime.now(UTC).strftime(TIMESTAMP_FORMAT),
            "RegionId": self.region,
        }
        if self.iot_instance_id is not None:
            signed["IotInstanceId"] = self.iot_instance_id
        signed.update(params)
        try:
            signed["Signature"] = sign(
                signed, self._credentials.access_key_secret, "POST"
            )
            return "&".join(
                f"{percent_encode(k)}={percent_encode(v)}" for k, v in signed.items()
            )
        except UnicodeEncodeError as err:
            raise LinkVisualValidationError(
                "params", "a parameter is not encodable as UTF-8"
            ) from err

    async def _call(
        self, action: str, params: Mapping[str, str]
    ) -> tuple[Any, str | None]:
        """Send one signed call; return its ``Data`` and ``RequestId``."""
        url = URL(
            f"{self.endpoint}/?{self._signed_query(action, params)}", encoded=True
        )
        resp = await fetch(self._session, "POST", url, timeout=self.timeout)
        try:
            data, request_id = _parse_answer(action, resp)
        except CameraBridgeError as err:
            _LOGGER.debug("LinkVisual %s failed: %s", action, err)
            raise
        _LOGGER.debug("LinkVisual %s answered (RequestId %s)", action, request_id)
        return data, request_id

    # -- actions -----------------------------------------------------------

    async def trigger_record(
        self,
        device: Device,
        duration: int,
        pre_record: int = 0,
        stream_type: int = 0,
    ) -> str:
        """Make the camera record ``duration`` s now (pre-record included); return the record id."""
        _check_device(device)
        _check_int("duration", duration, MIN_DURATION, MAX_DURATION)
        _check_int("pre_record", pre_record, 0, MAX_PRE_RECORD)
        if pre_record >= duration:
            raise LinkVisualValidationError(
                "pre_record", "the pre-record must be shorter than the duration"
            )
        _check_stream_type(stream_type)
        params = device.params() | {
            "RecordDuration": str(duration),
            "PreRecordDuration": str(pre_record),
            "StreamType": str(stream_type),
        }
        data, _ = await self._call("TriggerRecord", params)
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        if not isinstance(data, str) or not data.strip():
            raise InvalidResponse("TriggerRecord answered no record id in 'Data'")
        return data.strip()

    async def query_record_by_record_id(
        self, record_id: str, device: Device | None = None
    ) -> Recording | None:
        """The file of a triggered record, or None while it is not uploaded yet."""
        params = {"RecordId": _check_text("record_id", record_id)}
        if device is not None:
            _check_device(device)
            params |= device.params()
        data, _ = await self._call("QueryRecordByRecordId", params)
        if data in (None, "", [], {}):
            return None
        if not isinstance(data, Mapping):
            raise InvalidResponse("QueryRecordByRecordId 'Data' is not an object")
        if data.get("FileName") in (None, ""):
            return None
        return Recording.from_dict(data, record_id=params["RecordId"])

    async def query_record_url(
        self,
        file_name: str,
        valid_for: int = 600,
        *,
        seek_time: int = 0,
        device: Device | None = None,
    ) -> str:
        """A playback (VOD) URL of a file, valid for ``valid_for`` s (10..3600)."""
        params = {"FileName": _check_text("file_name", file_name)}
        _check_int("valid_for", valid_for, MIN_URL_VALIDITY, MAX_URL_VALIDITY)
        _check_int("seek_time", seek_time, 0, 2**31 - 1)
        params["UrlValidDuration"] = str(valid_for)
        if seek_time:
            params["SeekTime"] = str(seek_time)
        if device is not None:
            _check_device(device)
            params |= device.params()
        data, _ = await self._call("QueryRecordUrl", params)
        if isinstance(data, Mapping):
            data = data.get("Url") or data.get("VodUrl")
        if not isinstance(data, str) or not data.strip():
            raise InvalidResponse("QueryRecordUrl answered no URL in 'Data'")
        return data.strip()

    async def stop_triggered_record(
        self, record_id: str, device: Device | None = None
    ) -> None:
        """Stop a triggered record before its duration is over."""
        params = {"RecordId": _check_text("record_id", record_id)}
        if device is not None:
            _check_device(device)
            params |= device.params()
        await self._call("StopTriggeredRecord", params)

    async def query_record(
        self,
        device: Device,
        begin: datetime,
        end: datetime,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        *,
        stream_type: int | None = None,
    ) -> list[Recording]:
        """The recordings of a camera between ``begin`` and ``end`` (aware datetimes), one page."""
        _check_device(device)
        for name, when in (("begin", begin), ("end", end)):
            if not isinstance(when, datetime) or when.tzinfo is None:
                raise LinkVisualValidationError(
                    name, f"{name} must be an aware datetime"
                )
        if end < begin:
            raise LinkVisualValidationError("end", "end is before begin")
        _check_int("page", page, 1, 1_000_000)
        _check_int("page_size", page_size, 1, MAX_PAGE_SIZE)
        scale = 1000 if REQUEST_TIMES_IN_MS else 1
        params = device.params() | {
            "BeginTime": str(int(begin.timestamp() * scale)),
            "EndTime": str(int(end.timestamp() * scale)),
            "CurrentPage": str(page),
            "PageSize": str(page_size),
        }
        if stream_type is not None:
            _check_stream_type(stream_type)
            params["StreamType"] = str(stream_type)
        data, _ = await self._call("QueryRecord", params)
        if data is None or data == "":
            return []
        if not isinstance(data, Mapping):
            raise InvalidResponse("QueryRecord 'Data' is not an object")
        items = data.get("List")
        if items is None:
            return []
        if not isinstance(items, list):
            raise InvalidResponse("QueryRecord 'Data.List' is not a list")
        recordings = []
        for item in items:
            if not isinstance(item, Mapping):
                raise InvalidResponse("QueryRecord list entry is not an object")
            recordings.append(Recording.from_dict(item))
        return recordings

    async def check_credentials(self) -> None:
        """Prove the key, secret and instance id work with one cheap signed call.

        Calls ``CHECK_ACTION`` (QueryTimeTemplate, one entry): read-only and
        device-free. Raises LinkVisualAuthenticationFailed for a refused key.
        """
        await self._call(CHECK_ACTION, {"CurrentPage": "1", "PageSize": "1"})


# --------------------------------------------------------------------------
# Validation and answers


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LinkVisualValidationError(name, f"{name} must be a whole number")
    if not low <= value <= high:
        raise LinkVisualValidationError(name, f"{name} must be within {low}..{high}")


def _check_stream_type(value: Any) -> None:
    if isinstance(value, bool) or value not in STREAM_TYPES:
        raise LinkVisualValidationError(
            "stream_type", "stream_type must be 0 (main) or 1 (sub)"
        )


def _check_device(device: Any) -> None:
    if not isinstance(device, Device):
        raise LinkVisualValidationError("device", "a device is required")


def _check_text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LinkVisualValidationError(name, f"{name} is required")
    return value.strip()


def _classify(
    code: str, message: str, request_id: str | None, status: int
) -> CameraBridgeError:
    """The exception for an error code (case-insensitive prefix match)."""
    lowered = code.lower()
    if lowered.startswith(AUTH_CODE_PREFIXES):
        return LinkVisualAuthenticationFailed(
            code, message, request_id=request_id, status=status
        )
    if lowered.startswith(THROTTLING_CODE_PREFIXES) or status == 429:
        return LinkVisualThrottled(code, message, request_id=request_id, status=status)
    if lowered in UNAVAILABLE_CODES or status >= 500:
        return LinkVisualUnavailable(
            code, message, request_id=request_id, status=status
        )
    return LinkVisualError(code, message, request_id=request_id, status=status)


def _parse_answer(action: str, resp: Response) -> tuple[Any, str | None]:
    """Return (Data, RequestId) of a successful answer, raise the typed error otherwise."""
    failed_status = resp.status >= 400
    try:
        body = resp.json()
    except InvalidResponse:
        if not failed_status:
            raise
        body = None
    if not isinstance(body, Mapping):
        if not failed_status:
            raise InvalidResponse(f"{action} answer is not a JSON object")
        if resp.status in (401, 403):
            raise LinkVisualAuthenticationFailed(
                str(resp.status), "access refused", status=resp.status
            )
        raise _classify(str(resp.status), "", None, resp.status)
    request_id = _text(body.get("RequestId"))
    code_raw = body.get("Code")
    code = str(code_raw).strip() if code_raw is not None else ""
    success = _flag(body.get("Success"))
    failed = (
        failed_status
        or success is False
        or (success is None and code.lower() not in _SUCCESS_CODES)
    )
    if not failed:
        return body.get("Data"), request_id
    message = _text(body.get("ErrorMessage")) or _text(body.get("Message")) or ""
    raise _classify(code or str(resp.status), message, request_id, resp.status)
