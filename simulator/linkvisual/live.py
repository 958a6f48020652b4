"""Live streams, captured pictures and playback of the simulated LinkVisual account.

Actions: ``QueryLiveStreaming`` (an HLS URL on the simulator's own server,
with ``Expires`` and ``Token`` query parameters), ``TriggerCapturePicture``
and ``QueryDevicePictureFile`` (a JPEG URL once ``capture_delay`` has
passed). Files: ``/live/<IotId>/<stream type>/index.m3u8`` (an endless live
playlist of real H.264 segments), ``/vod/<FileName>/index.m3u8`` (a finished
recording: the clip's segments, ``#EXT-X-ENDLIST``) and
``/pictures/<capture id>.jpg``. Every file checks the token of the URL it
was handed out with; past ``Expires`` (server clock) it answers 403. The
playlists write the token after each segment URI, as CDNs that sign every
request expect. Only HLS is served: ``rtmp``/``flv`` URLs are handed out but
lead nowhere.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote
import uuid

from aiohttp import web

from .. import media
from .account import Account
from .actions import Action, camera_of, int_param
from .errors import Fail, api_error
from .state import SimCapture

SCHEMES = ("rtmp", "hls", "flv")
_HEADERS = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}


def signed(sim: Account, resource: str, path: str, valid_for: int) -> str:
    """``path`` with the query of a token for ``resource``, valid ``valid_for`` s."""
    expires = int(sim.now()) + valid_for
    return f"{path}?Expires={expires}&Token={sim.token(resource, expires)}"


def query_live_streaming(
    sim: Account, params: dict[str, str], request: web.Request
) -> Any:
    """A live URL of an online camera (``Scheme`` rtmp by default, as documented)."""
    scheme = params.get("Scheme") or "rtmp"
    if scheme not in SCHEMES:
        raise Fail("InvalidParameter", "Scheme must be rtmp, hls or flv.")
    stream_type = int_param(params, "StreamType", 0, 1, 0)
    valid_for = int_param(params, "UrlValidDuration", 10, 3600, 60)
    camera = camera_of(sim, params)
    assert camera is not None
    if sim.live_refusals > 0:
        sim.live_refusals -= 1
        raise api_error("iot.vision.LiveStreamingFailed", "Push stream failed.")
    if not camera.online:
        raise api_error("iot.device.DeviceOffline", "The device is offline.")
    host = request.host.partition(":")[0]
    resource = f"live/{camera.iot_id}/{stream_type}"
    if scheme == "hls":
        path = f"{request.scheme}://{request.host}/{resource}/index.m3u8"
    elif scheme == "flv":
        path = f"{request.scheme}://{request.host}/{resource}.flv"
    else:
        path = f"rtmp://{host}:1935/{resource}"
    return {"Path": signed(sim, resource, path, valid_for)}


def trigger_capture_picture(
    sim: Account, params: dict[str, str], request: web.Request
) -> Any:
    """Start a capture on a camera that can; the capture id."""
    camera = camera_of(sim, params)
    assert camera is not None
    if not camera.can_capture:
        raise api_error(
            "iot.vision.NotSupportCapture", "The device does not support capture."
        )
    if not camera.online:
        raise api_error("iot.device.DeviceOffline", "The device is offline.")
    capture_id = uuid.uuid4().hex
    sim.captures[capture_id] = SimCapture(
        camera.iot_id, sim.now() + sim.capture_delay, len(sim.captures)
    )
    return capture_id


def query_device_picture_file(
    sim: Account, params: dict[str, str], request: web.Request
) -> Any:
    """The picture of a capture: ``{}`` until it is uploaded, then its URL."""
    capture_id = params.get("CaptureId") or ""
    capture = sim.captures.get(capture_id)
    camera = camera_of(sim, params)
    assert camera is not None
    if capture is None or capture.iot_id != camera.iot_id:
        raise api_error("iot.vision.PictureNotFound", "The picture does not exist.")
    if capture.ready_at > sim.now():
        return {}
    resource = f"pictures/{capture_id}.jpg"
    url = f"{request.scheme}://{request.host}/{resource}"
    return {
        "IotId": camera.iot_id,
        "PicId": capture_id,
        "PicCreateTime": int(capture.ready_at * 1000),
        "PicUrl": signed(sim, resource, url, 3600),
        "ThumbUrl": "",
    }


MEDIA_ACTIONS: dict[str, Action] = {
    "QueryLiveStreaming": query_live_streaming,
    "TriggerCapturePicture": trigger_capture_picture,
    "QueryDevicePictureFile": query_device_picture_file,
}


def vod_path(origin: str, file_name: str) -> str:
    """Where a recording's playlist is served."""
    return f"{origin}/vod/{quote(file_name, safe='/')}/index.m3u8"


