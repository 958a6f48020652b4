"""Signature V1 of Alibaba Cloud's RPC-style APIs (HMAC-SHA1)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
import hashlib
import hmac
from urllib.parse import quote

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"


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
