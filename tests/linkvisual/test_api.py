"""The LinkVisual client against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
import logging
import re
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.camera_bridge.api import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.linkvisual import (
    API_VERSION,
    CHECK_ACTION,
    NAIVE_TIME_ZONE,
    Credentials,
    Device,
    LinkVisualAuthenticationFailed,
    LinkVisualClient,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualUnavailable,
    LinkVisualValidationError,
    Recording,
    endpoint_for_region,
    normalize_endpoint,
    parse_time,
    sign,
)
from simulator.common import RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator

from .conftest import GARDEN, PORCH


async def _wait_ready(client: LinkVisualClient, record_id: str) -> Recording:
    for _ in range(100):
        recording = await client.query_record_by_record_id(record_id, GARDEN)
        if recording is not None:
            return recording
        await asyncio.sleep(0.02)
    raise AssertionError("the record never became available")


# -- common parameters and signing ------------------------------------------


async def test_common_parameters(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Every call carries the documented common parameters, signed."""
    before = datetime.now(UTC).replace(microsecond=0)
    await client.check_credentials()
    params = sim.calls[-1]
    assert params["Action"] == CHECK_ACTION
    assert params["Version"] == API_VERSION == "2018-01-20"
    assert params["Format"] == "JSON"
    assert params["AccessKeyId"] == DEFAULT_KEY_ID
    assert params["SignatureMethod"] == "HMAC-SHA1"
    assert params["SignatureVersion"] == "1.0"
    assert params["RegionId"] == "cn-shanghai"
    assert "IotInstanceId" not in params
    stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )
    assert before <= stamp <= datetime.now(UTC)
    assert params["Signature"] == sign(params, DEFAULT_KEY_SECRET, "POST")
    assert sim.count(CHECK_ACTION) == 1


