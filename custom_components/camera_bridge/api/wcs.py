"""Client for the Flashphoner Web Call Server REST API (streams and snapshots)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from ._coerce import as_float, as_int
from ._http import DEFAULT_MAX_BYTES, Response, SingleFlight, fetch, origin
from .errors import AuthenticationFailed, BackendError, CannotConnect, InvalidResponse

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The server waits up to snapshot_taking_interval_ms (3000 ms by default)
# before answering 500: wait a little longer than that.
DEFAULT_SNAPSHOT_TIMEOUT = 4.0
DEFAULT_TIMEOUT = 10.0
# A base64 PNG of a 4K frame stays well below this
SNAPSHOT_MAX_BYTES = 24 * 1024 * 1024


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
            "stream/find_all", None, timeout=self.timeout, max_bytes=DEFAULT_MAX_BYTES
        )
        if resp.status == 404:
            return []
        if resp.status != 200:
            raise BackendError(resp.status, _error_message(resp))
        data = resp.json()
        if not isinstance(data, list):
            raise InvalidResponse("find_all did not answer a list")
        return [Stream.from_dict(item) for item in data]

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
        data = resp.json()
        encoded = data.get("data") if isinstance(data, Mapping) else None
        if not isinstance(encoded, str) or not encoded:
            raise InvalidResponse("snapshot answer has no 'data'")
        try:
            image = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as err:
            raise InvalidResponse("snapshot 'data' is not base64") from err
        if not image.startswith(PNG_SIGNATURE):
            raise InvalidResponse("snapshot is not a PNG image")
        return image

    async def check(self) -> int:
        """Prove the server answers with these credentials; return the stream count."""
        try:
            return len(await self.find_all())
        except BackendError as err:
            raise CannotConnect(f"the server answered {err}") from err


def _error_message(resp: Response) -> str:
    """Read ``message`` from an error body when there is one."""
    try:
        body = resp.json()
    except InvalidResponse:
        return ""
    message = body.get("message") if isinstance(body, Mapping) else None
    return message if isinstance(message, str) else ""
