"""The multipart MJPEG reader of the OSC live preview, fed byte by byte.

The reader is given the body in pieces of every size: what it yields must
not depend on how the bytes arrived. Streams from the simulated camera are
read in test_preview_api.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hypothesis import given, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import (
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.osc import (
    MjpegReader,
    preview as preview_module,
    preview_boundary,
)
from simulator.osc import make_jpeg
from tests.loop_lag import loop_lag

BOUNDARY = b"---osclivepreview---"
FRAMES = [make_jpeg(n, 64, 32) for n in range(3)]


def _reader_of(body: bytes, piece: int = 1 << 20) -> Callable[[], Awaitable[bytes]]:
    pieces = [body[i : i + piece] for i in range(0, len(body), piece)]

    async def read() -> bytes:
        return pieces.pop(0) if pieces else b""

    return read


def _part(frame: bytes, *, length: bool = True, dashes: bool = False) -> bytes:
    head = (b"--" if dashes else b"") + BOUNDARY + b"\r\nContent-type: image/jpeg\r\n"
    if length:
        head += b"Content-Length: %d\r\n" % len(frame)
    return head + b"\r\n" + frame + b"\r\n"


async def _read(
    body: bytes, piece: int = 1 << 20, boundary: bytes = BOUNDARY, **kwargs: int
) -> list[bytes]:
    reader = MjpegReader(_reader_of(body, piece), boundary, **kwargs)
    return [frame async for frame in reader]


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        ('multipart/x-mixed-replace; boundary="---osclivepreview---"', BOUNDARY),
        ("multipart/x-mixed-replace;boundary=frame", b"frame"),
        ("Multipart/X-Mixed-Replace; charset=x; Boundary = --frame ", b"--frame"),
    ],
)
def test_boundary(header: str, boundary: bytes) -> None:
    """The boundary comes from the Content-Type, quoted or not."""
    assert preview_boundary(header) == boundary


@pytest.mark.parametrize(
    "header",
    [
        "image/jpeg",
        "multipart/x-mixed-replace",
        'multipart/x-mixed-replace; boundary=""',
        "multipart/x-mixed-replace; boundary=" + "x" * 201,
        "multipart/x-mixed-replace; boundary=grüße",
    ],
)
def test_bad_boundary(header: str) -> None:
    """No multipart answer, or no usable boundary, is InvalidResponse."""
    with pytest.raises(InvalidResponse):
        preview_boundary(header)


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("length", [True, False])
@pytest.mark.parametrize("dashes", [True, False])
async def test_pieces(piece: int, length: bool, dashes: bool) -> None:
    """Frames come out whole however the body was cut."""
    body = b"".join(_part(f, length=length, dashes=dashes) for f in FRAMES)
    assert await _read(body, piece) == FRAMES


async def test_declared_dashes() -> None:
    """A boundary declared with its dashes (Home Assistant's own style)."""
    body = b"".join(
        b"--frame\r\nContent-Length: %d\r\n\r\n" % len(f) + f + b"\r\n" for f in FRAMES
    )
    assert await _read(body, 5, b"--frame") == FRAMES


def _with_thumbnail(frame: bytes) -> bytes:
    """The frame with a whole JPEG (and its end marker) inside an APP1 segment."""
    payload = b"Exif\x00\x00" + FRAMES[2]
    app1 = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return frame[:2] + b"\xff\x01" + app1 + frame[2:]


def _with_markers(frame: bytes) -> bytes:
    """Fill bytes before a marker and restart markers in the coded data."""
    end = frame.rindex(b"\xff\xd9")
    return frame[:end] + b"\xff\xd0\x12\xff\x00\xff\xd7\x34\xff\xff\xff\xd9"


@pytest.mark.parametrize("piece", [1, 5, 1 << 20])
async def test_end_marker_is_found(piece: int) -> None:
    """Without a length the JPEG's own structure tells where it ends."""
    frames = [_with_thumbnail(FRAMES[0]), _with_markers(FRAMES[1])]
    body = b"".join(_part(f, length=False) for f in frames)
    assert await _read(body, piece) == frames


async def test_lenient_framing() -> None:
    """Preamble, blank lines, a part without headers, a bad length, the closer."""
    body = (
        b"this is the preamble\r\n\r\n"
        + _part(FRAMES[0])
        + b"\r\n\r\n"
        + BOUNDARY
        + b"  \r\n"
        + FRAMES[1]
        + b"\r\n"
        + BOUNDARY
        + b"\r\nContent-Length: many\r\nX-Other:\r\n\r\n"
        + FRAMES[2]
        + b"\r\n"
        + BOUNDARY
        + b"--\r\n"
        + _part(FRAMES[0])
    )
    assert await _read(body, 3) == FRAMES


async def test_stream_ends_between_frames() -> None:
    """A stream that just stops after a frame ends the iteration."""
    for end in (BOUNDARY, BOUNDARY + b"\r\n", b"--" + BOUNDARY + b"--\r\n"):
        assert await _read(_part(FRAMES[0]) + end, 3) == FRAMES[:1]
    assert await _read(b"") == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        # cut in the body, in the headers, in a frame without a length
        (_part(FRAMES[0])[:-40], CannotConnect),
        (BOUNDARY + b"\r\nContent-Length: 20", CannotConnect),
        (_part(FRAMES[0], length=False)[:-40], CannotConnect),
        (_part(FRAMES[0], length=False)[:300], CannotConnect),
        # garbage between parts, a wrong length, no JPEG, endless lines
        (_part(FRAMES[0]) + b"garbage\r\n" + _part(FRAMES[1]), InvalidResponse),
        (
            _part(FRAMES[0]).replace(
                b"Length: %d" % len(FRAMES[0]), b"Length: %d" % (len(FRAMES[0]) - 9)
            ),
            InvalidResponse,
        ),
        (_part(b"<html>no</html>"), InvalidResponse),
        (_part(b"<html>no</html>", length=False), InvalidResponse),
        (_part(b"\xff\xd8\x00\x00\xff\xd9", length=False), InvalidResponse),
        (_part(b"\xff\xd8\xff\xe0\x00\x01\xff\xd9", length=False), InvalidResponse),
        (b"x" * 5000, InvalidResponse),
        (b"\r\n" * 5 + b"y" * 5000 + b"\n", InvalidResponse),
        (_part(FRAMES[0]) + b"\r\n" * 20 + _part(FRAMES[1]), InvalidResponse),
        (BOUNDARY + b"\r\nContent-Type\r\n\r\n" + FRAMES[0], InvalidResponse),
        (BOUNDARY + b"\r\n" + b"A: b\r\n" * 40, InvalidResponse),
        (BOUNDARY + b"\r\nA: " + b"b" * 2000 + b"\r\n", InvalidResponse),
        (BOUNDARY + b"\r\n  ", CannotConnect),
    ],
    ids=[
        "cut-body",
        "cut-headers",
        "cut-no-length",
        "cut-tables",
        "garbage",
        "wrong-length",
        "no-jpeg",
        "no-jpeg-no-length",
        "no-marker",
        "short-segment",
        "no-boundary",
        "preamble-too-long",
        "too-many-blank-lines",
        "header-without-colon",
        "too-many-headers",
        "header-too-long",
        "cut-blank",
    ],
)
async def test_broken(body: bytes, error: type[Exception]) -> None:
    """Broken streams raise after the frames before the break; never hang."""
    first = _part(FRAMES[2])
    for piece in (7, 1 << 20):
        reader = MjpegReader(_reader_of(first + body, piece), BOUNDARY)
        assert await anext(reader) == FRAMES[2]
        with pytest.raises(error):
            async for _ in reader:
                pass


