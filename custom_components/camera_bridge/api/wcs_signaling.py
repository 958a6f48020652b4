"""Web Call Server's WebSocket signaling: play one stream over WebRTC.

What Flashphoner's Web SDK speaks on WCS's WebSocket port (8080 for ws,
8443 for wss): every message is a JSON object ``{"message": NAME, "data":
[...]}``. A player opens the socket, sends ``connection`` (its application
key, ``defaultApp`` unless the server is set up otherwise) and waits for the
server's ``getUserData``; then it sends ``playStream`` with the browser's SDP
offer. The server answers ``setRemoteSDP`` ``[mediaSessionId, sdp]`` and
reports the stream's state in ``notifyStreamStatusEvent`` (``PLAYING``, or
``FAILED`` with an ``info``). The server's ``ping`` wants a ``pong``;
``stopStream`` ends the playback. There is no message for ICE candidates
after the offer: the server learns the browser's address from the
browser's connectivity checks.

One ``WcsPlayer`` is one viewer: one WebSocket, one stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass
import json
import logging
from typing import Any, Final
import uuid

import aiohttp
from yarl import URL

from .errors import BackendError, CameraBridgeError, CannotConnect, InvalidResponse

_LOGGER = logging.getLogger(__name__)

DEFAULT_APP_KEY: Final = "defaultApp"
# WCS's WebSocket ports: ws and wss
DEFAULT_WS_PORT: Final = 8080
DEFAULT_WSS_PORT: Final = 8443
# From opening the socket to the SDP answer
DEFAULT_ANSWER_TIMEOUT: Final = 10.0
# Signaling messages are small; an SDP answer is a few KB
MAX_MESSAGE_BYTES: Final = 256 * 1024

# stream states (notifyStreamStatusEvent)
STATUS_PLAYING: Final = "PLAYING"
_ENDED: Final = frozenset({"FAILED", "STOPPED", "UNPUBLISHED"})


class StreamRefused(BackendError):
    """The server would not play the stream (``FAILED``), with its ``info``."""


class SignalingTimeout(CannotConnect):
    """The server did not answer the offer in time."""


def ws_url(base_url: str, port: int | None = None) -> str:
    """The signaling URL of the server whose REST API is at ``base_url``.

    The host of the REST URL; ``wss`` when the REST URL is https; the port
    given, or WCS's default for the scheme (8080 / 8443).
    """
    rest = URL(base_url)
    secure = rest.scheme == "https"
    port = port or (DEFAULT_WSS_PORT if secure else DEFAULT_WS_PORT)
    host = rest.raw_host or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{'wss' if secure else 'ws'}://{host}:{port}/"


@dataclass(frozen=True, slots=True)
class SignalingMessage:
    """One message of the signaling: a name and its data list."""

    name: str
    data: tuple[Any, ...] = ()

    def encode(self) -> str:
        """The message as sent on the socket."""
        return json.dumps({"message": self.name, "data": list(self.data)})

    @classmethod
    def decode(cls, text: str) -> SignalingMessage:
        """A message read from the socket, or InvalidResponse."""
        try:
            raw = json.loads(text)
        except ValueError as err:
            raise InvalidResponse("signaling message is not JSON") from err
        if not isinstance(raw, Mapping) or not isinstance(raw.get("message"), str):
            raise InvalidResponse("signaling message has no 'message'")
        data = raw.get("data")
        if data is None:
            data = []
        if not isinstance(data, list):
            raise InvalidResponse(f"signaling message {raw['message']!r}: bad 'data'")
        return cls(raw["message"], tuple(data))

    @property
    def first(self) -> Mapping[str, Any]:
        """The first data item as an object (empty when it is not one)."""
        if self.data and isinstance(self.data[0], Mapping):
            return self.data[0]
        return {}


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """A ``notifyStreamStatusEvent`` (or ``fail``) about one played stream."""

    media_session_id: str
    status: str
    info: str

    @classmethod
    def from_message(cls, message: SignalingMessage) -> StreamStatus | None:
        """The status a message reports; None when it reports none."""
        obj = message.first
        ident: Any
        status: Any
        if message.name == "fail":
            ident = obj.get("id")
            status = "FAILED"
        else:
            ident = obj.get("mediaSessionId")
            status = obj.get("status")
        if not isinstance(ident, str) or not isinstance(status, str):
            return None
        info = obj.get("info")
        return cls(ident, status, info if isinstance(info, str) else "")


@dataclass(frozen=True, slots=True)
class RemoteSdp:
    """The server's ``setRemoteSDP``: its SDP answer for one media session."""

    media_session_id: str
    sdp: str

    @classmethod
    def from_message(cls, message: SignalingMessage) -> RemoteSdp:
        """The answer of a ``setRemoteSDP``, or InvalidResponse."""
        if (
            len(message.data) < 2
            or not isinstance(message.data[0], str)
            or not isinstance(message.data[1], str)
            or not message.data[1]
        ):
            raise InvalidResponse("setRemoteSDP without a session id and an SDP")
        return cls(message.data[0], message.data[1])


