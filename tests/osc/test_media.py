"""The Media browser of OSC cameras, as the frontend and a player use it.

Browsing and resolving go through Home Assistant's websocket API
(``media_source/browse_media``, ``media_source/resolve_media``); files and
thumbnails are fetched from the media view over HTTP, signed and unsigned,
from the simulated camera behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
import io
import time
from typing import Any

import av
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.backends import BACKENDS
from custom_components.camera_bridge.backends.osc import media as osc_media
from custom_components.camera_bridge.backends.osc.media_memory import (
    CameraMedia,
    ListedFile,
)
from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults, RunningServer
from simulator.osc import OscSimulator
from tests.conftest import MediaWs, setup_entry
from tests.media_browse import ROOT, browse, ids

from .conftest import coordinator_of, is_jpeg

type Ws = MediaWs


@pytest.fixture
def ws(media_ws: MediaWs) -> MediaWs:
    """media_source commands over the websocket API."""
    return media_ws


@dataclass
class EntryMedia:
    """The OSC entry's folder in the Media browser."""

    ws: MediaWs
    sim: OscSimulator
    entry: MockConfigEntry

    @property
    def id(self) -> str:
        """The media id of the entry's folder."""
        return f"{ROOT}/{self.entry.entry_id}"

    async def folder(self, files: int | None = None) -> dict[str, Any]:
        """The entry's folder, once the camera holds ``files`` files when given."""
        if files is not None:
            self.sim.set_archive(files)
        return await browse(self.ws, self.id)

    async def first_item(self, files: int | None = None) -> str:
        """The media id of the first file of the entry's folder."""
        folder = await self.folder(files)
        item: str = folder["children"][0]["media_content_id"]
        return item


@pytest.fixture
def media(ws: MediaWs, osc_sim: OscSimulator, osc_entry: MockConfigEntry) -> EntryMedia:
    """The simulated camera's entry, loaded, as the Media browser shows it."""
    return EntryMedia(ws, osc_sim, osc_entry)


async def test_browse_the_camera_newest_first(
    hass: HomeAssistant, media: EntryMedia, osc_sim: OscSimulator
) -> None:
    """Camera Bridge holds the entry; the entry its files with day and time."""
    osc_sim.set_archive(7)
    newest = osc_sim.shoot_on_camera()
    root = await browse(media.ws, ROOT)
    assert root["title"] == "Camera Bridge"
    assert ids(root) == [media.id]
    assert root["children"][0]["title"] == "THETA"
    assert root["children"][0]["can_expand"]
    calls = osc_sim.count("execute:camera.listFiles")
    folder = await media.folder()
    assert osc_sim.count("execute:camera.listFiles") == calls + 1
    assert folder["title"] == "THETA"
    assert (folder["media_class"], folder["can_expand"]) == ("directory", True)
    items = folder["children"]
    assert len(items) == 8
    assert items[0]["title"].endswith(f" · {newest.name}")
    taken = time.strftime("%Y-%m-%d %H:%M", time.gmtime(newest.taken))
    assert items[0]["title"].startswith(taken)
    kinds = [(i["media_class"], i["media_content_type"]) for i in items]
    assert kinds.count(("image", "image/jpeg")) == 7
    assert kinds.count(("video", "video/mp4")) == 1
    assert all(i["can_play"] and not i["can_expand"] for i in items)
    assert all(
        i["thumbnail"].startswith(f"/api/{DOMAIN}/media/{media.entry.entry_id}/thumb/")
        and "authSig=" in i["thumbnail"]
        for i in items
    )
    # the camera listed them newest first, and so they stay
    assert [i["title"] for i in items] == sorted(
        (i["title"] for i in items), reverse=True
    )


