"""The Media browser of a LinkVisual account, as the frontend and a player use it.

Browsing and resolving go through Home Assistant's websocket API; the
recordings come from the simulated account's QueryRecord pages; a resolved
URL is a fresh QueryRecordUrl HLS URL, opened with PyAV.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
import re
from typing import Any

import av
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.backends.linkvisual import media as lv_media
from custom_components.camera_bridge.const import DOMAIN
from simulator import media
from simulator.common import Faults
from simulator.linkvisual import LinkVisualSimulator
from tests.conftest import MediaWs
from tests.media_browse import ROOT, browse, ids, titles

from .conftest import GARDEN_IOT_ID, PORCH_CAMERA, camera, setup_account

HLS = "application/vnd.apple.mpegurl"


def yesterday() -> date:
    """A whole day in the past, in Home Assistant's time zone."""
    return dt_util.now().date() - timedelta(days=1)


def seed_day(
    sim: LinkVisualSimulator, day: date, count: int, iot_id: str = GARDEN_IOT_ID
) -> list[datetime]:
    """``count`` one-minute recordings, five minutes apart, from the day's 00:10."""
    start = dt_util.start_of_local_day(day) + timedelta(minutes=10)
    begins = [start + timedelta(minutes=5 * n) for n in range(count)]
    for begin in begins:
        sim.add_recording(iot_id, begin.timestamp(), begin.timestamp() + 60)
    return begins


def garden_yesterday(entry: MockConfigEntry) -> str:
    """The media id of the garden camera's folder of yesterday."""
    return f"{ROOT}/{entry.entry_id}/day/garden/{yesterday().isoformat()}"


async def browse_yesterday(
    media_ws: MediaWs, sim: LinkVisualSimulator, entry: MockConfigEntry, count: int
) -> dict[str, Any]:
    """The garden camera's folder of yesterday, holding ``count`` recordings."""
    seed_day(sim, yesterday(), count)
    return await browse(media_ws, garden_yesterday(entry))


def hhmmss(moment: datetime) -> str:
    return dt_util.as_local(moment).strftime("%H:%M:%S")


@pytest.fixture
async def entry(
    hass: HomeAssistant, lv_data: dict[str, Any], media_ws: MediaWs
) -> MockConfigEntry:
    """An account with the garden and porch cameras, and media_source set up."""
    return await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])


