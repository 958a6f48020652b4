"""The one request helper shared by every Camera Bridge API client.

It owns the timeout, the response-size cap, body decoding (JSON here, XML in
``_xml``, big bodies off the event loop with ``_offload``) and the mapping of
transport failures to the exception family in ``errors``. Status codes are
left to the callers: their meaning differs per backend.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
import json
import re
from typing import Any, Final

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from ._offload import OFF_LOOP_BYTES, off_loop, yield_gil
from ._stream import StreamedResponse, has_body, open_stream, transport_error
from ._xml import XML_ENCODINGS, check_xml_encoding, decode_xml, xml_text
from .errors import CannotConnect, InvalidResponse

# The XML, off-loop and streaming helpers are re-exported: clients import
# every shared helper from here
__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "JOIN_OFF_LOOP_BYTES",
    "JSON_PIECE",
    "OFF_LOOP_BYTES",
    "XML_ENCODINGS",
    "Response",
    "SingleFlight",
    "StreamedResponse",
    "basic_auth_header",
    "check_xml_encoding",
    "decode_json",
    "decode_xml",
    "fetch",
    "iter_json_array",
    "off_loop",
    "open_stream",
    "origin",
    "xml_text",
    "yield_gil",
]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
# bytes.join lets go of the GIL while it copies this much or more (CPython's
# stringlib), so a worker thread can join such a body while the event loop
# runs. Below it a join costs the loop at most ~0.4 ms, even into memory the
# process has not touched yet (measured: 6 MB in 2.2 ms cold, 0.1 ms warm).
JOIN_OFF_LOOP_BYTES = 1024 * 1024
# iter_json_array hands the GIL over after this many characters: about
# 0.4 ms of decoding plus building the items (WCS streams: ~14 ns per byte)
JSON_PIECE: Final = 32 * 1024
_JSON_SPACE: Final = re.compile(r"[ \t\n\r]*")
# where one object (array) of a list may end and the next begin
_ITEM_BOUNDARIES: Final = {
    "{": re.compile(r"\}[ \t\n\r]*,(?=[ \t\n\r]*\{)"),
    "[": re.compile(r"\][ \t\n\r]*,(?=[ \t\n\r]*\[)"),
}
_JSON_DECODER: Final = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class Response:
    """A fully read HTTP response."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        """Decode the body as JSON or raise InvalidResponse."""
        return decode_json(self.body)

    def text(self) -> str:
        """Decode the body as UTF-8 text or raise InvalidResponse."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InvalidResponse("response is not UTF-8 text") from err


def decode_json(body: bytes | str) -> Any:
    """Decode JSON, mapping every failure to InvalidResponse."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        raise InvalidResponse(f"malformed JSON: {err}") from err


def _after_space(text: str, position: int) -> int:
    """The position of the first character from ``position`` on that is no JSON space."""
    match = _JSON_SPACE.match(text, position)
    return match.end() if match else position


def iter_json_array(body: bytes) -> Iterator[Any]:
    """The items of a JSON array, decoded a piece at a time.

    Accepts and refuses what ``decode_json`` does (InvalidResponse), and
    also a document that is not an array. Meant for big list answers in a
    worker thread (``off_loop``): one ``json.loads`` over megabytes holds
    the GIL for milliseconds in one go, while here the GIL is handed over
    (``yield_gil``) about every ``JSON_PIECE`` characters, the caller's work
    on the items included.

    A piece is the items up to a place that looks like the end of one object
    (or array) and the start of the next, read by ``json.loads`` as a list
    of its own: that only succeeds when the place is a real boundary between
    items (anywhere else brackets or quotes stay open). Where it fails, or
    the items are no objects or arrays, items are read one by one.
    """
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError as err:
        raise InvalidResponse(f"malformed JSON: {err}") from err
    if len(text) <= JSON_PIECE:
        # one piece anyway
        items = decode_json(text)
        if not isinstance(items, list):
            raise InvalidResponse("the JSON answer is not a list")
        yield from items
        return
    position = _after_space(text, 0)
    if not text.startswith("[", position):
        decode_json(text)  # malformed JSON says so
        raise InvalidResponse("the JSON answer is not a list")
    position = _after_space(text, position + 1)
    boundary = _ITEM_BOUNDARIES.get(text[position : position + 1])
    while not text.startswith("]", position):
        items = None
        if boundary is not None:
            if found := boundary.search(text, position + JSON_PIECE):
                comma = found.end() - 1
                items = _json_list(text, position, comma)
            if items is None:  # not this layout: one by one from here on
                boundary = None
        if items is not None:
            yield from items
            position = comma
        else:
            try:
                item, position = _JSON_DECODER.raw_decode(text, position)
            except (ValueError, RecursionError) as err:
                raise InvalidResponse(f"malformed JSON: {err}") from err
            yield item
            position = _after_space(text, position)
        if text.startswith(",", position):
            position = _after_space(text, position + 1)
            if text.startswith("]", position):
                raise InvalidResponse("malformed JSON: a comma before ']'")
        elif not text.startswith("]", position):
            raise InvalidResponse(f"malformed JSON: ',' or ']' expected at {position}")
        if items is not None:
            yield_gil()
    if _after_space(text, position + 1) != len(text):
        raise InvalidResponse("malformed JSON: extra data after the list")


def _json_list(text: str, start: int, end: int) -> list[Any] | None:
    """``text[start:end]`` read as the items of a JSON list, or None."""
    try:
        items: list[Any] = json.loads(f"[{text[start:end]}]")
    except ValueError, RecursionError:
        return None
    return items


def origin(url: URL) -> str:
    """``scheme://host[:port]`` of an http(s) URL with a host.

    The host is lower-cased (IPv6 in brackets) and a port equal to the
    scheme's default is left out, so equal servers give equal strings.
    """
    host = (url.host or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = url.explicit_port
    if port is None or port == (443 if url.scheme == "https" else 80):
        return f"{url.scheme}://{host}"
    return f"{url.scheme}://{host}:{port}"


def basic_auth_header(username: str, password: str) -> str:
    """The value of an HTTP Basic ``Authorization`` header (UTF-8 credentials)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


