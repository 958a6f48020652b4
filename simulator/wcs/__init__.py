"""Fake Flashphoner Web Call Server: REST API, HLS and WebRTC signaling."""

from .cli import add_arguments, build, extra_apps, frame_size
from .rest import DEFAULT_STREAMS, WcsSimulator, WcsStream, make_detailed_png, make_png
from .webrtc import GeneratedVideo, Signaling

__all__ = [
    "DEFAULT_STREAMS",
    "GeneratedVideo",
    "Signaling",
    "WcsSimulator",
    "WcsStream",
    "add_arguments",
    "build",
    "extra_apps",
    "frame_size",
    "make_detailed_png",
    "make_png",
]
