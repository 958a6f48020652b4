"""Signature V1 of Alibaba Cloud's RPC-style APIs (HMAC-SHA1).

Names, values and the secret are signed as UTF-8: text that is not valid
Unicode (a lone surrogate, which Python strings may hold and an action may
carry) cannot be, and is refused with ``LinkVisualValidationError`` naming
the parameter, before anything is sent.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
import hashlib
import hmac
from urllib.parse import quote_from_bytes

from .errors import LinkVisualValidationError

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"


def _utf8(text: str, field_name: str, label: str | None = None) -> bytes:
    """``text`` as UTF-8; LinkVisualValidationError for a lone surrogate."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise LinkVisualValidationError(
            field_name,
            f"{label or field_name} holds a lone surrogate, which is not text"
            " and cannot be sent",
        ) from None


def percent_encode(value: str, field_name: str = "value") -> str:
    """Percent-encode UTF-8 text keeping only ``A-Z a-z 0-9 - _ . ~``.

    Space becomes ``%20``, ``*`` ``%2A``, ``/`` ``%2F``; ``~`` stays. Text
    with a lone surrogate raises LinkVisualValidationError for ``field_name``.
    """
    return quote_from_bytes(_utf8(value, field_name), safe="")


def _field(name: str) -> str:
    """How an error names a parameter: its name, if that is text itself."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "a parameter name"
    return name


def sign(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """Compute the V1 ``Signature`` of a request's parameters.

    Every parameter but ``Signature`` is sorted by name, names and values are
    percent-encoded and joined as ``k=v`` with ``&``; the string to sign is
    ``METHOD&%2F&`` + the encoded query; the signature is the base64 of its
    HMAC-SHA1 keyed with ``secret + "&"``. A name, value or secret holding a
    lone surrogate raises LinkVisualValidationError (the secret's message
    names the field ``access_key``, never the secret).
    """
    query = "&".join(
        f"{percent_encode(name, _field(name))}={percent_encode(value, _field(name))}"
        for name, value in sorted(params.items())
        if name != "Signature"
    )
    to_sign = f"{method.upper()}&{percent_encode('/')}&{percent_encode(query)}"
    key = _utf8(secret, "access_key", "the AccessKeySecret") + b"&"
    digest = hmac.new(key, to_sign.encode("ascii"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