def _stream_body(media_session_id: str, name: str) -> dict[str, Any]:
    return {
        "mediaSessionId": media_session_id,
        "name": name,
        "published": False,
        "hasVideo": True,
        "hasAudio": True,
        "status": "PENDING",
        "record": False,
        "width": 0,
        "height": 0,
        "mediaProvider": "WebRTC",
    }


def play_request(media_session_id: str, name: str, offer_sdp: str) -> SignalingMessage:
    """The ``playStream`` of a WebRTC player, as the Web SDK sends it."""
    body = _stream_body(media_session_id, name)
    body["sdp"] = offer_sdp
    return SignalingMessage("playStream", (body,))


def stop_request(media_session_id: str, name: str) -> SignalingMessage:
    """The ``stopStream`` that ends a player's media session."""
    return SignalingMessage("stopStream", (_stream_body(media_session_id, name),))


def connection_request(app_key: str) -> SignalingMessage:
    """The ``connection`` that opens a session with the server."""
    return SignalingMessage(
        "connection",
        (
            {
                "appKey": app_key,
                "mediaProviders": ["WebRTC"],
                "keepAlive": False,
                "clientVersion": "2.0",
                "clientOSVersion": "Camera Bridge",
                "clientBrowserVersion": "Camera Bridge",
                "msePacketizationVersion": 2,
            },
        ),
    )


type EndCallback = Callable[[CameraBridgeError], None]


