"""Files the fake camera stores: real JPEG pictures and real H.264 MP4 videos."""

from __future__ import annotations

from functools import lru_cache
import hashlib
import io

import av
from PIL import Image, ImageDraw

# A clip of VIDEO_FRAMES frames at VIDEO_FPS (one second), small frames
VIDEO_SIZE = (256, 128)
VIDEO_FRAMES = 10
VIDEO_FPS = 10


@lru_cache(maxsize=1024)
def make_jpeg(number: int, width: int = 256, height: int = 128) -> bytes:
    """A real equirectangular-shaped JPEG, different for every number.

    Made once per number and size (listings of thousands of files ask for
    the same few again and again).
    """
    digest = hashlib.sha256(str(number).encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):
        shade = (x * 255) // max(width - 1, 1)
        draw.line([(x, height // 2), (x, height)], fill=(shade, digest[3], 255 - shade))
    draw.text((4, 4), f"R{number:07d}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


@lru_cache(maxsize=64)
def make_mp4(number: int) -> bytes:
    """A real one-second H.264 MP4 clip showing ``number`` (made with PyAV)."""
    width, height = VIDEO_SIZE
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=VIDEO_FPS)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for frame_number in range(VIDEO_FRAMES):
            shade = frame_number * 255 // VIDEO_FRAMES
            image = Image.new("RGB", (width, height), (shade, 96, 255 - shade))
            ImageDraw.Draw(image).text(
                (4, 4), f"R{number:07d} {frame_number}", fill=(255, 255, 255)
            )
            frame = av.VideoFrame.from_image(image)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()
