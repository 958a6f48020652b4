"""Files the fake camera stores: real JPEG pictures and tiny MP4-like videos."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw


def make_jpeg(number: int, width: int = 256, height: int = 128) -> bytes:
    """A real equirectangular-shaped JPEG, different for every number."""
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


def make_mp4(number: int) -> bytes:
    """A tiny file that starts like an MP4 (enough for listings and downloads)."""
    payload = f"simulated video {number}".encode()
    return (
        (24).to_bytes(4, "big")
        + b"ftypisom"
        + b"\x00\x00\x02\x00isomiso2"
        + (8 + len(payload)).to_bytes(4, "big")
        + b"free"
        + payload
    )
