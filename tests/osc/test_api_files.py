"""The OSC client against the simulated camera: video and files."""

from __future__ import annotations

import pytest

from custom_components.camera_bridge.api.errors import BackendError, InvalidResponse
from custom_components.camera_bridge.api.osc import OscBusyError, OscClient, OscFile
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.osc.conftest import answered, empty_results, is_jpeg, prime

# --------------------------------------------------------------------- video


async def test_video(client: OscClient, osc_sim: OscSimulator) -> None:
    """Start recording (switching to video), stop, back to image mode."""
    await client.start_capture()
    assert osc_sim.recording
    assert osc_sim.options["captureMode"] == "video"
    assert (await client.state()).capture_status == "shooting"
    with pytest.raises(OscBusyError):
        await client.start_capture(capture_mode=None)
    urls = await client.stop_capture()
    assert len(urls) == 1 and urls[0].endswith(".MP4")
    assert osc_sim.options["captureMode"] == "image"
    assert not osc_sim.recording
    video = await client.download(urls[0])
    assert video[4:8] == b"ftyp"
    listing = await client.list_files("video")
    assert [f.url for f in listing.entries] == list(urls)
    assert listing.entries[0].is_video
    with pytest.raises(OscBusyError):
        await client.stop_capture(restore_mode=None)


# --------------------------------------------------------------------- files


async def test_list_files(client: OscClient, osc_sim: OscSimulator) -> None:
    """Listing is newest first; the latest picture is the first one."""
    assert await client.latest_picture() is None
    first = osc_sim.shoot_on_camera()
    second = osc_sim.shoot_on_camera()
    listing = await client.list_files("image", entry_count=10)
    assert listing.total_entries == 2
    assert [f.name for f in listing.entries] == [second.name, first.name]
    entry = listing.entries[0]
    assert entry.size == len(second.content)
    assert (entry.width, entry.height) == (256, 128)
    assert entry.date_time is not None
    assert not entry.is_video
    latest = await client.latest_picture()
    assert latest is not None and latest.name == second.name
    page = await client.list_files("image", entry_count=1, start_position=1)
    assert [f.name for f in page.entries] == [first.name]


async def test_list_files_invalid(client: OscClient, osc_sim: OscSimulator) -> None:
    """Listings without entries or with entries without URL are refused."""
    await prime(client)
    osc_sim.faults = empty_results("camera.listFiles")
    with pytest.raises(InvalidResponse, match="entries"):
        await client.list_files()
    osc_sim.faults = answered(
        "camera.listFiles", results={"entries": [{"name": "R1.JPG"}]}
    )
    with pytest.raises(InvalidResponse, match="fileUrl"):
        await client.list_files()


def test_file_entry_leniency() -> None:
    """Entries without a name take it from the URL."""
    entry = OscFile.from_dict({"fileUrl": "http://c/files/R9.JPG", "size": "12"})
    assert entry.name == "R9.JPG"
    assert entry.size == 12
    with pytest.raises(InvalidResponse):
        OscFile.from_dict("R9.JPG")


async def test_download_cap(client: OscClient, osc_sim: OscSimulator) -> None:
    """Downloads stop at the size cap."""
    osc_sim.shoot_on_camera()
    url = (await client.state()).latest_file_url
    assert url is not None
    assert is_jpeg(await client.download(url))
    with pytest.raises(InvalidResponse, match="cap"):
        await client.download(url, max_bytes=100)


async def test_download_missing(client: OscClient, osc_sim: OscSimulator) -> None:
    """A file that is gone is BackendError notFound; other statuses keep theirs."""
    url = await client.take_picture()
    await client.execute("camera.delete", {"fileUrls": [url]})
    with pytest.raises(BackendError) as err:
        await client.download(url)
    assert err.value.code == "notFound"
    osc_sim.faults = Faults(status=500, paths=("/files/",))
    with pytest.raises(BackendError) as err:
        await client.download(url)
    assert err.value.code == 500


async def test_download_rebased(client: OscClient, osc_sim: OscSimulator) -> None:
    """URLs naming another host or relative paths are fetched from the camera."""
    osc_sim.public_host = "192.0.2.10"
    url = await client.take_picture()
    assert url.startswith("http://192.0.2.10/")
    assert is_jpeg(await client.download(url))
    path = "/" + url.split("/", 3)[3]
    assert is_jpeg(await client.download(path))
    assert str(client.file_url(path)).startswith(client.base_url.rstrip("/"))
    with pytest.raises(InvalidResponse):
        client.file_url("http://[::1")