async def test_browse_cameras_days_and_recordings(
    hass: HomeAssistant,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    """Account → cameras → the last 7 days → the day's recordings, newest first."""
    begins = seed_day(sim, yesterday(), 3)
    calls = len(sim.calls)
    root = await browse(media_ws, ROOT)
    assert f"{ROOT}/{entry.entry_id}" in ids(root)
    account = await browse(media_ws, f"{ROOT}/{entry.entry_id}")
    assert titles(account) == ["Garden", "Porch"]
    assert ids(account) == [
        f"{ROOT}/{entry.entry_id}/cam/garden",
        f"{ROOT}/{entry.entry_id}/cam/porch",
    ]
    garden = await browse(media_ws, ids(account)[0])
    assert garden["title"] == "Garden"
    today = dt_util.now().date()
    expected = [today - timedelta(days=n) for n in range(lv_media.DAYS)]
    assert ids(garden) == [
        f"{ROOT}/{entry.entry_id}/day/garden/{day.isoformat()}" for day in expected
    ]
    assert garden["children"][1]["title"] == expected[1].strftime("%Y-%m-%d, %A")
    assert len(sim.calls) == calls  # cameras and days cost nothing

    day = await browse(media_ws, ids(garden)[1])
    (call,) = sim.calls[calls:]
    assert call["Action"] == "QueryRecord"
    assert call["IotId"] == GARDEN_IOT_ID
    start = dt_util.start_of_local_day(expected[1])
    assert int(call["BeginTime"]) == int(start.timestamp())
    assert int(call["EndTime"]) == int(start.timestamp()) + 86400 - 1
    assert day["title"].endswith(": recordings 1 to 3 of 3")
    assert titles(day) == [
        f"{hhmmss(b)} to {hhmmss(b + timedelta(minutes=1))} (1 min)"
        for b in reversed(begins)
    ]
    item = day["children"][0]
    assert (item["media_class"], item["media_content_type"]) == ("video", HLS)
    assert item["can_play"] and not item["can_expand"]
    assert re.fullmatch(
        rf"{ROOT}/{entry.entry_id}/rec/garden/[0-9a-f]{{16}}", item["media_content_id"]
    )
    # an item browses to itself without a request
    again = await browse(media_ws, item["media_content_id"])
    assert again["title"] == item["title"]
    assert len(sim.calls) == calls + 1


async def test_resolve_asks_a_fresh_url_each_time(
    hass: HomeAssistant,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    """Each play is a new QueryRecordUrl; the HLS URL plays as it is."""
    day = await browse_yesterday(media_ws, sim, entry, 1)
    item = ids(day)[0]
    urls = []
    for _ in range(2):
        answer = await media_ws("resolve_media", item)
        assert answer["success"], answer
        assert answer["result"]["mime_type"] == HLS
        urls.append(answer["result"]["url"])
    assert sim.count("QueryRecordUrl") == 2
    call = next(c for c in reversed(sim.calls) if c["Action"] == "QueryRecordUrl")
    assert call["UrlValidDuration"] == str(lv_media.VOD_URL_VALIDITY)
    assert call["IotId"] == GARDEN_IOT_ID
    url = urls[-1]
    assert "/vod/" in url and "Token=" in url  # the cloud URL, not a proxy

    def first_frame() -> av.VideoFrame:
        with av.open(url, timeout=5) as container:
            return next(container.decode(video=0))

    frame = await hass.async_add_executor_job(first_frame)
    assert (frame.width, frame.height) == (media.WIDTH, media.HEIGHT)


async def test_page_through_a_long_day(
    hass: HomeAssistant,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    """130 recordings: the newest 30, then 50 older, then the first 50."""
    begins = seed_day(sim, yesterday(), 130)
    base = garden_yesterday(entry)
    seen: list[str] = []
    before = sim.count("QueryRecord")
    folder = await browse(media_ws, base)
    assert sim.count("QueryRecord") == before + 2  # the total, then the last page
    pages = []
    while True:
        pages.append(folder["title"].rpartition(": ")[2])
        children = folder["children"]
        older = [c for c in children if c["can_expand"]]
        seen += [c["title"] for c in children if c["can_play"]]
        if not older:
            break
        (more,) = older
        assert more["title"] == "Older recordings"
        assert children[-1] is more
        calls = sim.count("QueryRecord")
        folder = await browse(media_ws, more["media_content_id"])
        assert sim.count("QueryRecord") == calls + 1
    assert pages == [
        "recordings 101 to 130 of 130",
        "recordings 51 to 100 of 130",
        "recordings 1 to 50 of 130",
    ]
    assert [t[:8] for t in seen] == [hhmmss(b) for b in reversed(begins)]


async def test_pages_without_a_total(
    hass: HomeAssistant,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    """A service that gives no Total is followed page by page, forwards."""
    sim.list_total = False
    begins = seed_day(sim, yesterday(), lv_media.PAGE_SIZE + 5)
    base = garden_yesterday(entry)
    before = sim.count("QueryRecord")
    first = await browse(media_ws, base)
    assert sim.count("QueryRecord") == before + 1
    later = first["children"][0]
    assert later["title"] == "Later recordings"
    assert later["media_content_id"] == f"{base}/2"
    assert len(first["children"]) == lv_media.PAGE_SIZE + 1
    second = await browse(media_ws, later["media_content_id"])
    assert [c["title"][:8] for c in second["children"] if c["can_play"]] == [
        hhmmss(b) for b in reversed(begins[lv_media.PAGE_SIZE :])
    ]
    assert second["children"][-1]["media_content_id"] == f"{base}/1"


async def test_record_now_recordings_are_listed(
    hass: HomeAssistant,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.garden_record_now"}, blocking=True
    )
    (record,) = sim.records.values()
    record.files[0].ready_at = 0  # uploaded
    today = dt_util.now().date()
    day = await browse(media_ws, f"{ROOT}/{entry.entry_id}/day/garden/{today}")
    assert len(day["children"]) == 1
    assert day["children"][0]["title"].endswith("(1 min)")


async def test_unknown_or_tampered_ids_send_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    day = await browse_yesterday(media_ws, sim, entry, 2)
    listed = ids(day)[0].rpartition("/")[2]
    calls = len(sim.calls)
    too_old = dt_util.now().date() - timedelta(days=lv_media.DAYS)
    for path in (
        "rec/garden/0123456789abcdef",
        f"rec/porch/{listed}",
        f"rec/nobody/{listed}",
        f"rec/garden/{listed}x",
        "cam/nobody",
        "cam/garden/x",
        f"day/garden/{too_old.isoformat()}",
        "day/garden/2026-13-01",
        f"day/garden/{yesterday().isoformat()}/0",
        f"day/garden/{yesterday().isoformat()}/01",
        f"day/nobody/{yesterday().isoformat()}",
        "junk",
    ):
        answer = await media_ws("browse_media", f"{ROOT}/{entry.entry_id}/{path}")
        assert answer["error"]["code"] == "browse_media_failed", path
        assert "does not exist" in answer["error"]["message"]
        answer = await media_ws("resolve_media", f"{ROOT}/{entry.entry_id}/{path}")
        assert answer["error"]["code"] == "resolve_media_failed", path
        assert "does not exist" in answer["error"]["message"]
    # folders are not playable either
    answer = await media_ws("resolve_media", f"{ROOT}/{entry.entry_id}/cam/garden")
    assert answer["error"]["code"] == "resolve_media_failed"
    # nothing goes through the media view, listed or not
    client = await hass_client()
    for path in (f"rec/garden/{listed}", "cam/garden"):
        response = await client.get(f"/api/{DOMAIN}/media/{entry.entry_id}/{path}")
        assert response.status == 404
    assert len(sim.calls) == calls


async def test_unreachable_service_is_a_clear_error(
    hass: HomeAssistant,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    entry: MockConfigEntry,
) -> None:
    base = garden_yesterday(entry)
    item = ids(await browse_yesterday(media_ws, sim, entry, 1))[0]
    sim.faults = Faults(drop=True)
    answer = await media_ws("browse_media", base)
    assert answer["error"]["code"] == "browse_media_failed"
    assert answer["error"]["message"].startswith(
        "LinkVisual cn-shanghai cannot be reached"
    )
    answer = await media_ws("resolve_media", item)
    assert answer["error"]["code"] == "resolve_media_failed"
    assert "cannot be reached" in answer["error"]["message"]
    sim.faults = Faults()
    sim.files.clear()  # deleted in the cloud since it was listed
    answer = await media_ws("resolve_media", item)
    assert answer["error"]["code"] == "resolve_media_failed"
    assert "iot.vision.FileNotFound" in answer["error"]["message"]


def test_memory_is_bounded() -> None:
    memory = lv_media.RecordingMemory(size=3)
    keys = [
        memory.remember(lv_media.ListedRecording(f"file{n}", f"t{n}")) for n in range(5)
    ]
    assert len(memory) == 3
    assert memory.get(keys[0]) is None
    assert memory.get(keys[4]) == lv_media.ListedRecording("file4", "t4")
    assert keys[0] == lv_media.recording_key("file0")


def test_titles() -> None:
    begin = datetime(2026, 1, 15, 12, 0, tzinfo=dt_util.UTC)
    recording = lv_media.Recording("f", begin, begin + timedelta(seconds=95))
    assert lv_media._title(recording).endswith("(1 min 35 s)")
    short = lv_media.Recording("f", begin, begin + timedelta(seconds=42))
    assert lv_media._title(short).endswith("(42 s)")
    assert lv_media._title(lv_media.Recording("name")) == "name"
    backwards = lv_media.Recording("f", begin, begin - timedelta(seconds=1))
    assert lv_media._title(backwards) == hhmmss(begin)
