"""Shared machinery of the fake backends: fault knobs, request counters, runner.

Every simulator is an aiohttp application served on 127.0.0.1. Tests run it in
their own event loop on a free port; ``python -m simulator`` runs it for a real
Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import json
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Faults:
    """Knobs that make a simulator misbehave.

    ``paths`` limits the faults to request paths that contain one of its
    strings (empty = every path); ``remaining`` limits how many requests are
    affected (None = until reset).
    """

    latency: float = 0.0
    status: int | None = None
    status_body: Any = None
    # bytes written on the connection after the ``status`` answer, as a
    # server that sends a body after a 204 does
    after_body: bytes | None = None
    # an interim answer (100 Continue, 103 Early Hints) sent before the
    # real one
    interim: int | None = None
    malformed: bool = False
    truncated: bool = False
    drop: bool = False
    huge: int | None = None
    paths: tuple[str, ...] = ()
    remaining: int | None = None

    def reset(self) -> None:
        """Behave again."""
        self.__init__()  # type: ignore[misc]

    def applies(self, path: str) -> bool:
        """Tell whether the faults apply to a request for ``path``."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        return not self.paths or any(p in path for p in self.paths)


@dataclass
class SimulatorBase:
    """State shared by every simulator: faults and request counters."""

    faults: Faults = field(default_factory=Faults)
    requests: Counter[str] = field(default_factory=Counter)
    auth: tuple[str, str] | None = None

    def count(self, key: str) -> int:
        """How many requests were counted under ``key``."""
        return self.requests[key]

    @web.middleware
    async def fault_middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Count the request, then apply the configured faults."""
        self.requests[request.path] += 1
        faults = self.faults
        if not faults.applies(request.path):
            return await handler(request)
        if faults.remaining is not None:
            faults.remaining -= 1
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.interim is not None:
            assert request.transport is not None
            request.transport.write(
                f"HTTP/1.1 {faults.interim} Interim\r\n\r\n".encode()
            )
        if faults.drop:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if faults.truncated:
            resp = web.StreamResponse(status=200)
            resp.content_length = 1000
            resp.content_type = "application/json"
            await resp.prepare(request)
            await resp.write(b'{"data": "iVBO')
            assert request.transport is not None
            request.transport.close()
            return resp
        if faults.huge is not None:
            return await self._huge_body(request, faults.huge)
        if faults.malformed:
            return web.Response(
                text='{"this is": not json', content_type="application/json"
            )
        if faults.status is not None:
            return await self._status_answer(request, faults)
        return await handler(request)

    @staticmethod
    async def _status_answer(
        request: web.Request, faults: Faults
    ) -> web.StreamResponse:
        """The ``status`` answer, with ``after_body`` written behind it."""
        body = faults.status_body
        if isinstance(body, (dict, list)):
            resp = web.json_response(body, status=faults.status)
        else:
            resp = web.Response(status=faults.status, text=body or "")
        if faults.after_body is None:
            return resp
        await resp.prepare(request)
        await resp.write_eof()
        assert request.transport is not None
        request.transport.write(faults.after_body)
        return resp

    async def _huge_body(self, request: web.Request, size: int) -> web.StreamResponse:
        """Stream a JSON body of ``size`` bytes without announcing its length."""
        resp = web.StreamResponse()
        resp.content_type = "application/json"
        await resp.prepare(request)
        chunk = b"0," * 32768
        try:
            await resp.write(b"[")
            for _ in range(size // len(chunk) + 1):
                await resp.write(chunk)
            await resp.write(b"0]")
        except ConnectionError:
            pass  # the client gave up reading, as it should
        return resp

    def make_app(self) -> web.Application:
        """Build the aiohttp application; subclasses add their routes."""
        app = web.Application(middlewares=[self.fault_middleware])
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        """Add the simulator's routes (subclass hook)."""
        raise NotImplementedError


class RunningServer:
    """A simulator served on 127.0.0.1 until ``stop``."""

    def __init__(self, sim: SimulatorBase, runner: web.AppRunner, port: int) -> None:
        """Keep what is needed to stop the server."""
        self.sim = sim
        self.port = port
        self.host = "127.0.0.1"
        self._runner = runner

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Close every connection, stop listening and let handlers finish."""
        await self._runner.cleanup()
        # handlers still sleeping (latency knobs) are cancelled by the
        # cleanup; give them a few loop turns to unwind
        for _ in range(3):
            await asyncio.sleep(0)


async def serve(
    sim: SimulatorBase,
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    app: web.Application | None = None,
) -> RunningServer:
    """Serve ``sim`` on ``host``:``port`` (0 = a free port).

    ``app``: another application of the same simulator (a second port of
    the backend, e.g. WCS's HLS server) instead of ``sim.make_app()``.
    """
    # handler_cancellation: a client that gave up must not leave a handler
    # sleeping in a latency knob after the server stopped
    runner = web.AppRunner(
        app if app is not None else sim.make_app(),
        access_log=None,
        shutdown_timeout=0.1,
        handler_cancellation=True,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # noqa: SLF001 - aiohttp exposes no public accessor
    assert server is not None
    sockets = getattr(server, "sockets", None) or ()
    bound = sockets[0].getsockname()[1] if sockets else port
    return RunningServer(sim, runner, bound)


def json_error(http_status: int, /, **body: Any) -> web.Response:
    """A JSON error answer."""
    return web.Response(
        status=http_status, text=json.dumps(body), content_type="application/json"
    )
