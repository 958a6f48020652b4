"""Real media for the fake backends: H.264 HLS, JPEG frames, an MP4 clip.

Everything is made with PyAV (Home Assistant's stream component needs it
anyway) the first time it is asked for, then kept for the life of the
process. The picture is a moving bar over a grey ramp, tinted per segment,
with a dark block that climbs frame by frame: no two frames are alike.

Live HLS: the clip's few segments are replayed for ever. The segment of
sequence number ``n`` is segment ``n % SEGMENTS`` of the clip with its
timestamps moved on by whole clips, so that a player (FFmpeg, Home
Assistant's stream worker) sees one continuous live stream.
``add_hls_routes`` serves ``/{name}/{name}.m3u8`` and its segments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
import functools
import io
import time
from typing import Any, Final, cast

from aiohttp import web
import av

WIDTH: Final = 320
HEIGHT: Final = 180
FPS: Final = 10
SEGMENT_SECONDS: Final = 2
SEGMENTS: Final = 3
# how many segments a live playlist lists
WINDOW: Final = 3

PLAYLIST_TYPE: Final = "application/vnd.apple.mpegurl"
SEGMENT_TYPE: Final = "video/mp2t"

# H.264 encoders to try, best first. The PyPI wheels of PyAV 16 and 19 both
# bundle libx264 (PyAV 16 also OpenH264); "h264" is FFmpeg's default one.
H264_ENCODERS: Final = ("libx264", "libopenh264", "h264")
_ENCODER_OPTIONS: Final[dict[str, dict[str, str]]] = {
    # no B-frames (decode order is display order), one keyframe per segment
    "libx264": {"preset": "ultrafast", "tune": "zerolatency", "profile": "baseline"},
}
_TINTS: Final = ((90, 160), (160, 90), (110, 110), (150, 150), (90, 90), (128, 200))
_BAR: Final = 16


class MediaUnavailable(RuntimeError):
    """The FFmpeg inside PyAV has no encoder for the media asked for."""


def _planes(index: int, width: int, height: int) -> tuple[bytes, bytes, bytes]:
    """Y, U and V planes (4:2:0, full rows) of frame ``index``."""
    ramp = bytes(40 + (x * 170) // width for x in range(width))
    bar = (index * 7) % max(width - _BAR, 1)
    row = ramp[:bar] + b"\xeb" * _BAR + ramp[bar + _BAR :]
    top = (index * 5) % max(height - _BAR, 1)
    middle = width // 2 - _BAR // 2
    block = row[:middle] + b"\x10" * _BAR + row[middle + _BAR :]
    luma = row * top + block * _BAR + row * (height - top - _BAR)
    u_value, v_value = _TINTS[(index // (FPS * SEGMENT_SECONDS)) % len(_TINTS)]
    chroma = (width // 2) * (height // 2)
    return (
        luma[: width * height],
        bytes((u_value,)) * chroma,
        bytes((v_value,)) * chroma,
    )


def video_frame(
    index: int, width: int = WIDTH, height: int = HEIGHT, pix_fmt: str = "yuv420p"
) -> av.VideoFrame:
    """Frame ``index`` of the picture (``width`` and ``height`` even).

    ``pix_fmt`` is a 3-plane 4:2:0 format: ``yuv420p`` or ``yuvj420p``.
    """
    frame = av.VideoFrame(width, height, pix_fmt)
    for plane, data in zip(frame.planes, _planes(index, width, height), strict=True):
        line = plane.width
        if plane.line_size != line:  # rows padded in memory
            pad = b"\0" * (plane.line_size - line)
            data = b"".join(data[y : y + line] + pad for y in range(0, len(data), line))
        plane.update(data)
    frame.pts = index
    frame.time_base = Fraction(1, FPS)
    return frame


def _configure(ctx: Any, name: str, width: int, height: int) -> None:
    """Size, pixel format, frame rate and options of an H.264 encoder."""
    ctx.width, ctx.height, ctx.pix_fmt = width, height, "yuv420p"
    ctx.time_base = Fraction(1, FPS)
    ctx.framerate = Fraction(FPS)
    ctx.gop_size = FPS * SEGMENT_SECONDS
    ctx.options = dict(_ENCODER_OPTIONS.get(name, {}))


@functools.cache
def h264_encoder() -> str:
    """Name of the first H.264 encoder that works here."""
    for name in H264_ENCODERS:
        try:
            ctx = av.CodecContext.create(name, "w")
            _configure(ctx, name, WIDTH, HEIGHT)
            ctx.open()
        except av.FFmpegError, ValueError:
            continue
        return name
    raise MediaUnavailable(f"no H.264 encoder among {', '.join(H264_ENCODERS)}")


def _encode(
    out: av.container.OutputContainer, frames: range, width: int, height: int
) -> None:
    """Encode ``frames`` of the picture as H.264 into ``out`` and close it."""
    name = h264_encoder()
    stream = cast("av.video.stream.VideoStream", out.add_stream(name, rate=FPS))
    _configure(stream.codec_context, name, width, height)
    for index in frames:
        out.mux(stream.encode(video_frame(index, width, height)))
    out.mux(stream.encode(None))
    out.close()


@functools.cache
def hls_segments() -> tuple[bytes, ...]:
    """The clip: ``SEGMENTS`` MPEG-TS segments of ``SEGMENT_SECONDS`` each.

    Each segment starts with a keyframe; timestamps run on across segments.
    """
    size = FPS * SEGMENT_SECONDS
    segments = []
    for number in range(SEGMENTS):
        buffer = io.BytesIO()
        _encode(
            av.open(buffer, "w", format="mpegts"),
            range(number * size, (number + 1) * size),
            WIDTH,
            HEIGHT,
        )
        segments.append(buffer.getvalue())
    return tuple(segments)


@functools.lru_cache(maxsize=32)
def live_segment(sequence: int) -> bytes:
    """Live segment ``sequence``: the clip's segment moved on by whole clips."""
    if sequence < 0:
        raise ValueError(f"negative sequence number {sequence}")
    laps, number = divmod(sequence, SEGMENTS)
    source = av.open(io.BytesIO(hls_segments()[number]), "r", format="mpegts")
    buffer = io.BytesIO()
    # mpegts_copyts: keep the timestamps as they are (no added mux delay)
    out = av.open(buffer, "w", format="mpegts", options={"mpegts_copyts": "1"})
    try:
        video = source.streams.video[0]
        target = out.add_stream_from_template(video)
        assert video.time_base is not None
        shift = int(laps * SEGMENTS * SEGMENT_SECONDS / video.time_base)
        for packet in source.demux(video):
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            packet.dts += shift
            if packet.pts is not None:
                packet.pts += shift
            packet.stream = target
            out.mux(packet)
    finally:
        out.close()
        source.close()
    return buffer.getvalue()


