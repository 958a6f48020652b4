"""The LinkVisual client's live, capture and record-page calls, and their readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.camera_bridge.api import CannotConnect, InvalidResponse
from custom_components.camera_bridge.api.linkvisual import (
    LinkVisualAuthenticationFailed,
    LinkVisualClient,
    LinkVisualError,
    LinkVisualValidationError,
    capture_unsupported,
)
from custom_components.camera_bridge.api.linkvisual.media import (
    capture_id_from_data,
    live_stream_from_data,
    picture_url_from_data,
    record_page_from_data,
)
from simulator.common import Faults
from simulator.linkvisual import LinkVisualSimulator

from .conftest import GARDEN, PORCH

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


async def test_live_stream(client: LinkVisualClient, sim: LinkVisualSimulator) -> None:
    """The URL, its expiry from the asked validity, the parameters sent."""
    before = datetime.now(UTC)
    stream = await client.query_live_streaming(PORCH, "flv", 1, 30)
    assert stream.scheme == "flv"
    assert stream.url.partition("?")[0].endswith(
        "/live/SimCam0002xyzIotIdB000100/1.flv"
    )
    assert before + timedelta(seconds=30) <= stream.expires_at
    assert stream.expires_at <= datetime.now(UTC) + timedelta(seconds=30)
    assert stream.decrypt_key is None
    assert "Token" not in repr(stream)
    call = sim.calls[-1]
    assert (call["ProductKey"], call["DeviceName"]) == ("a1SimProduct", "porch")
    assert (call["Scheme"], call["StreamType"], call["UrlValidDuration"]) == (
        "flv",
        "1",
        "30",
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scheme": "rtsp"}, "scheme"),
        ({"stream_type": 2}, "stream_type"),
        ({"valid_for": 5}, "valid_for"),
        ({"valid_for": 3601}, "valid_for"),
    ],
)
async def test_live_stream_arguments(
    client: LinkVisualClient,
    sim: LinkVisualSimulator,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(LinkVisualValidationError) as err:
        await client.query_live_streaming(GARDEN, **kwargs)
    assert err.value.field == field
    assert not sim.calls


async def test_live_stream_errors(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    sim.forbidden_actions.add("QueryLiveStreaming")
    with pytest.raises(LinkVisualAuthenticationFailed):
        await client.query_live_streaming(GARDEN)
    sim.forbidden_actions.clear()
    sim.cameras[GARDEN.iot_id or ""].online = False
    with pytest.raises(LinkVisualError) as err:
        await client.query_live_streaming(GARDEN)
    assert err.value.code == "iot.device.DeviceOffline"


async def test_capture_and_download(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    """Capture id, no URL until uploaded, then a JPEG; an expired URL is refused."""
    sim.capture_delay = 60
    capture_id = await client.trigger_capture_picture(GARDEN)
    assert await client.query_picture_url(GARDEN, capture_id) is None
    assert sim.calls[-1]["CaptureId"] == capture_id
    sim.captures[capture_id].ready_at = 0
    url = await client.query_picture_url(GARDEN, capture_id)
    assert url is not None
    picture = await client.download_picture(url)
    assert picture.startswith(b"\xff\xd8")
    with pytest.raises(InvalidResponse, match="cap"):
        await client.download_picture(url, max_bytes=100)
    sim.time_offset = 7200
    with pytest.raises(InvalidResponse, match="HTTP 403") as err:
        await client.download_picture(url)
    assert "Token" not in str(err.value)
    sim.time_offset = 0
    with pytest.raises(LinkVisualError) as error:
        await client.query_picture_url(PORCH, capture_id)  # another camera's
    assert error.value.code == "iot.vision.PictureNotFound"
    with pytest.raises(LinkVisualValidationError):
        await client.query_picture_url(GARDEN, " ")


async def test_download_failures_hide_the_url(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    capture_id = await client.trigger_capture_picture(GARDEN)
    url = await client.query_picture_url(GARDEN, capture_id)
    assert url is not None
    sim.faults = Faults(drop=True, paths=("/pictures/",))
    with pytest.raises(CannotConnect) as err:
        await client.download_picture(url)
    assert str(err.value) == "the picture could not be downloaded"
    assert err.value.__cause__ is None and err.value.__suppress_context__
    with pytest.raises(CannotConnect):
        await client.download_picture("http://127.0.0.1:1/p.jpg?Token=secret")
    with pytest.raises(InvalidResponse, match="not a URL"):
        await client.download_picture("http://[::1/p.jpg")


async def test_camera_that_cannot_capture(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    sim.cameras[GARDEN.iot_id or ""].can_capture = False
    with pytest.raises(LinkVisualError) as err:
        await client.trigger_capture_picture(GARDEN)
    assert capture_unsupported(err.value)
    assert not capture_unsupported(LinkVisualError("iot.device.DeviceOffline"))


async def test_record_page_total(
    client: LinkVisualClient, sim: LinkVisualSimulator
) -> None:
    now = datetime.now(UTC)
    for minutes in range(5):
        begin = (now - timedelta(minutes=10 + minutes)).timestamp()
        sim.add_recording(GARDEN.iot_id or "", begin, begin + 30)
    page = await client.query_record_page(GARDEN, now - timedelta(hours=1), now, 2, 2)
    assert page.total == 5
    assert len(page.recordings) == 2
    sim.list_total = False
    page = await client.query_record_page(GARDEN, now - timedelta(hours=1), now, 3, 2)
    assert page.total is None
    assert len(page.recordings) == 1


def test_live_stream_answers() -> None:
    """Data.Path (or text), DecryptKey; anything without a URL is refused."""
    stream = live_stream_from_data(
        {"Path": " rtmp://x/y?t=1 ", "DecryptKey": "k"},
        requested_at=NOW,
        valid_for=60,
        scheme="rtmp",
    )
    assert (stream.url, stream.decrypt_key) == ("rtmp://x/y?t=1", "k")
    assert stream.expires_at == NOW + timedelta(seconds=60)
    assert "decrypt_key" not in repr(stream)
    assert "rtmp://" not in repr(stream)
    assert (
        live_stream_from_data(
            "https://x/a.m3u8", requested_at=NOW, valid_for=10, scheme="hls"
        ).url
        == "https://x/a.m3u8"
    )
    for data in (None, {}, {"Path": ""}, {"Path": 3}, "  ", 7):
        with pytest.raises(InvalidResponse, match=r"Data\.Path"):
            live_stream_from_data(data, requested_at=NOW, valid_for=10, scheme="hls")


def test_capture_answers() -> None:
    assert capture_id_from_data(" abc ") == "abc"
    assert capture_id_from_data(123) == "123"
    assert capture_id_from_data({"CaptureId": "c1"}) == "c1"
    for data in (None, "", True, {}, [], 1.5):
        with pytest.raises(InvalidResponse, match="capture id"):
            capture_id_from_data(data)
    assert picture_url_from_data({"PicUrl": " https://p/1.jpg "}) == "https://p/1.jpg"
    for empty in (None, "", [], {}, {"PicUrl": ""}, {"PicUrl": None}):
        assert picture_url_from_data(empty) is None
    with pytest.raises(InvalidResponse, match="not an object"):
        picture_url_from_data("https://p/1.jpg")


def test_record_page_answers() -> None:
    assert record_page_from_data({"List": [], "Total": "7"}).total == 7
    assert record_page_from_data({"List": [], "Total": -1}).total is None
    assert record_page_from_data({"List": [], "Total": "many"}).total is None
    assert record_page_from_data(None).total is None
