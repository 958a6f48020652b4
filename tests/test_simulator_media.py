"""The simulators' media: real H.264 HLS, JPEG frames and an MP4, decoded by PyAV."""

from __future__ import annotations

import asyncio
import io

import aiohttp
from aiohttp import web
import av
import pytest

from simulator import media
from simulator.common import SimulatorBase
from tests.conftest import StartServer


def _packets(data: bytes, fmt: str) -> list[av.Packet]:
    with av.open(io.BytesIO(data), format=fmt) as container:
        return [p for p in container.demux(video=0) if p.dts is not None]


def _frames(data: bytes, fmt: str | None = None) -> list[av.VideoFrame]:
    with av.open(io.BytesIO(data), format=fmt) as container:
        return list(container.decode(video=0))


def test_h264_encoder_is_found() -> None:
    """The wheel's FFmpeg offers an H.264 encoder (libx264 in PyAV 16 and 19)."""
    assert media.h264_encoder() in media.H264_ENCODERS
    assert media.h264_encoder() == "libx264"


def test_hls_segments_are_h264_starting_with_a_keyframe() -> None:
    segments = media.hls_segments()
    assert len(segments) == media.SEGMENTS
    per_segment = media.FPS * media.SEGMENT_SECONDS
    pictures: set[bytes] = set()
    for segment in segments:
        packets = _packets(segment, "mpegts")
        assert packets[0].is_keyframe
        assert packets[0].stream.codec_context.name == "h264"
        frames = _frames(segment, "mpegts")
        assert len(frames) == per_segment
        assert (frames[0].width, frames[0].height) == (media.WIDTH, media.HEIGHT)
        pictures.update(bytes(f.planes[0]) for f in frames)
    # the picture changes from frame to frame
    assert len(pictures) == media.SEGMENTS * per_segment


def test_live_segments_run_on_without_a_jump() -> None:
    """Segment n starts n segment durations in, whatever lap of the clip it is."""
    step = media.SEGMENT_SECONDS * 90_000
    last_end = -1
    for sequence in range(2 * media.SEGMENTS + 1):
        packets = _packets(media.live_segment(sequence), "mpegts")
        assert packets[0].is_keyframe
        assert packets[0].dts == sequence * step
        assert packets[0].dts > last_end
        last_end = packets[-1].dts
        assert last_end < (sequence + 1) * step
    with pytest.raises(ValueError, match="negative"):
        media.live_segment(-1)


def test_playlists() -> None:
    live = media.playlist(7)
    assert live.splitlines() == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-MEDIA-SEQUENCE:7",
        "#EXTINF:2.000,",
        "7.ts",
        "#EXTINF:2.000,",
        "8.ts",
        "#EXTINF:2.000,",
        "9.ts",
    ]
    recording = media.playlist(0, 2, ended=True).splitlines()
    assert recording[4] == "#EXT-X-PLAYLIST-TYPE:VOD"
    assert recording[-1] == "#EXT-X-ENDLIST"
    assert media.live_sequence(-3) == 0
    assert media.live_sequence(5.9) == 2


def test_jpeg_frames_are_distinct_jpegs() -> None:
    frames = media.jpeg_frames()
    assert len(frames) == media.FPS * media.SEGMENT_SECONDS
    assert len(set(frames)) == len(frames)
    for frame in frames[:3]:
        assert frame.startswith(b"\xff\xd8") and frame.endswith(b"\xff\xd9")
        (picture,) = _frames(frame, "mjpeg")
        assert (picture.width, picture.height) == (media.WIDTH, media.HEIGHT)
    assert media.jpeg_still(3) == frames[3]
    assert media.jpeg_still(len(frames) + 3) == frames[3]
    big = media.jpeg_still(0, width=640, height=320)
    assert _frames(big, "mjpeg")[0].width == 640
    endless = media.iter_jpeg_frames()
    assert [next(endless) for _ in range(len(frames) + 1)][-1] == frames[0]


def test_video_frame_pads_rows_when_the_planes_are_padded() -> None:
    """A width whose rows FFmpeg pads in memory still gives the picture."""
    width, height = 322, 180
    plane = media.video_frame(4, width=width, height=height).planes[0]
    assert plane.line_size > width
    luma = media._planes(4, width, height)[0]
    memory = bytes(plane)
    for y in (0, 1, height - 1):
        start = y * plane.line_size
        assert memory[start : start + width] == luma[y * width : (y + 1) * width]


def test_mp4_clip_is_h264() -> None:
    clip = media.mp4_clip()
    assert clip[4:8] == b"ftyp"
    frames = _frames(clip)
    assert len(frames) == media.SEGMENTS * media.SEGMENT_SECONDS * media.FPS
    with av.open(io.BytesIO(clip)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_build_all_fills_the_caches() -> None:
    media.build_all()
    assert media.hls_segments.cache_info().currsize == 1  # type: ignore[attr-defined]
    assert media.mp4_clip.cache_info().currsize == 1  # type: ignore[attr-defined]


def test_no_h264_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media, "H264_ENCODERS", ("no-such-encoder", "mjpeg_qsv"))
    media.h264_encoder.cache_clear()
    try:
        with pytest.raises(media.MediaUnavailable, match="no-such-encoder"):
            media.h264_encoder()
    finally:
        media.h264_encoder.cache_clear()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _HlsSimulator(SimulatorBase):
    """A simulator with nothing but live HLS, as a backend would add it."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self.names = {"garden", "lobby cam #1"}
        self.live = media.LiveHls(self.names.__contains__, clock)

    def add_routes(self, app: web.Application) -> None:
        media.add_hls_routes(app, self.live, prefix="/hls")


def _first_frame(url: str) -> av.VideoFrame:
    """Open ``url`` as Home Assistant's stream worker does; decode a frame."""
    with av.open(url, timeout=5) as container:
        return next(container.decode(video=0))


async def test_live_hls_over_http(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    clock = _Clock()
    sim = _HlsSimulator(clock)
    server = await start_server(sim)
    base = f"{server.url}/hls/lobby%20cam%20%231"
    frame = await asyncio.to_thread(_first_frame, f"{base}/lobby%20cam%20%231.m3u8")
    assert (frame.width, frame.height) == (media.WIDTH, media.HEIGHT)
    assert sim.live.requests["lobby cam #1"] >= 2  # playlist and segments

    async with session.get(f"{base}/lobby%20cam%20%231.m3u8") as resp:
        assert resp.status == 200
        assert resp.content_type == media.PLAYLIST_TYPE
        assert "#EXT-X-MEDIA-SEQUENCE:0\n" in await resp.text()
    clock.now += 2 * media.SEGMENT_SECONDS + 0.5
    async with session.get(f"{base}/lobby%20cam%20%231.m3u8") as resp:
        assert "#EXT-X-MEDIA-SEQUENCE:2\n" in await resp.text()
    async with session.get(f"{base}/4.ts") as resp:
        assert resp.status == 200
        assert resp.content_type == media.SEGMENT_TYPE
        assert await resp.read() == media.live_segment(4)
    for path in ("9.ts", "x.ts", "4.mp4", "garden.m3u8", "1234567890.ts"):
        async with session.get(f"{base}/{path}") as resp:
            assert resp.status == 404, path
    sim.names.discard("lobby cam #1")
    async with session.get(f"{base}/lobby%20cam%20%231.m3u8") as resp:
        assert resp.status == 404