def _check(sim: Account, request: web.Request, resource: str) -> str:
    """The request's token query, or 403 when it is wrong or expired."""
    try:
        expires = int(request.query.get("Expires", ""))
    except ValueError:
        raise web.HTTPForbidden(text="missing or bad Expires") from None
    if request.query.get("Token", "") != sim.token(resource, expires):
        raise web.HTTPForbidden(text="bad token")
    if expires < sim.now():
        raise web.HTTPForbidden(text="expired")
    return request.query_string


def _with_query(playlist: str, query: str) -> str:
    return "\n".join(
        f"{line}?{query}" if line.endswith(".ts") else line
        for line in playlist.split("\n")
    )


def _segment_number(file: str, limit: int) -> int:
    stem, _, ext = file.partition(".")
    if ext != "ts" or not stem.isdigit() or len(stem) > 9 or int(stem) >= limit:
        raise web.HTTPNotFound(text=f"no file {file}")
    return int(stem)


async def handle_live(sim: Account, request: web.Request) -> web.Response:
    """``/live/<IotId>/<stream type>/<file>``: the live playlist and segments."""
    iot_id, stream, file = (request.match_info[k] for k in ("iot", "stream", "file"))
    query = _check(sim, request, f"live/{iot_id}/{stream}")
    camera = sim.cameras.get(iot_id)
    if camera is None or not camera.online:
        raise web.HTTPNotFound(text="the camera is not streaming")
    sim.media_requests[f"live:{file}"] += 1
    first = media.live_sequence(sim.now() - sim.started)
    if file == "index.m3u8":
        return web.Response(
            text=_with_query(media.playlist(first), query),
            content_type=media.PLAYLIST_TYPE,
            headers=_HEADERS,
        )
    number = _segment_number(file, first + media.WINDOW + 1)
    body = await _off_loop(media.live_segment, number)
    return web.Response(body=body, content_type=media.SEGMENT_TYPE, headers=_HEADERS)


async def handle_vod(sim: Account, request: web.Request) -> web.Response:
    """``/vod/<FileName>/<file>``: a recording's playlist and segments."""
    name, _, file = request.match_info["path"].rpartition("/")
    query = _check(sim, request, name)
    if not any(f.file_name == name for f in sim.files):
        raise web.HTTPNotFound(text="no such recording")
    sim.media_requests[f"vod:{file}"] += 1
    if file == "index.m3u8":
        text = media.playlist(0, media.SEGMENTS, ended=True)
        return web.Response(
            text=_with_query(text, query),
            content_type=media.PLAYLIST_TYPE,
            headers=_HEADERS,
        )
    segments = await _off_loop(media.hls_segments)
    body = segments[_segment_number(file, len(segments))]
    return web.Response(body=body, content_type=media.SEGMENT_TYPE, headers=_HEADERS)


async def handle_picture(sim: Account, request: web.Request) -> web.Response:
    """``/pictures/<capture id>.jpg``: the captured JPEG."""
    file = request.match_info["file"]
    _check(sim, request, f"pictures/{file}")
    capture = sim.captures.get(file.removesuffix(".jpg"))
    if capture is None:
        raise web.HTTPNotFound(text="no such picture")
    sim.media_requests["picture"] += 1
    body = await _off_loop(media.jpeg_still, capture.index)
    return web.Response(body=body, content_type="image/jpeg")


async def _off_loop(func: Any, *args: Any) -> Any:
    """Make media (PyAV, ~70 ms the first time) off the server's event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def add_media_routes(sim: Account, app: web.Application) -> None:
    """The live, playback and picture files."""

    async def live(request: web.Request) -> web.Response:
        return await handle_live(sim, request)

    async def vod(request: web.Request) -> web.Response:
        return await handle_vod(sim, request)

    async def picture(request: web.Request) -> web.Response:
        return await handle_picture(sim, request)

    app.router.add_get("/live/{iot}/{stream}/{file}", live)
    app.router.add_get("/vod/{path:.+}", vod)
    app.router.add_get("/pictures/{file}", picture)