async def fetch(
    session: aiohttp.ClientSession,
    method: str,
    url: str | URL,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    params: Mapping[str, str] | None = None,
    json_body: Any = None,
    data: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    middlewares: tuple[aiohttp.ClientMiddlewareType, ...] = (),
) -> Response:
    """Send one request and read the whole answer, at most ``max_bytes``.

    Raises CannotConnect for timeouts, refused or dropped connections and
    truncated bodies, InvalidResponse for bodies above the cap.
    """
    if auth is not None:
        headers = {**(headers or {}), "Authorization": basic_auth_header(*auth)}
    kwargs: dict[str, Any] = {
        "params": params,
        "headers": headers,
        "timeout": aiohttp.ClientTimeout(total=timeout),
        "allow_redirects": False,
    }
    if json_body is not None:
        kwargs["data"] = json.dumps(json_body, separators=(",", ":")).encode()
    elif data is not None:
        kwargs["data"] = data
    if middlewares:
        kwargs["middlewares"] = middlewares
    try:
        async with session.request(method, url, **kwargs) as resp:
            if not has_body(method, resp.status):
                resp.close()  # see has_body: never read, never reused
                return Response(resp.status, resp.headers, b"")
            length = resp.content_length
            if length is not None and length > max_bytes:
                raise InvalidResponse(
                    f"response of {length} bytes is above the {max_bytes} byte cap"
                )
            # the pieces as received, joined once: the body is copied once
            chunks: list[bytes] = []
            size = 0
            async for chunk, _ in resp.content.iter_chunks():
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidResponse(f"response is above the {max_bytes} byte cap")
                chunks.append(chunk)
            return Response(resp.status, resp.headers, await _join(chunks, size))
    except TimeoutError as err:
        raise CannotConnect(f"no answer within {timeout:g} s") from err
    except aiohttp.ClientError as err:
        raise transport_error(err) from err


async def _join(chunks: list[bytes], size: int) -> bytes:
    """The chunks as one ``bytes``; a big body is joined off the event loop."""
    if len(chunks) == 1:
        return chunks[0]
    if size < JOIN_OFF_LOOP_BYTES:
        return b"".join(chunks)
    return await asyncio.get_running_loop().run_in_executor(None, b"".join, chunks)


class SingleFlight[K: Hashable, T]:
    """Coalesce concurrent identical requests into one call.

    While a call for a key is running, later callers for the same key await
    the same result instead of starting another one.
    """

    def __init__(self) -> None:
        """Start with nothing in flight."""
        self._running: dict[K, asyncio.Future[T]] = {}

    def in_flight(self, key: K) -> bool:
        """Tell whether a call for ``key`` is running."""
        return key in self._running

    async def run(self, key: K, factory: Callable[[], Awaitable[T]]) -> T:
        """Await the running call for ``key`` or start one with ``factory``."""
        if (running := self._running.get(key)) is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            result = await factory()
        except BaseException as err:
            if isinstance(err, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(err)
            if not future.cancelled():
                # nobody else may be waiting: mark the exception as retrieved
                future.exception()
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._running[key]
