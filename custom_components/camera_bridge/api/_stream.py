"""Answers read as they arrive: bodies passed on piece by piece, or endless.

``fetch`` reads a whole body into memory. A video passed on to a player
should not sit there, and a camera's live preview never ends:
``open_stream`` sends one request and returns a ``StreamedResponse`` once the
headers are in. Reading its body maps transport failures to
``CannotConnect`` as ``fetch`` does; a body that stops arriving for the read
timeout is a failure, never a hang.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
import json
from types import TracebackType
from typing import Any, Self

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from .errors import CannotConnect, InvalidResponse

DEFAULT_STREAM_TIMEOUT = 10.0
# Answers that carry no body whatever their headers say (RFC 9110 6.4.1,
# 15.3.6): aiohttp hands each of them one shared empty reader, whose
# ``iter_chunks()`` never ends the second time a process iterates it and
# never yields to the event loop (it froze Home Assistant). Such a body is
# never read; its connection is dropped instead of reused, so bytes a server
# sends after the headers anyway cannot pass for the next request's answer.
NO_BODY_STATUSES = frozenset({204, 205, 304})


# aiohttp quotes what it could not parse (a broken status line, for one):
# the message says that much of it, not a whole body
ERROR_TEXT_MAX = 200


def transport_error(err: aiohttp.ClientError) -> CannotConnect:
    """The CannotConnect for an aiohttp failure, its text cut short.

    str(err) of aiohttp errors carries host and port, never credentials.
    """
    text = str(err)
    if len(text) > ERROR_TEXT_MAX:
        text = f"{text[:ERROR_TEXT_MAX]}..."
    return CannotConnect(f"{type(err).__name__}: {text}")


def has_body(method: str, status: int) -> bool:
    """Tell whether an answer to ``method`` with ``status`` may have a body."""
    return status >= 200 and status not in NO_BODY_STATUSES and method.upper() != "HEAD"


class StreamedResponse:
    """An answer whose headers are in and whose body is read piece by piece.

    Read ``chunks()`` to the end, or ``close()`` it (``async with`` does):
    a body left unread cannot be reused, so closing drops the connection.
    """

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        *,
        max_bytes: int | None,
        read_timeout: float,
    ) -> None:
        """Wrap an aiohttp answer whose headers were read.

        An answer without a body (``has_body``) is closed at once: its body
        reads as empty and its connection is not reused.
        """
        self._response = response
        self._body = has_body(response.method, response.status)
        if not self._body:
            response.close()
        self._max_bytes = max_bytes
        self._read_timeout = read_timeout
        self.status = response.status
        self.headers: CIMultiDictProxy[str] = response.headers
        self.content_length = response.content_length

    async def read_chunk(self) -> bytes:
        """The next bytes of the body as they arrived; ``b""`` at its end."""
        if not self._body:
            return b""
        try:
            return await self._response.content.readany()
        except TimeoutError as err:
            raise CannotConnect(f"no data for {self._read_timeout:g} s") from err
        except aiohttp.ClientError as err:
            raise transport_error(err) from err

    async def chunks(self) -> AsyncGenerator[bytes]:
        """The body's pieces to its end (at most ``max_bytes``); then closed."""
        size = 0
        try:
            while chunk := await self.read_chunk():
                size += len(chunk)
                if self._max_bytes is not None and size > self._max_bytes:
                    raise InvalidResponse(
                        f"response is above the {self._max_bytes} byte cap"
                    )
                yield chunk
        finally:
            self.close()

    async def read_all(self) -> bytes:
        """The rest of the body in one piece (short answers, such as errors)."""
        return b"".join([chunk async for chunk in self.chunks()])

    def close(self) -> None:
        """Drop the connection (what is left of the body is not read)."""
        self._response.close()

    async def __aenter__(self) -> Self:
        """Use the answer; it is closed on the way out."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the answer."""
        self.close()


async def open_stream(
    session: aiohttp.ClientSession,
    method: str,
    url: str | URL,
    *,
    timeout: float = DEFAULT_STREAM_TIMEOUT,
    read_timeout: float | None = None,
    max_bytes: int | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    middlewares: tuple[aiohttp.ClientMiddlewareType, ...] = (),
) -> StreamedResponse:
    """Send one request; return once the answer's headers are in.

    ``timeout`` bounds connecting and every wait for the answer (headers
    or a piece of the body; ``read_timeout`` for the body when given),
    never the whole transfer. A declared length above ``max_bytes`` is
    InvalidResponse at once. Raises CannotConnect like ``fetch``.
    """
    read_timeout = timeout if read_timeout is None else read_timeout
    kwargs: dict[str, Any] = {
        "headers": headers,
        "timeout": aiohttp.ClientTimeout(
            total=None, connect=timeout, sock_read=read_timeout
        ),
        "allow_redirects": False,
    }
    if json_body is not None:
        kwargs["data"] = json.dumps(json_body, separators=(",", ":")).encode()
    if middlewares:
        kwargs["middlewares"] = middlewares
    try:
        response = await session.request(method, url, **kwargs)
    except TimeoutError as err:
        raise CannotConnect(f"no answer within {timeout:g} s") from err
    except aiohttp.ClientError as err:
        raise transport_error(err) from err
    length = response.content_length
    if max_bytes is not None and length is not None and length > max_bytes:
        response.close()
        raise InvalidResponse(
            f"response of {length} bytes is above the {max_bytes} byte cap"
        )
    return StreamedResponse(response, max_bytes=max_bytes, read_timeout=read_timeout)
