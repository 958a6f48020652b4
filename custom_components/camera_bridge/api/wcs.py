"""Client for the Flashphoner Web Call Server REST API (streams and snapshots)."""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any, Final

import aiohttp
from yarl import URL

from ._coerce import as_float, as_int
from ._http import (
    Response,
    SingleFlight,
    decode_json,
    fetch,
    iter_json_array,
    off_loop,
    origin,
    yield_gil,
)
from .errors import AuthenticationFailed, BackendError, CannotConnect, InvalidResponse

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The server waits up to snapshot_taking_interval_ms (3000 ms by default)
# before answering 500: wait a little longer than that.
DEFAULT_SNAPSHOT_TIMEOUT = 4.0
DEFAULT_TIMEOUT = 10.0
# The biggest snapshot answer: a 3840x2160 RGB frame whose detail PNG cannot
# compress at all (24.9 MB of PNG) is 33.2 MB of base64, 31.7 MiB
SNAPSHOT_MAX_BYTES: Final = 32 * 1024 * 1024
# A stream object takes ~0.4 KB (1.5 KB with every optional field): room for
# over 10,000 streams
FIND_ALL_MAX_BYTES: Final = 16 * 1024 * 1024
# find_all costs ~14 ns per byte (JSON and the Stream objects): from 4 KB
# (~10 streams) on, a worker thread is cheaper for the event loop
FIND_ALL_OFF_LOOP_BYTES: Final = 4 * 1024
# base64 is decoded in pieces of this many characters (~0.2 ms each), the GIL
# handed over to the event loop between them
BASE64_PIECE: Final = 256 * 1024


class StreamNotFound(BackendError):
    """The server does not know the stream (404)."""


class SnapshotFailed(BackendError):
    """The server could not take the snapshot (500), with its message."""


