"""The LinkVisual client against the simulator: validation before sending, and every kind of error."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
import re
from typing import Any

import aiohttp
import pytest

from custom_components.camera_bridge.api import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.linkvisual import (
    Device,
    LinkVisualAuthenticationFailed,
    LinkVisualClient,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualUnavailable,
    LinkVisualValidationError,
    Recording,
)
from simulator.common import RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator

from .conftest import GARDEN

# -- validation before sending ----------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"duration": 9}, "duration"),
        ({"duration": 7201}, "duration"),
        ({"duration": True}, "duration"),
        ({"duration": 60.0}, "duration"),
        ({"duration": 60, "pre_record": -1}, "pre_record"),
        ({"duration": 60, "pre_record": 11}, "pre_record"),
        ({"duration": 10, "pre_record": 10}, "pre_record"),
        ({"duration": 60, "stream_type": 2}, "stream_type"),
        ({"duration": 60, "stream_type": True}, "stream_type"),
        ({"duration": 60, "device": None}, "device"),
        ({"duration": 60, "device": "SimCam0001xyzIotIdA000100"}, "device"),
    ],
)
async def test_trigger_record_validation(
    client: LinkVisualClient,
    sim: LinkVisualSimulator,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """Out-of-range arguments are refused before anything is sent."""
    args: dict[str, Any] = {"device": GARDEN} | kwargs
    with pytest.raises(LinkVisualValidationError) as err:
        await client.trigger_record(**args)
    assert err.value.field == field
    assert isinstance(err.value, CameraBridgeError)
    assert sim.calls == []


async def test_trigger_record_bounds_accepted(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """The documented bounds themselves are accepted by client and service."""
    await client.trigger_record(GARDEN, 10, pre_record=9)
    await client.trigger_record(GARDEN, 7200, pre_record=10, stream_type=1)
    assert sim.count("TriggerRecord") == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"iot_id": None},
        {"iot_id": "  "},
        {"product_key": "pk"},
        {"device_name": "dn"},
        {"product_key": "pk", "device_name": " "},
        {"iot_id": 5},
    ],
)
def test_device_needs_an_identity(kwargs: dict[str, Any]) -> None:
    """A device is an IotId or a ProductKey and a DeviceName."""
    with pytest.raises(LinkVisualValidationError) as err:
        Device(**kwargs)
    assert err.value.field == "device"


def test_device_normalised() -> None:
    """Identifiers are stripped; the key is stable."""
    device = Device(iot_id=" abc ", product_key="", device_name=None)
    assert device.iot_id == "abc" and device.product_key is None
    assert device.key == "abc"
    assert Device(product_key="pk", device_name="dn").key == "pk/dn"
    assert Device(product_key="pk", device_name="dn").params() == {
        "ProductKey": "pk",
        "DeviceName": "dn",
    }


async def test_other_validation(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Record ids, file names, URL validity, pages and times are checked locally."""
    now = datetime.now(UTC)
    cases: list[tuple[Any, str]] = [
        (client.query_record_by_record_id(""), "record_id"),
        (client.query_record_by_record_id("r", "dev"), "device"),  # type: ignore[arg-type]
        (client.stop_triggered_record(" "), "record_id"),
        (client.stop_triggered_record("r", "dev"), "device"),  # type: ignore[arg-type]
        (client.query_record_url("", 60), "file_name"),
        (client.query_record_url("f", 9), "valid_for"),
        (client.query_record_url("f", 3601), "valid_for"),
        (client.query_record_url("f", 60, seek_time=-1), "seek_time"),
        (client.query_record_url("f", 60, device="d"), "device"),  # type: ignore[arg-type]
        (client.query_record(GARDEN, now, now - timedelta(seconds=1)), "end"),
        (client.query_record(GARDEN, now.replace(tzinfo=None), now), "begin"),
        (client.query_record(GARDEN, now, now, page=0), "page"),
        (client.query_record(GARDEN, now, now, page_size=0), "page_size"),
        (client.query_record(GARDEN, now, now, page_size=201), "page_size"),
        (client.query_record(GARDEN, now, now, stream_type=3), "stream_type"),
        (client.query_record(None, now, now), "device"),  # type: ignore[arg-type]
    ]
    for coro, field in cases:
        with pytest.raises(LinkVisualValidationError) as err:
            await coro
        assert err.value.field == field
    assert sim.calls == []


