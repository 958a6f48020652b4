"""The shared Media browser: one folder per loaded entry with media, the view.

What every backend's media gets from media_source.py and media_view.py,
checked with the OSC backend and a simulated camera (the first backend with
media), over Home Assistant's websocket and HTTP APIs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.backends import BACKENDS
from custom_components.camera_bridge.const import CONF_KIND, DOMAIN, KIND_OSC, KIND_WCS
from custom_components.camera_bridge.media import ByteRange, media_view_path
from simulator.common import Faults
from simulator.osc import OscSimulator
from simulator.wcs import WcsSimulator
from tests.conftest import MediaWs, StartServer, setup_entry

ROOT = f"media-source://{DOMAIN}"


@pytest.fixture(autouse=True)
def wcs_without_media() -> Iterator[None]:
    """A backend kind that has no media, whatever WCS may offer one day."""
    spec = replace(BACKENDS[KIND_WCS], media=None)
    with patch.dict(BACKENDS, {KIND_WCS: spec}):
        yield


async def _camera(
    hass: HomeAssistant, start_server: StartServer, title: str, serial: str
) -> tuple[MockConfigEntry, OscSimulator]:
    """A loaded OSC entry of a simulated camera holding three files."""
    sim = OscSimulator(serial_number=serial, archive_files=3)
    server = await start_server(sim)
    data = {CONF_KIND: KIND_OSC, CONF_HOST: server.host, CONF_PORT: server.port}
    entry = await setup_entry(hass, data, title=title, unique_id=serial)
    return entry, sim


async def _newest_file_url(
    hass: HomeAssistant, media_ws: MediaWs, start_server: StartServer
) -> tuple[OscSimulator, str]:
    """A THETA's entry: the camera, and the signed URL its first file resolves to."""
    entry, sim = await _camera(hass, start_server, "THETA", "101")
    folder = (await media_ws("browse_media", f"{ROOT}/{entry.entry_id}"))["result"]
    resolved = await media_ws(
        "resolve_media", folder["children"][0]["media_content_id"]
    )
    return sim, resolved["result"]["url"]


async def _wcs(hass: HomeAssistant, start_server: StartServer) -> MockConfigEntry:
    server = await start_server(WcsSimulator())
    data = {CONF_KIND: KIND_WCS, "url": server.url, "verify_ssl": True}
    return await setup_entry(hass, data, title="Media server")


def _error(answer: dict[str, Any]) -> str:
    assert not answer["success"], answer
    message: str = answer["error"]["message"]
    return message


async def test_root_lists_loaded_entries_with_media(
    hass: HomeAssistant, media_ws: MediaWs, start_server: StartServer
) -> None:
    """Sorted by title; no folder for entries without media or not loaded."""
    garden, _ = await _camera(hass, start_server, "garden THETA", "101")
    attic, _ = await _camera(hass, start_server, "Attic THETA", "102")
    away, _ = await _camera(hass, start_server, "Away THETA", "103")
    await _wcs(hass, start_server)
    await hass.config_entries.async_unload(away.entry_id)
    answer = await media_ws("browse_media", ROOT)
    root = answer["result"]
    assert (root["title"], root["media_class"], root["can_expand"]) == (
        "Camera Bridge",
        "directory",
        True,
    )
    assert [(c["title"], c["media_content_id"]) for c in root["children"]] == [
        ("Attic THETA", f"{ROOT}/{attic.entry_id}"),
        ("garden THETA", f"{ROOT}/{garden.entry_id}"),
    ]
    assert all(
        c["can_expand"] and not c["can_play"] and c["media_class"] == "directory"
        for c in root["children"]
    )
    # Home Assistant's list of sources shows Camera Bridge
    sources = (await media_ws("browse_media", ""))["result"]["children"]
    assert f"{ROOT}" in [source["media_content_id"] for source in sources]


