"""``VdgSenseClient``: the requests to one management server."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Final

import aiohttp
from yarl import URL

from .._http import Response, SingleFlight, fetch, off_loop
from ..errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from .answers import parse_device_report, parse_export_reply, parse_info, read_result
from .errors import VdgValidationError
from .export_list import ExportStatusParser, parse_export_status
from .export_request import build_export_request, clean_value
from .login import HttpBasicLogin
from .models import DeviceKey, DeviceList, ExportStatus, SenseDevice, ServerInfo
from .values import shown

DEFAULT_PORT: Final = 80
DEFAULT_TIMEOUT: Final = 10.0
# Caps on answers, from what the documented answers can reach. Large
# installations hold hundreds of exports, and a server lists every one until
# its plugin manager restarts; an export of 1-3 cameras takes ~690 bytes, ~420
# with one camera: 8 MiB is ~12,000 such exports (~20,000 of one camera),
# parsed in a worker thread (measured: 6,000 exports, 3.9 MiB, 77 ms cold,
# 64 ms warm; a whole poll of 10,000 exports, 7 MB, 182 ms of CPU, 9.9 ms of
# it on the event loop, ~40 MiB: benchmarks/vdg_sensors.py).
STATUS_MAX_BYTES: Final = 8 * 1024 * 1024
# a camera of getDeviceList takes ~350 bytes: ~6,000 cameras
DEVICE_LIST_MAX_BYTES: Final = 2 * 1024 * 1024
# /info and exportVideo's reply hold a few hundred bytes (or an error page)
SMALL_MAX_BYTES: Final = 64 * 1024
# Answers from this size on are parsed in a worker thread: ElementTree and the
# models cost ~10-15 ns per byte, so below it parsing costs the event loop at
# most ~0.25 ms, and handing it over ~20 µs.
PARSE_OFF_LOOP_BYTES: Final = 16 * 1024


class VdgSenseClient:
    """Async client of one VDG Sense management server."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, the server address and the credentials."""
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise VdgValidationError("port must be 1..65535")
        bare = host.strip().removeprefix("[").removesuffix("]") if host else ""
        if not bare:
            raise VdgValidationError("host must not be empty")
        try:
            self.base_url = URL.build(
                scheme="https" if ssl else "http", host=bare, port=port
            )
        except ValueError:
            raise VdgValidationError(f"invalid host {shown(host)}") from None
        self._session = session
        self._login = HttpBasicLogin(username, password)
        self.timeout = timeout
        self._status_flight: SingleFlight[str | None, ExportStatus] = SingleFlight()
        # full-list polls reuse the exports of the previous poll
        self._status_parser = ExportStatusParser()

    def __repr__(self) -> str:
        """Address only, never credentials."""
        return f"VdgSenseClient({str(self.base_url)!r})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        authenticated: bool = True,
        max_bytes: int = SMALL_MAX_BYTES,
    ) -> Response:
        headers = self._login.headers() if authenticated else {}
        if data is not None:
            headers["Content-Type"] = "text/xml; charset=utf-8"
        return await fetch(
            self._session,
            method,
            self.base_url.with_path(path),
            timeout=self.timeout,
            max_bytes=max_bytes,
            params=params,
            data=data,
            headers=headers,
        )

    async def _command(
        self,
        name: str,
        extra: Mapping[str, str] | None = None,
        *,
        body: bytes | None = None,
        max_bytes: int = SMALL_MAX_BYTES,
    ) -> bytes:
        params = {"command": name, **(extra or {})}
        resp = await self._request(
            "POST" if body is not None else "GET",
            "/command",
            params=params,
            data=body,
            max_bytes=max_bytes,
        )
        await _check_http(resp)
        return resp.body

    async def info(self) -> ServerInfo:
        """Version and clock of the server (``/info``, no authentication).

        Servers older than API 2.6.1 answer 404: they are still usable and
        get an info with an unknown version.
        """
        resp = await self._request("GET", "/info", authenticated=False)
        if resp.status == 404:
            return ServerInfo(version=None, server_time=None, legacy=True)
        await _check_http(resp)
        return await _parse(parse_info, resp.body)

    async def device_list(self) -> tuple[SenseDevice, ...]:
        """Every device of the server (``getDeviceList``)."""
        return (await self.device_report()).devices

    async def device_report(self) -> DeviceList:
        """Every readable device, and the entries that were not readable."""
        body = await self._command("getDeviceList", max_bytes=DEVICE_LIST_MAX_BYTES)
        return await _parse(parse_device_report, body)

    async def export_status(self, export_id: str | int | None = None) -> ExportStatus:
        """The export list, or one export (``getExportVideoStatus``).

        Without an id, one request returns every export. Concurrent identical
        calls share one request.
        """
        key = None if export_id is None else clean_value(str(export_id), "export id")
        return await self._status_flight.run(key, lambda: self._export_status(key))

    async def _export_status(self, export_id: str | None) -> ExportStatus:
        extra = {"exportid": export_id} if export_id is not None else None
        body = await self._command(
            "getExportVideoStatus", extra, max_bytes=STATUS_MAX_BYTES
        )
        if export_id is None:
            return await _parse(self._status_parser.parse, body)
        return await _parse(parse_export_status, body)

    async def export_video(
        self,
        devices: Iterable[DeviceKey],
        start: datetime,
        end: datetime,
        path: str,
        bandwidth: int | None = None,
    ) -> str:
        """Start exporting ``start``..``end`` of ``devices`` to ``path``.

        ``start`` and ``end`` must be aware datetimes (sent in UTC). Returns
        the new export id. Needs an API license and VDG Sense >= 2.7.3.
        """
        body = build_export_request(devices, start, end, path, bandwidth)
        reply = await self._command("exportVideo", body=body)
        return await _parse(parse_export_reply, reply)


async def _parse[T](parse: Callable[[bytes], T], body: bytes) -> T:
    """``parse(body)``, in a worker thread for big bodies (``off_loop``)."""
    return await off_loop(parse, body, threshold=PARSE_OFF_LOOP_BYTES)


async def _check_http(resp: Response) -> None:
    """Map a status code; a non-2xx answer carrying a result code keeps it."""
    if resp.status in (401, 403):
        raise AuthenticationFailed(f"the server answered HTTP {resp.status}")
    if 200 <= resp.status < 300:
        return
    try:
        await _parse(read_result, resp.body)
    except BackendError:
        raise
    except CameraBridgeError:
        pass
    if resp.status >= 500:
        raise CannotConnect(f"the server answered HTTP {resp.status}")
    raise InvalidResponse(
        f"unexpected HTTP {resp.status} (is this a VDG Sense server?)"
    )