async def test_ten_thousand_files_one_listing_per_page(
    hass: HomeAssistant, media: EntryMedia, osc_sim: OscSimulator
) -> None:
    """Each folder is one listFiles call of 50; "Older files" leads on."""
    osc_sim.set_archive(10_000)
    entry_id = media.entry.entry_id
    calls = osc_sim.count("execute:camera.listFiles")
    first = await browse(media.ws, f"{ROOT}/{entry_id}")
    assert osc_sim.count("execute:camera.listFiles") == calls + 1
    assert len(first["children"]) == 51
    older = first["children"][-1]
    assert (older["title"], older["media_class"]) == ("Older files", "directory")
    assert older["media_content_id"] == f"{ROOT}/{entry_id}/page/50"
    second = await browse(media.ws, older["media_content_id"])
    assert osc_sim.count("execute:camera.listFiles") == calls + 2
    assert second["title"] == "Files 51 to 100 of 10000"
    assert len(second["children"]) == 51
    assert not set(ids(first)[:50]) & set(ids(second)[:50])
    assert ids(second)[-1] == f"{ROOT}/{entry_id}/page/100"
    last = await browse(media.ws, f"{ROOT}/{entry_id}/page/9950")
    assert last["title"] == "Files 9951 to 10000 of 10000"
    assert len(last["children"]) == 50  # no folder after the last page
    assert osc_sim.count("execute:camera.listFiles") == calls + 3


async def test_resolve_and_fetch_as_a_browser_would(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    osc_sim: OscSimulator,
    media: EntryMedia,
) -> None:
    """A signed URL without a login; the path unsigned only with one."""
    folder = await media.folder(5)
    picture, *_, video = folder["children"]
    answer = await media.ws("resolve_media", picture["media_content_id"])
    assert answer["success"], answer
    url, mime = answer["result"]["url"], answer["result"]["mime_type"]
    assert mime == "image/jpeg"
    path = url.partition("?")[0]
    assert path.startswith(f"/api/{DOMAIN}/media/{media.entry.entry_id}/file/")
    assert "authSig=" in url
    anonymous = await hass_client_no_auth()
    response = await anonymous.get(url)
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    body = await response.read()
    assert body == osc_sim.archive.file(0).content
    assert is_jpeg(body) == (256, 128)
    # unsigned: a login is needed
    assert (await anonymous.get(path)).status == 401
    logged_in = await hass_client()
    response = await logged_in.get(path)
    assert response.status == 200
    assert await response.read() == body
    # a signature is for its own path only
    signature = url.partition("?")[2]
    other = video["thumbnail"].partition("?")[0]
    assert (await anonymous.get(f"{other}?{signature}")).status == 401
    # the video plays: real H.264 in an MP4
    answer = await media.ws("resolve_media", video["media_content_id"])
    assert answer["result"]["mime_type"] == "video/mp4"
    response = await anonymous.get(answer["result"]["url"])
    assert response.headers["Content-Type"] == "video/mp4"
    with av.open(io.BytesIO(await response.read())) as container:
        assert container.streams.video[0].codec_context.name == "h264"


async def test_thumbnails_from_the_listing_or_the_camera(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    osc_sim: OscSimulator,
    media: EntryMedia,
) -> None:
    """Listed thumbnails cost no request; missing ones come from ?type=thumb."""
    osc_sim.set_archive(3)
    client = await hass_client_no_auth()
    folder = await media.folder()
    before = sum(osc_sim.requests.values())
    response = await client.get(folder["children"][0]["thumbnail"])
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert is_jpeg(await response.read()) == (160, 80)
    assert sum(osc_sim.requests.values()) == before
    # a camera that leaves thumbnails out of its listings (THETA SC2)
    osc_sim.list_thumbnails = False
    folder = await media.folder()
    thumb = folder["children"][1]["thumbnail"]
    # forget what the first listing brought
    memory = _memory(media.entry)
    memory._thumbs.clear()
    memory._thumb_bytes = 0
    response = await client.get(thumb)
    assert response.status == 200
    assert is_jpeg(await response.read()) == (160, 80)
    assert osc_sim.count("thumbnail") == 1
    await client.get(thumb)
    assert osc_sim.count("thumbnail") == 1  # kept


