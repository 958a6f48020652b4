"""The V1 signature as the gateway checks it, with an encoder of its own.

Independent of the client's ``percent_encode``/``sign`` on purpose: the two
must agree on every text for a request to pass.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
import hashlib
import hmac

from .errors import Fail

_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
)


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


def parse_timestamp(text: str) -> float:
    """UNIX time of a ``YYYY-MM-DDThh:mm:ssZ`` timestamp, or InvalidTimeStamp.Format."""
    try:
        stamp = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        stamp = None
    if stamp is None or not text.endswith("Z"):
        raise Fail(
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    return stamp.timestamp()