class WcsPlayer:
    """One viewer of one stream: a WebSocket to the server, a media session.

    ``play`` returns the server's SDP answer. From then on the session runs
    until ``close`` (the viewer left) or until the server ends it (the
    stream failed or stopped, the socket dropped): ``on_end`` is called
    with the error then, once. ``close`` may be called at any time, also
    while ``play`` waits; ``play`` raises CannotConnect then.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        name: str,
        *,
        app_key: str = DEFAULT_APP_KEY,
        timeout: float = DEFAULT_ANSWER_TIMEOUT,
        on_end: EndCallback | None = None,
    ) -> None:
        """Prepare (nothing is opened before ``play``)."""
        self._session = session
        self.url = url
        self.name = name
        self.media_session_id = str(uuid.uuid4())
        self._app_key = app_key
        self._timeout = timeout
        self._on_end = on_end
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        self._ready: asyncio.Future[None] = loop.create_future()
        self._answer: asyncio.Future[str] = loop.create_future()
        self._closed = False
        # the answer went to the caller; why the server ended the session
        self._delivered = False
        self._error: CameraBridgeError | None = None
        self.status = "NEW"

    @property
    def closed(self) -> bool:
        """Whether the session is over (closed by the viewer or the server)."""
        return self._closed

    async def play(self, offer_sdp: str) -> str:
        """Open the session and play the stream; return the SDP answer.

        Raises CannotConnect (SignalingTimeout when no answer came in time),
        StreamRefused, InvalidResponse; the socket is closed then.
        """
        try:
            async with asyncio.timeout(self._timeout):
                await self._open()
                await self._send(connection_request(self._app_key))
                await self._ready
                self.status = "PENDING"
                await self._send(
                    play_request(self.media_session_id, self.name, offer_sdp)
                )
                answer = await self._answer
        except TimeoutError as err:
            await self.close()
            raise SignalingTimeout(
                f"no answer from {self.url} within {self._timeout:g} s"
            ) from err
        except BaseException:
            await self.close()
            raise
        self._delivered = True
        if self._error is not None and self._on_end is not None:
            # the server ended the session right after its answer: the
            # caller hears of it after the answer
            asyncio.get_running_loop().call_soon(self._on_end, self._error)
        return answer

    async def _open(self) -> None:
        try:
            self._ws = await self._session.ws_connect(
                self.url,
                autoping=True,
                max_msg_size=MAX_MESSAGE_BYTES,
                timeout=aiohttp.ClientWSTimeout(ws_close=1.0),
            )
        except (aiohttp.ClientError, OSError) as err:
            raise CannotConnect(f"cannot open {self.url}: {err}") from err
        # closed while connecting: play() finds its futures failed and
        # closes this socket too
        self._reader = asyncio.create_task(
            self._read(self._ws), name=f"WCS signaling {self.name}"
        )

    async def _send(self, message: SignalingMessage) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise CannotConnect(f"{self.url} closed the connection")
        try:
            await ws.send_str(message.encode())
        except (aiohttp.ClientError, ConnectionError, RuntimeError) as err:
            raise CannotConnect(f"{self.url} closed the connection") from err

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Follow the server's messages until the session ends."""
        error: CameraBridgeError = CannotConnect(f"{self.url} closed the connection")
        try:
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    continue  # binary data is not for a WebRTC player
                ended = await self._handle(SignalingMessage.decode(msg.data))
                if ended is not None:
                    error = ended
                    break
        except CameraBridgeError as err:
            error = err
        except (aiohttp.ClientError, ConnectionError) as err:
            error = CannotConnect(f"{self.url}: {err}")
        self._end(error, by_server=True)
        await ws.close()

    async def _handle(self, message: SignalingMessage) -> CameraBridgeError | None:
        """React to one message; the error that ends the session, if it does."""
        name = message.name
        if name == "ping":
            await self._send(SignalingMessage("pong", (None,)))
        elif name == "getUserData":
            # holds the session's authToken: kept out of every log
            if not self._ready.done():
                self._ready.set_result(None)
        elif name == "setRemoteSDP":
            remote = RemoteSdp.from_message(message)
            if (
                remote.media_session_id == self.media_session_id
                and not self._answer.done()
            ):
                self._answer.set_result(remote.sdp)
        elif name in ("notifyStreamStatusEvent", "fail"):
            status = StreamStatus.from_message(message)
            if status is None or status.media_session_id != self.media_session_id:
                return None
            _LOGGER.debug("Stream %s: %s %s", self.name, status.status, status.info)
            self.status = status.status
            if status.status in _ENDED:
                return StreamRefused(
                    status.status,
                    status.info or f"the server ended stream {self.name!r}",
                )
        return None

    def _end(self, error: CameraBridgeError, *, by_server: bool) -> None:
        """The session is over: wake ``play``, or tell the owner, once.

        ``on_end`` hears only of an end the server chose, after the answer.
        """
        for future in (self._ready, self._answer):
            if not future.done():
                future.set_exception(error)
                # nobody may be waiting any more: no "never retrieved" warning
                future.exception()
        was_closed, self._closed = self._closed, True
        if not by_server or was_closed:
            return
        self._error = error
        if self._delivered and self._on_end is not None:
            self._on_end(error)

    async def close(self) -> None:
        """End the session: ``stopStream``, close the socket, stop reading."""
        if self._closed and self._ws is None:
            return
        self._end(CannotConnect("the session was closed"), by_server=False)
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            if self.status not in ("NEW", *_ENDED):
                stop = stop_request(self.media_session_id, self.name)
                # the socket is going anyway
                with contextlib.suppress(
                    aiohttp.ClientError, ConnectionError, RuntimeError
                ):
                    await ws.send_str(stop.encode())
            await ws.close()
        if (reader := self._reader) is not None:
            self._reader = None
            if reader is not asyncio.current_task():
                reader.cancel()
                try:
                    await reader
                except asyncio.CancelledError:
                    if (task := asyncio.current_task()) and task.cancelling():
                        raise