@pytest.mark.parametrize("length", [True, False])
async def test_size_cap(length: bool) -> None:
    """A part above the cap is InvalidResponse, declared or found by reading."""
    padding = b"\xff\xef" + (len(FRAMES[0]) + 2).to_bytes(2, "big") + FRAMES[0]
    big = FRAMES[1][:2] + padding + FRAMES[1][2:]
    body = _part(FRAMES[0], length=length) + _part(big, length=length)
    reader = MjpegReader(
        _reader_of(body, 100), BOUNDARY, max_frame_bytes=len(FRAMES[0]) + 10
    )
    assert await anext(reader) == FRAMES[0]
    with pytest.raises(InvalidResponse, match="cap"):
        await anext(reader)
    assert reader.frames == 1


@given(st.binary(max_size=400), st.integers(1, 50))
async def test_fuzz(data: bytes, piece: int) -> None:
    """Any bytes end as frames or a CameraBridgeError, nothing else."""
    body = _part(FRAMES[0]) + data
    try:
        frames = await _read(body, piece)
    except CameraBridgeError:
        return
    assert frames[0] == FRAMES[0]


async def test_length_in_other_digits() -> None:
    """A Content-Length written with non-ASCII digits (``²``) is InvalidResponse."""
    body = b"--b\r\nContent-Length: \xb2\r\n\r\n\xff\xd8\xff\xd9\r\n"
    with pytest.raises(InvalidResponse, match="length"):
        await _read(body, boundary=b"b")
    # Latin-1 digits anywhere in the value, whatever follows
    for value in (b"1\xb9", b"\xb3 ", b"\xb2\xb2\xb2"):
        with pytest.raises(InvalidResponse):
            await _read(_part(FRAMES[0]).replace(b"%d" % len(FRAMES[0]), value))