def _memory(entry: MockConfigEntry) -> CameraMedia:
    provider = BACKENDS["osc"].media
    assert isinstance(provider, osc_media.OscMediaProvider)
    return provider.memory(coordinator_of(entry))


async def test_unknown_and_tampered_ids_send_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_sim: OscSimulator,
    media: EntryMedia,
) -> None:
    """Ids the camera did not list are not found, before any request."""
    folder = await media.folder(3)
    listed = folder["children"][0]["media_content_id"].rsplit("/", 1)[1]
    tampered = ("0" if listed[0] != "0" else "1") + listed[1:]
    entry_id = media.entry.entry_id
    before = sum(osc_sim.requests.values())
    for path in (
        f"file/{tampered}",
        "file/../../osc/info",
        f"thumb/{listed}",
        "page/abc",
        "page/0050",
        "page/-50",
        f"next/{listed}",
        "secret",
    ):
        answer = await media.ws("browse_media", f"{ROOT}/{entry_id}/{path}")
        assert answer["error"]["code"] == "browse_media_failed"
        assert "does not exist" in answer["error"]["message"]
    answer = await media.ws("resolve_media", f"{ROOT}/{entry_id}/file/{tampered}")
    assert answer["error"]["code"] == "resolve_media_failed"
    assert "does not exist" in answer["error"]["message"]
    client = await hass_client()
    for path in (f"file/{tampered}", f"page/{listed}", "info", f"file/{listed}x"):
        response = await client.get(f"/api/{DOMAIN}/media/{entry_id}/{path}")
        assert response.status == 404
    assert sum(osc_sim.requests.values()) == before


async def test_a_file_gone_from_the_camera_is_not_found(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_sim: OscSimulator,
    media: EntryMedia,
) -> None:
    osc_sim.shoot_on_camera()
    item = await media.first_item()
    path = f"/api/{DOMAIN}/media/{item.removeprefix(ROOT + '/')}"
    osc_sim.files.clear()
    client = await hass_client()
    assert (await client.get(path)).status == 404
    # forgotten: no second request
    before = sum(osc_sim.requests.values())
    assert (await client.get(path)).status == 404
    assert sum(osc_sim.requests.values()) == before


async def test_unreachable_camera_is_a_clear_error(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_server: RunningServer,
    media: EntryMedia,
) -> None:
    """Asleep or off the network: an error answer, not a spinner."""
    item = await media.first_item(3)
    await osc_server.stop()
    answer = await media.ws("browse_media", media.id)
    assert answer["error"]["code"] == "browse_media_failed"
    assert answer["error"]["message"].startswith("THETA cannot be reached")
    # resolving needs no camera; fetching does
    answer = await media.ws("resolve_media", item)
    assert answer["success"]
    client = await hass_client()
    response = await client.get(answer["result"]["url"])
    assert response.status == 502