async def test_fresh_nonce_per_request(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Each request has its own nonce, so repeated calls are never replays."""
    for _ in range(5):
        await client.check_credentials()
    nonces = {call["SignatureNonce"] for call in sim.calls}
    assert len(nonces) == 5


async def test_post_with_everything_in_query(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """The call is a POST to / with every parameter in the query string."""
    seen: list[tuple[str, str, str]] = []

    async def spy(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        seen.append((request.method, request.url.path, request.url.raw_query_string))
        return await handler(request)

    async with aiohttp.ClientSession(middlewares=(spy,)) as spied:
        client = LinkVisualClient(
            spied, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, endpoint=server.url
        )
        await client.trigger_record(Device(iot_id="SimCam0001xyzIotIdA000100"), 30)
    method, path, query = seen[0]
    assert (method, path) == ("POST", "/")
    assert "Action=TriggerRecord" in query and "RecordDuration=30" in query
    # the canonical encoding is used on the wire: no '+' for spaces, ':' encoded
    assert "Timestamp=" in query and "%3A" in query


async def test_iot_instance_id_sent_when_configured(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """IotInstanceId is a parameter of every call when configured; the simulator demands it."""
    sim.iot_instance_id = "iot-cn-sim0001"
    without = LinkVisualClient(
        session, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, endpoint=server.url
    )
    with pytest.raises(LinkVisualError) as err:
        await without.check_credentials()
    assert err.value.code == "iot.common.InvalidTenant"
    assert err.value.message == "tenant auth error"
    assert not isinstance(err.value, (LinkVisualThrottled, LinkVisualUnavailable))
    with_id = LinkVisualClient(
        session,
        DEFAULT_KEY_ID,
        DEFAULT_KEY_SECRET,
        endpoint=server.url,
        iot_instance_id=" iot-cn-sim0001 ",
    )
    await with_id.check_credentials()
    assert sim.calls[-1]["IotInstanceId"] == "iot-cn-sim0001"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(
        alphabet=st.one_of(
            st.sampled_from(" *~/+%&=é中😀"),
            st.characters(codec="utf-8"),
        ),
        min_size=1,
        max_size=20,
    ).filter(lambda s: s.strip() == s and s.strip())
)
async def test_signature_accepted_for_any_text(
    client: LinkVisualClient, sim: LinkVisualSimulator, name: str
) -> None:
    """Awkward device names survive encoding and signing end to end."""
    with pytest.raises(LinkVisualError) as err:
        await client.trigger_record(Device(product_key="pk", device_name=name), 10)
    # the simulator verified the signature and only then looked the device up
    assert err.value.code == "iot.device.NotExistedDevice"
    assert sim.calls[-1]["DeviceName"] == name


# -- TriggerRecord and follow-ups -------------------------------------------


async def test_trigger_record_and_wait_for_the_file(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """A triggered record is pending (None), then has its file, times and URL."""
    sim.record_delay = 0.2
    record_id = await client.trigger_record(GARDEN, 60, pre_record=5, stream_type=1)
    assert record_id in sim.records
    params = sim.calls[-1]
    assert params["RecordDuration"] == "60"
    assert params["PreRecordDuration"] == "5"
    assert params["StreamType"] == "1"
    assert params["IotId"] == GARDEN.iot_id
    assert await client.query_record_by_record_id(record_id, GARDEN) is None
    recording = await _wait_ready(client, record_id)
    assert recording.record_id == record_id
    assert recording.file_name == sim.records[record_id].files[0].file_name
    assert recording.begin is not None and recording.end is not None
    assert recording.end - recording.begin == timedelta(seconds=60)
    assert abs(
        recording.begin - (datetime.now(UTC) - timedelta(seconds=5))
    ) < timedelta(seconds=5)
    assert recording.vod_url is not None and "/vod/" in recording.vod_url


async def test_query_by_record_id_without_device(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """The device is optional for QueryRecordByRecordId."""
    record_id = await client.trigger_record(PORCH, 10)
    await asyncio.sleep(0.1)
    recording = await client.query_record_by_record_id(record_id)
    assert recording is not None
    assert "IotId" not in sim.calls[-1] and "DeviceName" not in sim.calls[-1]


async def test_device_by_product_key_and_name(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """ProductKey + DeviceName name a device when there is no IotId; IotId wins otherwise."""
    await client.trigger_record(PORCH, 10)
    params = sim.calls[-1]
    assert params["ProductKey"] == "a1SimProduct" and params["DeviceName"] == "porch"
    assert "IotId" not in params
    both = Device(iot_id=GARDEN.iot_id, product_key="a1SimProduct", device_name="porch")
    record_id = await client.trigger_record(both, 10)
    assert sim.calls[-1]["IotId"] == GARDEN.iot_id
    assert "DeviceName" not in sim.calls[-1]
    assert sim.records[record_id].iot_id == GARDEN.iot_id


async def test_pre_record_ignored_by_camera_without_it(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """A camera without pre-recording records from now (the documented behaviour)."""
    record_id = await client.trigger_record(PORCH, 20, pre_record=5)
    await asyncio.sleep(0.1)
    recording = await client.query_record_by_record_id(record_id)
    assert recording is not None and recording.begin and recording.end
    assert recording.end - recording.begin == timedelta(seconds=20)
    assert abs(recording.begin - datetime.now(UTC)) < timedelta(seconds=3)


async def test_long_record_is_split_in_files(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Files are at most 30 minutes long; QueryRecord lists each of them."""
    record_id = await client.trigger_record(GARDEN, 7200)
    assert len(sim.records[record_id].files) == 4
    await asyncio.sleep(0.1)
    now = datetime.now(UTC)
    files = await client.query_record(
        GARDEN, now - timedelta(hours=1), now + timedelta(hours=3)
    )
    assert [f.file_name for f in files] == [
        f.file_name for f in sim.records[record_id].files
    ]
    assert all(
        f.end and f.begin and f.end - f.begin == timedelta(minutes=30) for f in files
    )
    assert {f.record_type for f in files} == {2}


async def test_stop_triggered_record(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Stopping a record cuts its file at the stop time."""
    record_id = await client.trigger_record(GARDEN, 3600)
    await asyncio.sleep(0.1)
    await client.stop_triggered_record(record_id, GARDEN)
    assert sim.calls[-1]["Action"] == "StopTriggeredRecord"
    assert sim.records[record_id].stopped
    recording = await client.query_record_by_record_id(record_id)
    assert recording is not None and recording.begin and recording.end
    assert recording.end - recording.begin < timedelta(seconds=5)
    await client.stop_triggered_record(record_id)  # device optional


async def test_unknown_record_id(client: LinkVisualClient) -> None:
    """An unknown record id is a backend error with the service's code and message."""
    with pytest.raises(LinkVisualError) as err:
        await client.query_record_by_record_id("nope")
    assert err.value.code == "iot.vision.RecordNotFound"
    assert err.value.request_id
    assert err.value.request_id in str(err.value)
    with pytest.raises(LinkVisualError):
        await client.stop_triggered_record("nope")


async def test_query_record_url(
    client: LinkVisualClient, session: aiohttp.ClientSession
) -> None:
    """QueryRecordUrl gives a playable (HLS) URL valid for the asked time."""
    record_id = await client.trigger_record(GARDEN, 10)
    recording = await _wait_ready(client, record_id)
    url = await client.query_record_url(
        recording.file_name, 60, device=GARDEN, seek_time=3
    )
    async with session.get(url) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/vnd.apple.mpegurl"
        assert (await resp.text()).startswith("#EXTM3U")
    expires = int(url.split("Expires=")[1].split("&")[0])
    assert abs(expires - (datetime.now(UTC).timestamp() + 60)) < 5


async def test_query_record_url_expired(
    client: LinkVisualClient, sim: LinkVisualSimulator, session: aiohttp.ClientSession
) -> None:
    """The simulator's playback URLs stop working after their validity."""
    file = sim.add_recording(GARDEN.iot_id or "", 1_700_000_000, 1_700_000_060)
    url = await client.query_record_url(file.file_name, 10)
    assert sim.calls[-1]["UrlValidDuration"] == "10"
    assert "SeekTime" not in sim.calls[-1]
    sim.time_offset = 20
    async with session.get(url) as resp:
        assert resp.status == 403
    async with session.get(url.replace("Token=", "Token=x")) as resp:
        assert resp.status == 403
    async with session.get(url.split("?")[0]) as resp:
        assert resp.status == 403


async def test_query_record_url_unknown_file(client: LinkVisualClient) -> None:
    """An unknown file name is a backend error."""
    with pytest.raises(LinkVisualError) as err:
        await client.query_record_url("missing/file", 10)
    assert err.value.code == "iot.vision.FileNotFound"


@pytest.mark.parametrize("time_format", ["s", "ms", "text", "iso"])
async def test_query_record_list_time_formats(
    client: LinkVisualClient, sim: LinkVisualSimulator, time_format: str
) -> None:
    """Recordings are listed with the right times whatever unit the service uses."""
    sim.time_format = time_format
    begin = 1_750_000_000.0
    for index in range(3):
        sim.add_recording(
            GARDEN.iot_id or "", begin + index * 600, begin + index * 600 + 300
        )
    sim.add_recording("SimCam0002xyzIotIdB000100", begin, begin + 300)
    files = await client.query_record(
        GARDEN,
        datetime.fromtimestamp(begin - 10, UTC),
        datetime.fromtimestamp(begin + 3600, UTC),
    )
    assert len(files) == 3
    assert files[0].begin == datetime.fromtimestamp(begin, UTC)
    assert files[2].end == datetime.fromtimestamp(begin + 1500, UTC)
    assert files[0].file_size and files[0].file_size > 0
    assert files[0].record_type == 0 and files[0].stream_type == 0
    assert files[0].snapshot_url is None
    params = sim.calls[-1]
    assert params["BeginTime"] == str(int(begin - 10))  # seconds are sent
    assert params["CurrentPage"] == "1" and params["PageSize"] == "20"


async def test_query_record_pages_and_stream(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Paging and the stream filter are passed on."""
    begin = 1_750_000_000.0
    for index in range(5):
        sim.add_recording(
            GARDEN.iot_id or "",
            begin + index * 60,
            begin + index * 60 + 30,
            stream_type=index % 2,
        )
    window = (
        datetime.fromtimestamp(begin, UTC),
        datetime.fromtimestamp(begin + 3600, UTC),
    )
    page2 = await client.query_record(GARDEN, *window, page=2, page_size=2)
    assert [f.begin for f in page2] == [
        datetime.fromtimestamp(begin + 120, UTC),
        datetime.fromtimestamp(begin + 180, UTC),
    ]
    subs = await client.query_record(GARDEN, *window, stream_type=1)
    assert [f.stream_type for f in subs] == [1, 1]
    empty = await client.query_record(GARDEN, *window, page=9)
    assert empty == []


async def test_check_credentials(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """The cheap call succeeds with a good key and needs no device."""
    await client.check_credentials()
    assert sim.calls[-1]["Action"] == "QueryTimeTemplate"
    assert not {"IotId", "ProductKey", "DeviceName"} & set(sim.calls[-1])


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


# -- secrets ----------------------------------------------------------------


async def test_secret_never_shown(
    session: aiohttp.ClientSession,
    server: RunningServer,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The secret is in no repr, log line or exception."""
    caplog.set_level(logging.DEBUG)
    secret = "S3cr3t-Never-Shown-xyz"
    sim.keys["LTAIother"] = secret
    client = LinkVisualClient(session, "LTAIother", secret, endpoint=server.url)
    assert secret not in repr(client) and "LTAIother" in repr(client)
    credentials = Credentials("LTAIother", secret)
    assert secret not in repr(credentials) and secret not in str(credentials)
    await client.check_credentials()
    await client.trigger_record(GARDEN, 10)
    messages: list[str] = []

    def throttle() -> None:
        sim.throttle = 1

    def forbid() -> None:
        sim.forbidden_actions.add("TriggerRecord")

    def rotate_secret() -> None:
        sim.keys["LTAIother"] = "changed"

    for setup in (throttle, forbid, rotate_secret):
        setup()
        try:
            await client.trigger_record(GARDEN, 10)
        except CameraBridgeError as err:
            messages.extend([str(err), repr(err), str(err.args)])
    assert len(messages) == 9
    assert "LinkVisual TriggerRecord answered" in caplog.text
    assert "LinkVisual TriggerRecord failed: SignatureDoesNotMatch" in caplog.text
    for text in [*messages, caplog.text]:
        assert secret not in text


# -- endpoints, regions, times ----------------------------------------------


def test_endpoints() -> None:
    """The region decides the default host; custom endpoints are normalised."""
    assert (
        endpoint_for_region("cn-shanghai")
        == "https://linkvisual.cn-shanghai.aliyuncs.com"
    )
    assert (
        endpoint_for_region(" AP-Southeast-1 ")
        == "https://linkvisual.ap-southeast-1.aliyuncs.com"
    )
    assert (
        normalize_endpoint("linkvisual.aliyuncs.com")
        == "https://linkvisual.aliyuncs.com"
    )
    assert (
        normalize_endpoint("https://LinkVisual.aliyuncs.com:443/")
        == "https://linkvisual.aliyuncs.com"
    )
    assert normalize_endpoint("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert normalize_endpoint("http://[::1]:80") == "http://[::1]"
    for bad in (
        "ftp://x",
        "https://x/path",
        "https://x/?a=1",
        "https://u:p@x",
        "http://",
        "http://x:99999",
    ):
        with pytest.raises(LinkVisualValidationError) as err:
            normalize_endpoint(bad)
        assert err.value.field == "endpoint"
    for bad_region in ("", "cn shanghai", "a/b"):
        with pytest.raises(LinkVisualValidationError):
            endpoint_for_region(bad_region)


def test_client_construction() -> None:
    """Region and endpoint choose the URL; empty keys are refused."""
    session: Any = object()
    client = LinkVisualClient(session, " id ", "secret", region="cn-beijing")
    assert client.endpoint == "https://linkvisual.cn-beijing.aliyuncs.com"
    assert client.access_key_id == "id"
    assert client.iot_instance_id is None
    custom = LinkVisualClient(
        session,
        "id",
        "secret",
        region="",
        endpoint="linkvisual.aliyuncs.com",
        iot_instance_id="",
    )
    assert custom.endpoint == "https://linkvisual.aliyuncs.com"
    assert custom.region == "cn-shanghai" and custom.iot_instance_id is None
    for key_id, secret in (("", "s"), ("id", ""), ("  ", "s")):
        with pytest.raises(LinkVisualValidationError):
            LinkVisualClient(session, key_id, secret)


async def test_region_id_parameter(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """RegionId follows the configured region even with a custom endpoint."""
    client = LinkVisualClient(
        session,
        DEFAULT_KEY_ID,
        DEFAULT_KEY_SECRET,
        region=" AP-Southeast-1 ",
        endpoint=server.url,
    )
    await client.check_credentials()
    assert sim.calls[-1]["RegionId"] == "ap-southeast-1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_700_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1_700_000_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000500", datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        (1_700_000_000.25, datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC)),
        ("2023-11-15 06:13:20", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2023-11-14T22:13:20Z", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2023-11-15T00:13:20+02:00", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (99_999_999_999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
        (None, None),
        (True, None),
        ("", None),
        ("  ", None),
        ("soon", None),
        (0, None),
        (-5, None),
        (float("nan"), None),
        (float("inf"), None),
        (10**30, None),
        ([1], None),
    ],
)
def test_parse_time(value: Any, expected: datetime | None) -> None:
    """Seconds, milliseconds, ISO and naive text are all understood; junk is None."""
    assert parse_time(value) == expected
    if expected is not None:
        assert parse_time(value).tzinfo is not None  # type: ignore[union-attr]


def test_naive_time_zone_is_one_constant() -> None:
    """The zone of naive answer times is China Standard Time (documented guess)."""
    assert NAIVE_TIME_ZONE.utcoffset(None) == timedelta(hours=8)
