"""The async LinkVisual client: one signed RPC call per action.

Every call is an HTTPS POST to the endpoint with all parameters in the query
string, signed with ``signing.sign``; ``answers.parse_answer`` turns the
answer into ``Data`` or a typed error.

Uncertain facts are single constants here: ``REQUEST_TIMES_IN_MS`` (unit of
``QueryRecord``'s BeginTime/EndTime) and ``CHECK_ACTION`` (the cheap call
proving a key works).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
import logging
from typing import Any
import uuid

import aiohttp
from yarl import URL

from .._http import DEFAULT_TIMEOUT, fetch
from ..errors import CameraBridgeError, CannotConnect, InvalidResponse
from .answers import (
    parse_answer,
    record_id_from_data,
    recording_from_data,
    url_from_data,
)
from .endpoint import DEFAULT_REGION, endpoint_for_region, normalize_endpoint
from .errors import LinkVisualValidationError
from .media import (
    CAPTURE_ACTION,
    LIVE_SCHEMES,
    PICTURE_ACTION,
    LiveStream,
    RecordPage,
    capture_id_from_data,
    live_stream_from_data,
    picture_url_from_data,
    record_page_from_data,
)
from .models import Credentials, Device, Recording
from .signing import SIGNATURE_METHOD, SIGNATURE_VERSION, percent_encode, sign

_LOGGER = logging.getLogger(__package__)

API_VERSION = "2018-01-20"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

MIN_DURATION = 10
MAX_DURATION = 7200
MAX_PRE_RECORD = 10
STREAM_TYPES = (0, 1)  # 0 main stream, 1 sub stream
MIN_URL_VALIDITY = 10
MAX_URL_VALIDITY = 3600
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200  # not documented for QueryRecord; a conservative cap
PICTURE_MAX_BYTES = 16 * 1024 * 1024

# The QueryRecord page says "10-digit timestamp in milliseconds" and gives
# 1508200012 as example: ten digits are seconds, so seconds are sent.
REQUEST_TIMES_IN_MS = False

# The cheap signed call of ``check_credentials``: lists time templates, needs
# no device, changes nothing and fails on a wrong key, secret or instance id.
CHECK_ACTION = "QueryTimeTemplate"


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
        # refuses text that is not Unicode (a lone surrogate) before sending
        signed["Signature"] = sign(signed, self._credentials.access_key_secret, "POST")
        return "&".join(
            f"{percent_encode(k)}={percent_encode(v)}" for k, v in signed.items()
        )

    async def _call(
        self, action: str, params: Mapping[str, str]
    ) -> tuple[Any, str | None]:
        """Send one signed call; return its ``Data`` and ``RequestId``."""
        url = URL(
            f"{self.endpoint}/?{self._signed_query(action, params)}", encoded=True
        )
        resp = await fetch(self._session, "POST", url, timeout=self.timeout)
        try:
            data, request_id = parse_answer(action, resp)
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
        return record_id_from_data(data)

    async def query_record_by_record_id(
        self, record_id: str, device: Device | None = None
    ) -> Recording | None:
        """The file of a triggered record, or None while it is not uploaded yet."""
        params = {"RecordId": _check_text("record_id", record_id)}
        if device is not None:
            _check_device(device)
            params |= device.params()
        data, _ = await self._call("QueryRecordByRecordId", params)
        return recording_from_data(data, params["RecordId"])

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
        return url_from_data(data)

    async def stop_triggered_record(
        self, record_id: str, device: Device | None = None
    ) -> None:
        """Stop a triggered record before its duration is over."""
        params = {"RecordId": _check_text("record_id", record_id)}
        if device is not None:
            _check_device(device)
            params |= device.params()
        await self._call("StopTriggeredRecord", params)

    async def query_record_page(
        self,
        device: Device,
        begin: datetime,
        end: datetime,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        *,
        stream_type: int | None = None,
    ) -> RecordPage:
        """One page of a camera's recordings between ``begin`` and ``end`` (aware datetimes)."""
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
        return record_page_from_data(data)

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
        result = await self.query_record_page(
            device, begin, end, page, page_size, stream_type=stream_type
        )
        return result.recordings

    async def query_live_streaming(
        self,
        device: Device,
        scheme: str = "hls",
        stream_type: int = 0,
        valid_for: int = 600,
    ) -> LiveStream:
        """A live stream URL of a camera (``Data.Path``), valid ``valid_for`` s.

        The URL carries an access token: never log it.
        """
        _check_device(device)
        if scheme not in LIVE_SCHEMES:
            raise LinkVisualValidationError(
                "scheme", f"scheme must be one of {', '.join(LIVE_SCHEMES)}"
            )
        _check_stream_type(stream_type)
        _check_int("valid_for", valid_for, MIN_URL_VALIDITY, MAX_URL_VALIDITY)
        params = device.params() | {
            "Scheme": scheme,
            "StreamType": str(stream_type),
            "UrlValidDuration": str(valid_for),
        }
        requested_at = datetime.now(UTC)
        data, _ = await self._call("QueryLiveStreaming", params)
        return live_stream_from_data(
            data, requested_at=requested_at, valid_for=valid_for, scheme=scheme
        )

    async def trigger_capture_picture(self, device: Device) -> str:
        """Make the camera take a picture and upload it; return the capture id."""
        _check_device(device)
        data, _ = await self._call(CAPTURE_ACTION, device.params())
        return capture_id_from_data(data)

    async def query_picture_url(self, device: Device, capture_id: str) -> str | None:
        """The URL of a captured picture; None while it is not uploaded yet."""
        _check_device(device)
        params = device.params() | {"CaptureId": _check_text("capture_id", capture_id)}
        data, _ = await self._call(PICTURE_ACTION, params)
        return picture_url_from_data(data)

    async def download_picture(
        self, url: str, max_bytes: int = PICTURE_MAX_BYTES
    ) -> bytes:
        """The bytes of a picture at a signed cloud URL (never logged)."""
        try:
            resp = await fetch(
                self._session,
                "GET",
                URL(url, encoded=True),
                timeout=self.timeout,
                max_bytes=max_bytes,
            )
        except CannotConnect:
            # aiohttp's message may hold the URL and its token
            raise CannotConnect("the picture could not be downloaded") from None
        except ValueError:
            raise InvalidResponse("the picture URL is not a URL") from None
        if resp.status != 200 or not resp.body:
            raise InvalidResponse(f"the picture download answered HTTP {resp.status}")
        return resp.body

    async def check_credentials(self) -> None:
        """Prove the key, secret and instance id work with one cheap signed call.

        Calls ``CHECK_ACTION`` (QueryTimeTemplate, one entry): read-only and
        device-free. Raises LinkVisualAuthenticationFailed for a refused key.
        """
        await self._call(CHECK_ACTION, {"CurrentPage": "1", "PageSize": "1"})


# --------------------------------------------------------------------------
# Argument checks


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