def live_sequence(elapsed: float) -> int:
    """The first sequence number a live playlist lists ``elapsed`` s in."""
    return max(int(elapsed // SEGMENT_SECONDS), 0)


def playlist(first: int, count: int = WINDOW, *, ended: bool = False) -> str:
    """An HLS media playlist of segments ``first`` .. ``first + count - 1``.

    Segment URIs are relative: ``<sequence>.ts`` beside the playlist.
    ``ended``: a finished recording (``#EXT-X-ENDLIST``), not a live stream.
    """
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
    ]
    if ended:
        lines.append("#EXT-X-PLAYLIST-TYPE:VOD")
    for sequence in range(first, first + count):
        lines += [f"#EXTINF:{SEGMENT_SECONDS:.3f},", f"{sequence}.ts"]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


@functools.cache
def mp4_clip() -> bytes:
    """An H.264 MP4 of the whole clip (``SEGMENTS * SEGMENT_SECONDS`` s).

    Fragmented (moov first, then fragments): playable while it downloads.
    """
    buffer = io.BytesIO()
    out = av.open(
        buffer,
        "w",
        format="mp4",
        options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
    )
    _encode(out, range(SEGMENTS * SEGMENT_SECONDS * FPS), WIDTH, HEIGHT)
    return buffer.getvalue()


@functools.cache
def jpeg_frames(
    count: int = FPS * SEGMENT_SECONDS, width: int = WIDTH, height: int = HEIGHT
) -> tuple[bytes, ...]:
    """``count`` distinct JPEG frames of the picture (an MJPEG preview)."""
    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height, ctx.pix_fmt = width, height, "yuvj420p"
    ctx.time_base = Fraction(1, FPS)
    frames = []
    for index in range(count):
        packets = ctx.encode(video_frame(index, width, height, "yuvj420p"))
        frames.append(b"".join(bytes(packet) for packet in packets))
    return tuple(frames)


def jpeg_still(index: int = 0, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """One JPEG picture; another ``index`` (modulo 20) gives another one."""
    frames = jpeg_frames(width=width, height=height)
    return frames[index % len(frames)]


def build_all() -> None:
    """Make (and cache) the media now rather than on the first request."""
    hls_segments()
    live_segment(0)
    jpeg_frames()
    mp4_clip()


class LiveHls:
    """Live HLS of named streams: one playlist per stream, shared segments.

    ``is_live(name)`` tells whether a stream (still) has video: the others'
    URLs answer 404. ``clock`` gives seconds (time.monotonic by default);
    the sequence numbers count segments since the object was made.
    """

    def __init__(
        self,
        is_live: Callable[[str], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start the live clock."""
        self.is_live = is_live
        self._clock = clock
        self._started = clock()
        self.requests: dict[str, int] = {}

    def first_sequence(self) -> int:
        """The first sequence number the playlists list now."""
        return live_sequence(self._clock() - self._started)

    async def handle(self, request: web.Request) -> web.Response:
        """``/{name}/{name}.m3u8`` or ``/{name}/<sequence>.ts``."""
        name = request.match_info["name"]
        file = request.match_info["file"]
        if not self.is_live(name):
            raise web.HTTPNotFound(text=f"no stream {name}")
        self.requests[name] = self.requests.get(name, 0) + 1
        headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"}
        if file == f"{name}.m3u8":
            return web.Response(
                text=playlist(self.first_sequence()),
                content_type=PLAYLIST_TYPE,
                headers=headers,
            )
        stem, _, ext = file.partition(".")
        if ext != "ts" or not stem.isdigit() or len(stem) > 9:
            raise web.HTTPNotFound(text=f"no file {file}")
        # the client may ask for a segment that just left the window
        if int(stem) > self.first_sequence() + WINDOW:
            raise web.HTTPNotFound(text=f"segment {stem} not made yet")
        return web.Response(
            body=live_segment(int(stem)), content_type=SEGMENT_TYPE, headers=headers
        )


def add_hls_routes(app: web.Application, live: LiveHls, prefix: str = "") -> None:
    """Serve ``live`` under ``prefix`` (``"/hls"``, or ``""`` for the root)."""
    app.router.add_get(prefix + "/{name}/{file}", live.handle)


def iter_jpeg_frames(width: int = WIDTH, height: int = HEIGHT) -> Iterator[bytes]:
    """JPEG frames for ever, in a loop (an endless MJPEG preview)."""
    frames = jpeg_frames(width=width, height=height)
    while True:
        yield from frames