async def test_unencodable_text_is_a_validation_error(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """A lone surrogate cannot be sent: refused as invalid, not a UnicodeError."""
    with pytest.raises(LinkVisualValidationError):
        await client.query_record_by_record_id("bad\udc80id")
    assert sim.calls == []


# -- errors -----------------------------------------------------------------


async def test_unknown_key(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """An unknown AccessKeyId is an authentication failure."""
    client = LinkVisualClient(session, "LTAIunknown", "whatever", endpoint=server.url)
    with pytest.raises(LinkVisualAuthenticationFailed) as err:
        await client.check_credentials()
    assert err.value.code == "InvalidAccessKeyId.NotFound"
    assert err.value.status == 404
    assert err.value.request_id
    assert isinstance(err.value, AuthenticationFailed)


async def test_disabled_key(client: LinkVisualClient, sim: LinkVisualSimulator) -> None:
    """A disabled key is an authentication failure."""
    sim.disabled_keys.add(DEFAULT_KEY_ID)
    with pytest.raises(LinkVisualAuthenticationFailed) as err:
        await client.trigger_record(GARDEN, 10)
    assert err.value.code == "InvalidAccessKeyId.Inactive"


async def test_wrong_secret(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """A wrong secret fails the signature check: an authentication failure without the secret."""
    secret = "Wrong-Secret-Value-123"
    client = LinkVisualClient(session, DEFAULT_KEY_ID, secret, endpoint=server.url)
    with pytest.raises(LinkVisualAuthenticationFailed) as err:
        await client.check_credentials()
    assert err.value.code == "SignatureDoesNotMatch"
    assert "server string to sign" in err.value.message
    assert secret not in str(err.value) and secret not in repr(err.value)
    assert DEFAULT_KEY_SECRET not in str(err.value)
    assert sim.calls == []


async def test_forbidden(client: LinkVisualClient, sim: LinkVisualSimulator) -> None:
    """Forbidden.RAM (a key without permission) is an authentication failure."""
    sim.forbidden_actions.add("TriggerRecord")
    with pytest.raises(LinkVisualAuthenticationFailed) as err:
        await client.trigger_record(GARDEN, 10)
    assert err.value.code == "Forbidden.RAM"
    assert err.value.status == 403


@pytest.mark.parametrize(
    ("code", "status"), [("Throttling.User", 400), ("Throttling", 503)]
)
async def test_throttling_is_retryable(
    client: LinkVisualClient, sim: LinkVisualSimulator, code: str, status: int
) -> None:
    """Throttling codes raise a retryable error; the next call goes through."""
    sim.throttle = 1
    sim.throttle_code = code
    sim.throttle_status = status
    with pytest.raises(LinkVisualThrottled) as err:
        await client.trigger_record(GARDEN, 10)
    assert err.value.retryable
    assert err.value.code == code
    assert err.value.message == "Request was denied due to user flow control."
    assert isinstance(err.value, BackendError)
    await client.trigger_record(GARDEN, 10)


async def test_clock_skew(client: LinkVisualClient, sim: LinkVisualSimulator) -> None:
    """A timestamp too far from the server clock is refused (not an auth failure)."""
    sim.time_offset = 3600
    with pytest.raises(LinkVisualError) as err:
        await client.check_credentials()
    assert err.value.code == "InvalidTimeStamp.Expired"
    assert not err.value.retryable


async def test_device_errors(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Unknown and offline devices are backend errors with the service's message."""
    with pytest.raises(LinkVisualError) as err:
        await client.trigger_record(Device(iot_id="unknown"), 10)
    assert err.value.code == "iot.device.NotExistedDevice"
    assert err.value.status == 200
    sim.cameras[GARDEN.iot_id or ""].online = False
    with pytest.raises(LinkVisualError) as err:
        await client.trigger_record(GARDEN, 10)
    assert err.value.code == "iot.device.DeviceOffline"
    assert err.value.message == "The device is offline."


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (
            500,
            {"Code": "InternalError", "Message": "oops", "RequestId": "R1"},
            LinkVisualUnavailable,
            "InternalError",
        ),
        (503, "busy", LinkVisualUnavailable, "503"),
        (429, "", LinkVisualThrottled, "429"),
        (403, "<html>denied</html>", LinkVisualAuthenticationFailed, "403"),
        (401, None, LinkVisualAuthenticationFailed, "401"),
        (404, "not here", LinkVisualError, "404"),
        (
            400,
            {"Code": "SignatureNonceUsed", "Message": "used"},
            LinkVisualError,
            "SignatureNonceUsed",
        ),
        (
            200,
            {"Success": False, "Code": "Boom", "ErrorMessage": "bad"},
            LinkVisualError,
            "Boom",
        ),
        (200, {"Success": "false", "Code": 9200}, LinkVisualError, "9200"),
        (200, {"Success": False}, LinkVisualError, "200"),
        (
            200,
            {"Code": "Throttling.Api", "Message": "slow"},
            LinkVisualThrottled,
            "Throttling.Api",
        ),
        (
            200,
            {"Code": "ServiceUnavailable"},
            LinkVisualUnavailable,
            "ServiceUnavailable",
        ),
        (
            400,
            {"Code": "IncompleteSignature"},
            LinkVisualAuthenticationFailed,
            "IncompleteSignature",
        ),
        (
            400,
            {"Code": "forbidden.accesskeydisabled"},
            LinkVisualAuthenticationFailed,
            "forbidden.accesskeydisabled",
        ),
        (400, [1, 2], LinkVisualError, "400"),
    ],
)
async def test_error_shapes(
    client: LinkVisualClient,
    sim: LinkVisualSimulator,
    *,
    status: int,
    body: Any,
    error: type[LinkVisualError | LinkVisualAuthenticationFailed],
    code: str,
) -> None:
    """Every error shape maps to its typed exception with code and message."""
    sim.faults.status = status
    sim.faults.status_body = body
    with pytest.raises(error) as err:
        await client.trigger_record(GARDEN, 10)
    assert type(err.value) is error
    assert err.value.code == code
    if isinstance(body, dict) and "RequestId" in body:
        assert err.value.request_id == body["RequestId"]
    if isinstance(body, dict) and "Message" in body:
        assert err.value.message == body["Message"]


@pytest.mark.parametrize(
    ("body", "call", "fragment"),
    [
        ({"Success": True, "Code": "200"}, "trigger", "'Data'"),
        ({"Success": True, "Data": ""}, "trigger", "'Data'"),
        ({"Success": True, "Data": {"x": 1}}, "trigger", "'Data'"),
        ({"Success": True, "Data": "  "}, "url", "'Data'"),
        ({"Success": True, "Data": 5}, "url", "'Data'"),
        ({"Success": True, "Data": "id"}, "by_id", "'Data'"),
        ({"Success": True, "Data": {"FileName": 5}}, "by_id", "'FileName'"),
        ({"Success": True, "Data": "x"}, "list", "'Data'"),
        ({"Success": True, "Data": {"List": {}}}, "list", "'Data.List'"),
        ({"Success": True, "Data": {"List": ["x"]}}, "list", "list entry"),
        ({"Success": True, "Data": {"List": [{"BeginTime": 1}]}}, "list", "'FileName'"),
        ([1, 2], "trigger", "not a JSON object"),
        ("text", "trigger", "malformed JSON"),
    ],
)
async def test_invalid_answers(
    client: LinkVisualClient,
    sim: LinkVisualSimulator,
    body: Any,
    call: str,
    fragment: str,
) -> None:
    """Answers missing what is needed raise InvalidResponse naming the field."""
    sim.faults.status = 200
    sim.faults.status_body = body
    now = datetime.now(UTC)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "trigger": lambda: client.trigger_record(GARDEN, 10),
        "url": lambda: client.query_record_url("f", 10),
        "by_id": lambda: client.query_record_by_record_id("r"),
        "list": lambda: client.query_record(GARDEN, now, now),
    }
    with pytest.raises(InvalidResponse, match=re.escape(fragment)):
        await calls[call]()


async def test_lenient_answers(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Extras are ignored; numeric ids, nested URLs and empty data are understood."""
    sim.faults.status = 200
    now = datetime.now(UTC)
    sim.faults.status_body = {"Success": True, "Data": 12345, "Extra": [1]}
    assert await client.trigger_record(GARDEN, 10) == "12345"
    sim.faults.status_body = {"Code": "200", "Data": " rid "}
    assert await client.trigger_record(GARDEN, 10) == "rid"
    sim.faults.status_body = {"Success": "true", "Data": {"Url": "http://x/v"}}
    assert await client.query_record_url("f", 10) == "http://x/v"
    empties: list[Any] = [None, "", [], {}, {"BeginTime": 1}]
    for empty in empties:
        sim.faults.status_body = {"Success": True, "Data": empty}
        assert await client.query_record_by_record_id("r") is None
    for empty_list in (None, "", {"Page": 1}):
        sim.faults.status_body = {"Success": True, "Data": empty_list}
        assert await client.query_record(GARDEN, now, now) == []
    sim.faults.status_body = {
        "Success": True,
        "Data": {"FileName": "f", "BeginTime": "junk", "EndTime": None, "VodUrl": 3},
    }
    recording = await client.query_record_by_record_id("r")
    assert recording == Recording(file_name="f", record_id="r")
    sim.faults.status_body = {"Success": True}
    await client.stop_triggered_record("r")
    sim.faults.status_body = {"Success": 1, "Data": {"List": [_odd_entry()]}}
    [odd] = await client.query_record(GARDEN, now, now)
    assert (odd.file_size, odd.record_type, odd.stream_type, odd.event_type) == (
        1024,
        1,
        None,
        None,
    )
    assert odd.snapshot_url == "http://x/s.jpg"
    sim.faults.status_body = {"Success": 0, "Code": "X"}
    with pytest.raises(LinkVisualError):
        await client.stop_triggered_record("r")


def _odd_entry() -> dict[str, Any]:
    return {
        "FileName": "f",
        "FileSize": " 1024 ",
        "RecordType": 1.0,
        "StreamType": True,
        "EventType": "motion",
        "SnapshotUrl": "http://x/s.jpg",
        "Unknown": {"nested": []},
    }


async def test_pending_data_shapes(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """A pending upload answered as null Data is also 'not yet'."""
    sim.record_delay = 60
    sim.pending_data = None
    record_id = await client.trigger_record(GARDEN, 10)
    assert await client.query_record_by_record_id(record_id) is None


async def test_transport_errors(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Dropped, malformed, truncated and oversized answers map to the family."""
    sim.faults.drop = True
    with pytest.raises(CannotConnect):
        await client.check_credentials()
    sim.faults.reset()
    sim.faults.malformed = True
    with pytest.raises(InvalidResponse):
        await client.check_credentials()
    sim.faults.reset()
    sim.faults.truncated = True
    with pytest.raises(CannotConnect):
        await client.check_credentials()
    sim.faults.reset()
    sim.faults.huge = 5 * 1024 * 1024
    with pytest.raises(InvalidResponse):
        await client.check_credentials()


async def test_timeout(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """No answer within the timeout is CannotConnect."""
    sim.faults.latency = 0.3
    client = LinkVisualClient(
        session, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, endpoint=server.url, timeout=0.1
    )
    with pytest.raises(CannotConnect):
        await client.check_credentials()
    await asyncio.sleep(0.3)  # let the slow handler finish before the server stops


async def test_connection_refused(
    session: aiohttp.ClientSession, unused_tcp_port: int
) -> None:
    """Nothing listening is CannotConnect."""
    client = LinkVisualClient(
        session,
        "id",
        "secret",
        endpoint=f"http://127.0.0.1:{unused_tcp_port}",
        timeout=2,
    )
    with pytest.raises(CannotConnect):
        await client.check_credentials()