async def test_camera_answering_too_slowly(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    media: EntryMedia,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A camera busy with another command past the deadline."""
    monkeypatch.setattr(osc_media, "LIST_DEADLINE", 0.2)
    client = coordinator_of(media.entry).client
    async with client._lock:
        answer = await media.ws("browse_media", media.id)
    assert answer["error"]["code"] == "browse_media_failed"
    assert "did not list its files within 0.2 s" in answer["error"]["message"]
    osc_sim.faults = Faults(status=503, paths=("execute",))
    answer = await media.ws("browse_media", media.id)
    assert answer["error"]["code"] == "browse_media_failed"


async def test_level1_camera_pages_by_token(
    hass: HomeAssistant,
    ws: Ws,
    hass_client_no_auth: ClientSessionGenerator,
    level1_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """A THETA S on level 1: images, token pages, getImage behind the view."""
    level1_sim.model = "RICOH THETA S"
    level1_sim.set_archive(130)  # 104 images
    entry = await setup_entry(
        hass, osc_data, title="THETA S", unique_id=level1_sim.serial_number
    )
    first = await browse(ws, f"{ROOT}/{entry.entry_id}")
    assert len(first["children"]) == 51
    older = first["children"][-1]
    assert older["media_content_id"].startswith(f"{ROOT}/{entry.entry_id}/next/")
    second = await browse(ws, older["media_content_id"])
    third = await browse(ws, second["children"][-1]["media_content_id"])
    assert len(third["children"]) == 4
    assert level1_sim.count("execute:camera.listImages") == 3
    assert len(set(ids(first) + ids(second) + ids(third))) == 104 + 2
    answer = await ws("resolve_media", third["children"][-1]["media_content_id"])
    client = await hass_client_no_auth()
    response = await client.get(answer["result"]["url"])
    assert response.status == 200
    assert is_jpeg(await response.read()) == (256, 128)
    assert level1_sim.count("execute:camera.getImage") == 1
    thumb = await client.get(third["children"][0]["thumbnail"])
    assert is_jpeg(await thumb.read()) == (160, 80)


async def test_folders_of_the_other_protocol_level(
    hass: HomeAssistant, media: EntryMedia, osc_sim: OscSimulator
) -> None:
    """A THETA S switching levels: pages of the other level are not found."""
    osc_sim.set_archive(70)  # 56 pictures: two pages on level 1 too
    client = coordinator_of(media.entry).client
    level2 = await media.folder()
    page = level2["children"][-1]["media_content_id"]
    assert page.endswith("/page/50")
    # Wi-Fi dropped: back on clientVersion 1, and it stays there
    osc_sim.refuse_level2 = True
    osc_sim.fall_back_to_level1()
    await client.state()
    level1 = await media.folder()
    assert client.api_level == 1
    token = level1["children"][-1]["media_content_id"]
    assert "/next/" in token
    answer = await media.ws("browse_media", page)
    assert "does not exist" in answer["error"]["message"]
    # and back on level 2
    osc_sim.refuse_level2 = False
    osc_sim.client_version = 2
    osc_sim.touch()
    await client.state()
    answer = await media.ws("browse_media", token)
    assert "does not exist" in answer["error"]["message"]
    assert client.api_level == 2


async def test_digest_camera_through_the_view(
    hass: HomeAssistant,
    ws: Ws,
    hass_client_no_auth: ClientSessionGenerator,
    osc_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """The view fetches with the entry's credentials; the player never has them."""
    osc_sim.auth = ("THETAYL00123456", "00123456")
    osc_sim.set_archive(2)
    entry = await setup_entry(
        hass,
        osc_data | {"username": "THETAYL00123456", "password": "00123456"},
        title="THETA",
        unique_id=osc_sim.serial_number,
    )
    folder = await browse(ws, f"{ROOT}/{entry.entry_id}")
    answer = await ws("resolve_media", folder["children"][0]["media_content_id"])
    client = await hass_client_no_auth()
    response = await client.get(answer["result"]["url"])
    assert response.status == 200
    assert is_jpeg(await response.read()) == (256, 128)


def test_memory_is_bounded() -> None:
    """Old files, thumbnails and tokens are forgotten first."""
    memory = CameraMedia(file_limit=3, thumb_bytes=10, token_limit=2)
    listed = [
        ListedFile(f"http://c/R{n}.JPG", f"R{n}.JPG", "", False, False)
        for n in range(5)
    ]
    file_ids = [memory.remember(file) for file in listed]
    assert len(memory) == 3
    assert memory.file(file_ids[0]) is None
    assert memory.file(file_ids[4]) == listed[4]
    memory.keep_thumbnail(file_ids[2], b"123456")
    memory.keep_thumbnail(file_ids[3], b"123456")
    assert memory.thumbnail(file_ids[2]) is None
    assert memory.thumbnail(file_ids[3]) == b"123456"
    memory.keep_thumbnail(file_ids[4], b"x" * 11)  # bigger than it all
    assert memory.thumbnail(file_ids[4]) is None
    memory.keep_thumbnail(file_ids[3], b"abc")
    assert memory.thumbnail(file_ids[3]) == b"abc"
    memory.forget(file_ids[3])
    assert memory.file(file_ids[3]) is None
    assert memory.thumbnail(file_ids[3]) is None
    keys = [memory.token_key(t) for t in ("10", "20", "30")]
    assert memory.token(keys[0]) is None
    assert memory.token(keys[2]) == "30"
    assert memory.token("not a key") is None


async def test_odd_listings(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_sim: OscSimulator,
    media: EntryMedia,
) -> None:
    """No dates, no total, unknown extensions, garbled thumbnails: shown anyway."""
    entries = [
        {"fileUrl": "http://cam/files/a/IMG_1.JPG", "thumbnail": "%%%"},
        {"fileUrl": "http://cam/files/a/VID_2.insv", "name": "VID_2.insv"},
        {"fileUrl": "http://cam/files/a/R3.JPG", "dateTimeZone": "soon"},
    ]
    osc_sim.faults = Faults(
        status=200,
        status_body={
            "name": "camera.listFiles",
            "state": "done",
            "results": {"entries": entries},
        },
        paths=("execute",),
    )
    folder = await media.folder()
    osc_sim.faults = Faults()
    items = folder["children"]
    # fewer than a page and no total: no "Older files"
    assert [i["title"] for i in items] == ["IMG_1.JPG", "VID_2.insv", "R3.JPG"]
    assert [(i["media_class"], i["media_content_type"]) for i in items] == [
        ("image", "image/jpeg"),
        ("video", "video/mp4"),
        ("image", "image/jpeg"),
    ]
    # one item browsed alone
    item = await browse(media.ws, items[1]["media_content_id"])
    assert (item["title"], item["can_play"]) == ("VID_2.insv", True)
    # the garbled thumbnail was left out: the camera's thumbnail URL instead
    client = await hass_client()
    response = await client.get(items[0]["thumbnail"])
    assert response.status == 502  # not on this camera
    assert osc_sim.count("thumbnail") == 0


async def test_level1_camera_without_thumbnails(
    hass: HomeAssistant,
    ws: Ws,
    hass_client: ClientSessionGenerator,
    level1_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """A level 1 file has no thumbnail URL: no thumbnail rather than a broken one."""
    level1_sim.list_thumbnails = False
    level1_sim.set_archive(2)
    entry = await setup_entry(hass, osc_data, title="THETA S", unique_id="1")
    folder = await browse(ws, f"{ROOT}/{entry.entry_id}")
    assert [i["thumbnail"] for i in folder["children"]] == [None, None]
    file_id = folder["children"][0]["media_content_id"].rsplit("/", 1)[1]
    client = await hass_client()
    response = await client.get(f"/api/{DOMAIN}/media/{entry.entry_id}/thumb/{file_id}")
    assert response.status == 404


async def test_a_reloaded_entry_forgets_and_browsing_refills(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    media: EntryMedia,
) -> None:
    """Ids live as long as the entry's coordinator: reopen the folder after."""
    folder = await media.folder(2)
    item = folder["children"][0]["media_content_id"]
    path = f"/api/{DOMAIN}/media/{item.removeprefix(ROOT + '/')}"
    client = await hass_client()
    assert (await client.get(path)).status == 200
    assert await hass.config_entries.async_reload(media.entry.entry_id)
    await hass.async_block_till_done()
    assert (await client.get(path)).status == 404
    assert (
        "does not exist" in (await media.ws("resolve_media", item))["error"]["message"]
    )
    await media.folder()
    assert (await client.get(path)).status == 200
