"""Reading LinkVisual's answers: the envelope, then each action's ``Data``.

Answers are JSON objects ``{RequestId, Success, Code, ErrorMessage, Data}``;
gateway errors (bad signature, unknown key, throttling) come as
``{RequestId, Code, Message}`` with an HTTP error status. ``parse_answer``
returns ``Data`` or raises the typed error; the ``*_from_data`` functions
turn one action's ``Data`` into models or raise InvalidResponse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._http import Response
from ..errors import CameraBridgeError, InvalidResponse
from .errors import (
    LinkVisualAuthenticationFailed,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualUnavailable,
)
from .models import Recording
from .values import to_flag, to_text

AUTH_CODE_PREFIXES = (
    "invalidaccesskeyid",
    "signaturedoesnotmatch",
    "forbidden",
    "incompletesignature",
)
THROTTLING_CODE_PREFIXES = ("throttling",)
UNAVAILABLE_CODES = ("serviceunavailable", "internalerror", "servicetimeout")
_SUCCESS_CODES = ("", "200", "success", "ok")


def classify_error(
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


def parse_answer(action: str, resp: Response) -> tuple[Any, str | None]:
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
        raise classify_error(str(resp.status), "", None, resp.status)
    request_id = to_text(body.get("RequestId"))
    code_raw = body.get("Code")
    # text or a number (bool included) as written; an object or a list is no
    # code (and writing out a deeply nested one took seconds)
    readable = code_raw is None or isinstance(code_raw, (str, int, float))
    code = str(code_raw).strip() if readable and code_raw is not None else ""
    success = to_flag(body.get("Success"))
    if success is None and not readable and not failed_status:
        raise InvalidResponse(
            f"{action} answer has no 'Success' and no readable 'Code'"
        )
    failed = (
        failed_status
        or success is False
        or (success is None and code.lower() not in _SUCCESS_CODES)
    )
    if not failed:
        return body.get("Data"), request_id
    message = to_text(body.get("ErrorMessage")) or to_text(body.get("Message")) or ""
    raise classify_error(code or str(resp.status), message, request_id, resp.status)


def record_id_from_data(data: Any) -> str:
    """The record id ``TriggerRecord`` answered (text or a number)."""
    if isinstance(data, int) and not isinstance(data, bool):
        data = str(data)
    if not isinstance(data, str) or not data.strip():
        raise InvalidResponse("TriggerRecord answered no record id in 'Data'")
    return data.strip()


def recording_from_data(data: Any, record_id: str) -> Recording | None:
    """The file ``QueryRecordByRecordId`` answered; None while it is not uploaded."""
    if data in (None, "", [], {}):
        return None
    if not isinstance(data, Mapping):
        raise InvalidResponse("QueryRecordByRecordId 'Data' is not an object")
    if data.get("FileName") in (None, ""):
        return None
    return Recording.from_dict(data, record_id=record_id)


def url_from_data(data: Any) -> str:
    """The playback URL ``QueryRecordUrl`` answered (text, or ``Url``/``VodUrl``)."""
    if isinstance(data, Mapping):
        data = data.get("Url") or data.get("VodUrl")
    if not isinstance(data, str) or not data.strip():
        raise InvalidResponse("QueryRecordUrl answered no URL in 'Data'")
    return data.strip()


def recordings_from_data(data: Any) -> list[Recording]:
    """The files of one ``QueryRecord`` page (``Data.List``); none when absent."""
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