# what a part's header lines may hold: values of any Latin-1 text (a camera's
# bytes are read as Latin-1), and number-like ones: ASCII and Latin-1 digits
# (superscripts), fractions, blanks
_header_value = st.text(
    st.sampled_from("0123456789 \t\xb9\xb2\xb3\xbd"), max_size=6
) | (st.text(st.characters(max_codepoint=0xFF), max_size=12))
_header = st.tuples(
    st.sampled_from(["Content-Length", "content-length", "Content-Type", "X-Frame"]),
    _header_value,
)


@given(
    st.lists(
        st.tuples(
            st.lists(_header, max_size=4),
            st.sampled_from([FRAMES[0], FRAMES[1][:40], b"\xff\xd8\xff\xd9", b""]),
        ),
        min_size=1,
        max_size=3,
    ),
    st.integers(1, 64),
)
async def test_fuzz_part_headers(
    parts: list[tuple[list[tuple[str, str]], bytes]], piece: int
) -> None:
    """Generated part headers end as frames or a CameraBridgeError, nothing else."""
    body = b"".join(
        BOUNDARY
        + b"\r\n"
        + b"".join(
            f"{name}: {value}".replace("\r", " ").replace("\n", " ").encode("latin-1")
            + b"\r\n"
            for name, value in headers
        )
        + b"\r\n"
        + payload
        + b"\r\n"
        for headers, payload in parts
    )
    try:
        frames = await _read(body, piece)
    except CameraBridgeError:
        return
    assert all(frame.startswith(b"\xff\xd8") for frame in frames)


# ---- the event loop: a reader given a lot at once hands it back

TINY = b"\xff\xd8\xff\xfe\x00\x06tiny\xff\xd9"


@pytest.mark.parametrize(
    ("body", "frames"),
    [
        # 30,000 tiny frames in one 2.5 MB chunk (~0.3 s of parsing)
        (_part(TINY) * 30_000, 30_000),
        # one frame without a length made of 200,000 empty APP0 segments
        (
            _part(
                b"\xff\xd8" + b"\xff\xe0\x00\x02" * 200_000 + b"\xff\xd9", length=False
            ),
            1,
        ),
        # one frame whose coded data holds 3,000,000 stuffed 0xFF bytes
        (
            _part(
                b"\xff\xd8\xff\xda\x00\x02" + b"\xff\x00" * 3_000_000 + b"\xff\xd9",
                length=False,
            ),
            1,
        ),
    ],
    ids=["tiny-frames", "many-segments", "stuffed-scan"],
)
async def test_big_chunk_hands_the_loop_back(body: bytes, frames: int) -> None:
    """However much one chunk holds, the event loop is never blocked for long."""
    async with loop_lag(limit=0.1):
        assert len(await _read(body)) == frames


@pytest.mark.parametrize(
    ("rest", "after"), [(0, 1 << 40), (1 << 40, 1 << 40), (1 << 40, 1)]
)
async def test_buffer_compaction(
    monkeypatch: pytest.MonkeyPatch, rest: int, after: int
) -> None:
    """What was read is dropped early, late or at once: the frames are the same."""
    monkeypatch.setattr(preview_module, "_COMPACT_REST", rest)
    monkeypatch.setattr(preview_module, "_COMPACT_AFTER", after)
    body = b"".join(_part(f, length=n % 2 == 0) for n, f in enumerate(FRAMES * 3))
    for piece in (5, 200, 1 << 20):
        assert await _read(body, piece) == FRAMES * 3
