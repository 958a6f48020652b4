"""Client for the Alibaba Cloud IoT LinkVisual OpenAPI (RPC style, signature V1).

- ``client``: ``LinkVisualClient``, one signed call per action, and the
  limits of the arguments;
- ``signing``: the V1 signature (``percent_encode``, ``sign``);
- ``answers``: the answer envelope, ``Data`` or a typed error;
- ``values``: reading answer values (``parse_time``, numbers, text);
- ``models``: ``Credentials``, ``Device``, ``Recording``;
- ``media``: ``LiveStream``, ``RecordPage`` and the readers of the live,
  capture and record-page answers (uncertain shapes, one function each);
- ``endpoint``: the region's host or a custom endpoint;
- ``errors``: the LinkVisual members of the ``CameraBridgeError`` family.

Uncertain facts are single constants: ``client.REQUEST_TIMES_IN_MS`` (unit of
``QueryRecord``'s BeginTime/EndTime), ``values.MS_THRESHOLD`` and
``values.NAIVE_TIME_ZONE`` (how answer times are read, see ``parse_time``),
``client.CHECK_ACTION`` (the cheap call proving a key works).
"""

from .client import (
    API_VERSION,
    CHECK_ACTION,
    DEFAULT_PAGE_SIZE,
    MAX_DURATION,
    MAX_PAGE_SIZE,
    MAX_PRE_RECORD,
    MAX_URL_VALIDITY,
    MIN_DURATION,
    MIN_URL_VALIDITY,
    PICTURE_MAX_BYTES,
    REQUEST_TIMES_IN_MS,
    STREAM_TYPES,
    LinkVisualClient,
)
from .endpoint import DEFAULT_REGION, endpoint_for_region, normalize_endpoint
from .errors import (
    LinkVisualAuthenticationFailed,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualUnavailable,
    LinkVisualValidationError,
)
from .media import LIVE_SCHEMES, LiveStream, RecordPage, capture_unsupported
from .models import Credentials, Device, Recording
from .signing import percent_encode, sign
from .values import MS_THRESHOLD, NAIVE_TIME_ZONE, parse_time

__all__ = [
    "API_VERSION",
    "CHECK_ACTION",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_REGION",
    "LIVE_SCHEMES",
    "MAX_DURATION",
    "MAX_PAGE_SIZE",
    "MAX_PRE_RECORD",
    "MAX_URL_VALIDITY",
    "MIN_DURATION",
    "MIN_URL_VALIDITY",
    "MS_THRESHOLD",
    "NAIVE_TIME_ZONE",
    "PICTURE_MAX_BYTES",
    "REQUEST_TIMES_IN_MS",
    "STREAM_TYPES",
    "Credentials",
    "Device",
    "LinkVisualAuthenticationFailed",
    "LinkVisualClient",
    "LinkVisualError",
    "LinkVisualThrottled",
    "LinkVisualUnavailable",
    "LinkVisualValidationError",
    "LiveStream",
    "RecordPage",
    "Recording",
    "capture_unsupported",
    "endpoint_for_region",
    "normalize_endpoint",
    "parse_time",
    "percent_encode",
    "sign",
]