@dataclass(frozen=True, slots=True)
class Stream:
    """One stream published on the server."""

    name: str
    status: str
    published: bool
    media_session_id: str | None
    has_video: bool
    has_audio: bool
    width: int
    height: int
    bitrate: int | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    media_provider: str | None
    created: int | None

    @classmethod
    def from_dict(cls, raw: Any) -> Stream:
        """Build a stream from the server's object, or raise InvalidResponse."""
        if not isinstance(raw, Mapping):
            raise InvalidResponse("stream entry is not an object")
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidResponse("stream entry has no 'name'")
        return cls(
            name=name,
            status=_str(raw.get("status")) or "UNKNOWN",
            published=bool(raw.get("published", False)),
            media_session_id=_str(raw.get("mediaSessionId")),
            has_video=bool(raw.get("hasVideo", True)),
            has_audio=bool(raw.get("hasAudio", False)),
            width=as_int(raw.get("width"), minimum=0) or 0,
            height=as_int(raw.get("height"), minimum=0) or 0,
            bitrate=as_int(raw.get("bitrate"), minimum=0),
            fps=as_float(raw.get("fps"), minimum=0),
            video_codec=_str(raw.get("videoCodec")),
            audio_codec=_str(raw.get("audioCodec")),
            media_provider=_str(raw.get("mediaProvider")),
            created=as_int(raw.get("createDate"), minimum=0),
        )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def normalize_url(url: str) -> str:
    """Return the canonical base URL of a server: ``scheme://host[:port]``.

    Path, query and trailing slash are dropped, the host is lower-cased and a
    port equal to the scheme's default is left out. Raises ValueError for
    anything that is not an http(s) URL with a host.
    """
    parsed = URL(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("not an http(s) URL with a host")
    return origin(parsed)


class WcsClient:
    """Async client of one Web Call Server."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        snapshot_timeout: float = DEFAULT_SNAPSHOT_TIMEOUT,
    ) -> None:
        """Keep the session, the REST base URL and the optional credentials."""
        self._session = session
        self.base_url = normalize_url(url)
        self._rest = URL(self.base_url) / "rest-api"
        self._auth = (username, password or "") if username else None
        self.timeout = timeout
        self.snapshot_timeout = snapshot_timeout
        self._snapshots: SingleFlight[str, bytes] = SingleFlight()

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session the client uses (WebRTC signaling shares it)."""
        return self._session

    async def _post(
        self, path: str, body: Any, *, timeout: float, max_bytes: int
    ) -> Response:
        resp = await fetch(
            self._session,
            "POST",
            self._rest / path,
            json_body=body if body is not None else {},
            headers={"Content-Type": "application/json"},
            auth=self._auth,
            timeout=timeout,
            max_bytes=max_bytes,
        )
        if resp.status in (401, 403):
            raise AuthenticationFailed(f"the server answered {resp.status}")
        return resp

    async def find_all(self) -> list[Stream]:
        """List every stream on the server (an empty list when there is none)."""
        resp = await self._post(
            "stream/find_all", None, timeout=self.timeout, max_bytes=FIND_ALL_MAX_BYTES
        )
        if resp.status == 404:
            return []
        if resp.status != 200:
            raise BackendError(resp.status, _error_message(resp))
        return await off_loop(
            parse_streams, resp.body, threshold=FIND_ALL_OFF_LOOP_BYTES
        )

    async def snapshot(self, name: str) -> bytes:
        """Take a PNG snapshot of a stream.

        Concurrent calls for the same stream share one request to the server.
        """
        return await self._snapshots.run(name, lambda: self._snapshot(name))

    async def _snapshot(self, name: str) -> bytes:
        resp = await self._post(
            "stream/snapshot",
            {"streamName": name},
            timeout=self.snapshot_timeout,
            max_bytes=SNAPSHOT_MAX_BYTES,
        )
        if resp.status == 404:
            raise StreamNotFound(404, f"stream {name!r} not found")
        if resp.status == 500:
            raise SnapshotFailed(500, _error_message(resp) or "snapshot failed")
        if resp.status != 200:
            raise BackendError(resp.status, _error_message(resp))
        return await off_loop(parse_snapshot, resp.body)

    async def check(self) -> int:
        """Prove the server answers with these credentials; return the stream count."""
        try:
            return len(await self.find_all())
        except BackendError as err:
            raise CannotConnect(f"the server answered {err}") from err


def parse_streams(body: bytes) -> list[Stream]:
    """The streams of a ``find_all`` answer (a JSON list), or InvalidResponse.

    Decoded a piece at a time, so that it can run in a worker thread
    without holding the GIL for long (see ``iter_json_array``).
    """
    return [Stream.from_dict(item) for item in iter_json_array(body)]


def parse_snapshot(body: bytes) -> bytes:
    """The PNG image of a snapshot answer ``{"data": "<base64 PNG>"}``.

    Raises InvalidResponse. Made to run in a worker thread on answers of
    megabytes: the base64 is decoded in pieces, handing the GIL over to the
    event loop between them, and JSON is parsed without the image (see
    ``_data_member``).
    """
    encoded = _data_member(body)
    if not encoded:
        raise InvalidResponse("snapshot answer has no 'data'")
    pieces = []
    for start in range(0, len(encoded), BASE64_PIECE):
        if start:
            yield_gil()
        piece = encoded[start : start + BASE64_PIECE]
        # a piece may end with padding only if it is the last one
        if start + BASE64_PIECE < len(encoded) and piece[-1] == ord("="):
            raise InvalidResponse("snapshot 'data' is not base64")
        pieces.append(_base64_piece(piece))
    image = b"".join(pieces)
    if not image.startswith(PNG_SIGNATURE):
        raise InvalidResponse("snapshot is not a PNG image")
    return image


def _base64_piece(piece: bytes | memoryview) -> bytes:
    try:
        return binascii.a2b_base64(piece, strict_mode=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidResponse("snapshot 'data' is not base64") from err


_OBJECT_START: Final = re.compile(rb"[ \t\n\r]*\{")
_DATA_MEMBER: Final = re.compile(rb'"data"[ \t\n\r]*:[ \t\n\r]*"')
_PLACEHOLDER: Final = "camera-bridge:snapshot"


def _data_member(body: bytes) -> bytes | memoryview | None:
    """The ASCII of the answer's top-level ``data`` string; None without one.

    ``json.loads`` over an 8 MB answer holds the GIL for milliseconds in one
    call, so the base64 string is cut out by a byte search and only the rest
    of the answer is parsed, with a placeholder in its place. In an answer
    without any backslash every string reads as written, so when the
    placeholder (written nowhere else) comes back as the top-level ``data``,
    the bytes cut out are exactly that string, and every character of the
    JSON around it was parsed. Anything else (escapes, another layout,
    another encoding) takes ``json.loads`` of the whole answer, which accepts
    and refuses the same answers.
    """
    placeholder = _PLACEHOLDER.encode()
    if (
        _OBJECT_START.match(body)
        and b"\\" not in body
        and (key := body.find(b'"data"')) >= 0
        and (member := _DATA_MEMBER.match(body, key)) is not None
        and (end := body.find(b'"', start := member.end())) >= 0
        and body.find(placeholder, 0, start) < 0
        and body.find(placeholder, end) < 0
    ):
        probe = decode_json(body[:start] + placeholder + body[end:])
        if isinstance(probe, Mapping) and probe.get("data") == _PLACEHOLDER:
            return memoryview(body)[start:end]
    data = decode_json(body)
    encoded = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(encoded, str):
        return None
    try:
        return encoded.encode("ascii")
    except UnicodeEncodeError as err:
        raise InvalidResponse("snapshot 'data' is not base64") from err


def _error_message(resp: Response) -> str:
    """Read ``message`` from an error body when there is one."""
    try:
        body = resp.json()
    except InvalidResponse:
        return ""
    message = body.get("message") if isinstance(body, Mapping) else None
    return message if isinstance(message, str) else ""