async def test_entries_that_cannot_be_browsed(
    hass: HomeAssistant, media_ws: MediaWs, start_server: StartServer
) -> None:
    """Unknown, foreign, media-less and unloaded entries: clear messages."""
    entry, _ = await _camera(hass, start_server, "THETA", "101")
    wcs = await _wcs(hass, start_server)
    other = MockConfigEntry(domain="other_domain", title="Other")
    other.add_to_hass(hass)
    for entry_id in ("nope", other.entry_id, wcs.entry_id):
        for command in ("browse_media", "resolve_media"):
            message = _error(await media_ws(command, f"{ROOT}/{entry_id}/file/x"))
            assert message.startswith("This media item does not exist (any more)")
    await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    for command in ("browse_media", "resolve_media"):
        message = _error(await media_ws(command, f"{ROOT}/{entry.entry_id}"))
        assert "THETA" in message and "not loaded" in message


async def test_view_refuses_what_it_cannot_serve(
    hass: HomeAssistant,
    media_ws: MediaWs,
    start_server: StartServer,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """404 for anything but a listed file of a loaded entry; 401 without login."""
    entry, _ = await _camera(hass, start_server, "THETA", "101")
    wcs = await _wcs(hass, start_server)
    folder = (await media_ws("browse_media", f"{ROOT}/{entry.entry_id}"))["result"]
    item = folder["children"][0]["media_content_id"].removeprefix(f"{ROOT}/")
    path = media_view_path(*item.split("/", 1))
    client = await hass_client()
    assert (await client.get(path)).status == 200
    assert (await (await hass_client_no_auth()).get(path)).status == 401
    for other in ("nope", wcs.entry_id):
        assert (await client.get(path.replace(entry.entry_id, other))).status == 404
    await hass.config_entries.async_unload(entry.entry_id)
    assert (await client.get(path)).status == 404


async def test_view_when_the_device_fails(
    hass: HomeAssistant,
    media_ws: MediaWs,
    start_server: StartServer,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before the file starts: 502; in the middle: the body is cut short."""
    sim, url = await _newest_file_url(hass, media_ws, start_server)
    client = await hass_client()
    sim.faults = Faults(status=500, paths=("/files/",))
    assert (await client.get(url)).status == 502
    assert "THETA: cannot fetch a media file" in caplog.text
    sim.faults = Faults(truncated=True, paths=("/files/",))
    response = await client.get(url)
    assert response.status == 200
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()
    assert "THETA: media file cut off" in caplog.text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-", ByteRange(0)),
        ("bytes=10-19", ByteRange(10, 19)),
        (" bytes=7-7 ", ByteRange(7, 7)),
        ("bytes=19-10", None),
        ("bytes=-500", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        ("bytes=1234567890123456-", None),
        ("", None),
        (None, None),
    ],
)
def test_byte_range_parse(header: str | None, expected: ByteRange | None) -> None:
    """One plain range is passed on; anything else asks for the whole file."""
    assert ByteRange.parse(header) == expected
    if expected is not None:
        assert ByteRange.parse(expected.header) == expected


async def test_view_passes_byte_ranges_on(
    hass: HomeAssistant,
    media_ws: MediaWs,
    start_server: StartServer,
    hass_client: ClientSessionGenerator,
) -> None:
    """Players seek (and Safari plays video) with ranges: 206 from the device."""
    sim, url = await _newest_file_url(hass, media_ws, start_server)
    content = sim.archive.file(0).content
    client = await hass_client()
    response = await client.get(url, headers={"Range": "bytes=10-19"})
    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(content)}"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert await response.read() == content[10:20]
    response = await client.get(url, headers={"Range": "bytes=100-"})
    assert response.status == 206
    assert await response.read() == content[100:]
    response = await client.get(url, headers={"Range": f"bytes={len(content)}-"})
    assert response.status == 416
    # a range the view does not pass on, a device that ignores ranges
    response = await client.get(url, headers={"Range": "bytes=0-1,5-6"})
    assert (response.status, await response.read()) == (200, content)
    sim.ranges = False
    response = await client.get(url, headers={"Range": "bytes=10-19"})
    assert (response.status, await response.read()) == (200, content)
    assert "Content-Range" not in response.headers
