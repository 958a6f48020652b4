"""The LinkVisual client against the simulator over real HTTP on 127.0.0.1: signing, TriggerRecord and the queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.camera_bridge.api.linkvisual import (
    API_VERSION,
    CHECK_ACTION,
    Device,
    LinkVisualClient,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualUnavailable,
    sign,
)
from simulator.common import RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator

from .conftest import GARDEN, PORCH, wait_ready

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
    recording = await wait_ready(client, record_id)
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
    recording = await wait_ready(client, record_id)
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
