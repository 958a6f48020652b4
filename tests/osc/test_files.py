"""The OSC client's file listing and downloads for the Media browser.

Pages of a camera with thousands of files, thumbnails in listings (big
answers) and at the THETA's thumbnail URL, level 1 continuation tokens,
files streamed in chunks with Digest authentication.
"""

from __future__ import annotations

from collections.abc import Callable
import io

import av
from PIL import Image
import pytest

from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    BackendError,
    InvalidResponse,
)
from custom_components.camera_bridge.api.osc import OscClient, OscFile
from custom_components.camera_bridge.api.osc.const import JSON_MAX_BYTES
from simulator.common import Faults
from simulator.osc import OscSimulator

type ClientFactory = Callable[..., OscClient]


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Size of a JPEG, failing the test when it is not one."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


async def test_pages_of_ten_thousand_files(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """Newest first, any page at one listFiles call each, the end empty."""
    osc_sim.set_archive(10_000)
    shot = osc_sim.shoot_on_camera()
    first = await client.list_files("all", 50)
    assert first.total_entries == 10_001
    assert first.entries[0].name == shot.name
    assert first.entries[1].name == "R0010009.JPG"
    assert [f.is_video for f in first.entries[1:6]] == [False] * 4 + [True]
    calls = osc_sim.count("execute:camera.listFiles")
    last = await client.list_files("all", 50, 9_990)
    assert osc_sim.count("execute:camera.listFiles") == calls + 1
    assert len(last.entries) == 11
    assert last.entries[-1].name == "R0000010.MP4"
    assert (await client.list_files("all", 50, 10_001)).entries == ()
    videos = await client.list_files("video", 50, 1_990)
    assert (videos.total_entries, len(videos.entries)) == (2_000, 10)
    assert all(f.is_video for f in videos.entries)
    images = await client.list_files("image", 3, 7_999)
    assert [f.name for f in images.entries] == ["R0000012.JPG", "R0000011.JPG"]


async def test_listing_with_thumbnails(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """maxThumbSize brings a JPEG per entry; without it there is none."""
    osc_sim.shoot_on_camera()
    plain = await client.list_files("all", 10)
    assert plain.entries[0].thumbnail is None
    assert plain.entries[0].thumbnail_bytes() is None
    listing = await client.list_files("all", 10, thumb_size=640)
    thumb = listing.entries[0].thumbnail_bytes()
    assert thumb is not None
    # the camera answers its largest (160) when asked for more
    assert jpeg_size(thumb) == (160, 80)


async def test_listing_with_thumbnails_may_be_megabytes(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A page of big thumbnails passes the cap of plain answers."""
    osc_sim.set_archive(120)
    osc_sim.thumb_limit = 640
    listing = await client.list_files("all", 120, thumb_size=640)
    assert len(listing.entries) == 120
    size = sum(len(f.thumbnail or "") for f in listing.entries)
    assert size > JSON_MAX_BYTES
    assert jpeg_size(listing.entries[-1].thumbnail_bytes() or b"") == (640, 320)


def test_garbled_and_data_url_thumbnails() -> None:
    """A thumbnail that is no base64 is InvalidResponse; a data URL is read."""
    bad = OscFile.from_dict({"fileUrl": "http://c/R1.JPG", "thumbnail": "%%%"})
    with pytest.raises(InvalidResponse, match=r"R1\.JPG"):
        bad.thumbnail_bytes()
    good = OscFile.from_dict(
        {"fileUrl": "http://c/R2.JPG", "thumbnail": "data:image/jpeg;base64,/9j/"}
    )
    assert good.thumbnail_bytes() == b"\xff\xd8\xff"


async def test_level1_pages_by_continuation_token(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A level 1 camera lists images a page at a time, token after token."""
    osc_sim.api_levels = (1,)
    osc_sim.client_version = 1
    osc_sim.set_archive(12)
    names: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        listing = await client.list_files(
            entry_count=4, thumb_size=100, continuation_token=token
        )
        pages += 1
        names += [f.name for f in listing.entries]
        assert all(f.thumbnail_bytes() for f in listing.entries)
        token = listing.continuation_token
        if token is None:
            break
    assert client.api_level == 1
    # 12 files, every fifth a video: 10 images in 3 pages
    assert pages == 3
    assert len(names) == len(set(names)) == 10
    assert osc_sim.count("execute:camera.listImages") == 3
    plain = await client.list_files(entry_count=2)
    assert plain.entries[0].thumbnail is None


async def test_open_file_streams_with_digest_auth(
    make_client: ClientFactory, osc_sim: OscSimulator
) -> None:
    """A video comes in chunks, with the camera's content type."""
    osc_sim.auth = ("THETAYL00123456", "00123456")
    osc_sim.set_archive(5)
    client = make_client("THETAYL00123456", "00123456")
    video = (await client.list_files("video", 1)).entries[0]
    response = await client.open_file(video.url)
    assert response.headers["Content-Type"] == "video/mp4"
    body = b"".join([chunk async for chunk in response.chunks()])
    assert len(body) == response.content_length == video.size
    with av.open(io.BytesIO(body)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in container.decode(video=0)) == 10
    with pytest.raises(BackendError) as err:
        await client.open_file(video.url.replace("R00", "R99"))
    assert err.value.code == "notFound"
    with pytest.raises(AuthenticationFailed):
        await make_client().open_file(video.url)
    with pytest.raises(AuthenticationFailed):
        await make_client("THETAYL00123456", "wrong").open_file(video.url)


async def test_open_file_refuses_what_is_above_the_cap(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    osc_sim.shoot_on_camera()
    picture = (await client.list_files("image", 1)).entries[0]
    with pytest.raises(InvalidResponse, match="cap"):
        await client.open_file(picture.url, max_bytes=100)


async def test_thumbnail_at_the_theta_url(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """?type=thumb answers a small JPEG; a camera that ignores it, the file."""
    osc_sim.set_archive(5)
    picture, *_, video = (await client.list_files("all", 5)).entries
    assert video.is_video
    assert jpeg_size(await client.thumbnail(video.url)) == (160, 80)
    assert osc_sim.count("thumbnail") == 1
    osc_sim.thumb_query = False
    # the picture itself is an image: good enough as a thumbnail
    assert jpeg_size(await client.thumbnail(picture.url)) == (256, 128)
    with pytest.raises(InvalidResponse, match="no thumbnail image"):
        await client.thumbnail(video.url)
    with pytest.raises(BackendError, match="404"):
        await client.thumbnail(video.url.replace("R00", "R99"))


async def test_open_file_with_a_range(client: OscClient, osc_sim: OscSimulator) -> None:
    """Part of a file (206), beyond its end (416), or all of it from a camera
    that ignores ranges (200)."""
    osc_sim.set_archive(1)
    picture = (await client.list_files("image", 1)).entries[0]
    content = osc_sim.archive.file(0).content
    response = await client.open_file(picture.url, byte_range="bytes=2-5")
    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes 2-5/{len(content)}"
    assert b"".join([c async for c in response.chunks()]) == content[2:6]
    response = await client.open_file(picture.url, byte_range="bytes=999999-")
    assert response.status == 416
    response.close()
    osc_sim.ranges = False
    response = await client.open_file(picture.url, byte_range="bytes=2-5")
    assert response.status == 200
    assert b"".join([c async for c in response.chunks()]) == content
    # without a range asked, a 206 is no answer to take
    osc_sim.ranges = True
    osc_sim.faults = Faults(status=206, paths=("/files/",))
    with pytest.raises(BackendError, match="206"):
        await client.open_file(picture.url)
