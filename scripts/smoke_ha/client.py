"""Home Assistant's REST and websocket APIs, called the way its frontend does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import time
from typing import Any

import aiohttp

from .processes import Child, SmokeError

type _JSON = dict[str, Any]


class HomeAssistantApi:
    """One Home Assistant instance reached at ``base`` (``http://host:port``)."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Use ``session`` for every request."""
        self._session = session
        self.base = base
        # what a browser sends with every request once logged in
        self._headers: dict[str, str] = {}

    async def _json(self, response: aiohttp.ClientResponse, what: str) -> Any:
        text = await response.text()
        if response.status != 200:
            raise SmokeError(f"{what}: HTTP {response.status}: {text[:800]}")
        try:
            return await response.json(content_type=None)
        except ValueError as err:
            raise SmokeError(f"{what}: not JSON: {text[:800]}") from err

    async def get(self, path: str) -> Any:
        """GET ``path``; its JSON answer."""
        async with self._session.get(self.base + path, headers=self._headers) as resp:
            return await self._json(resp, f"GET {path}")

    async def post(self, path: str, body: _JSON | None = None) -> Any:
        """POST ``body`` as JSON to ``path``; its JSON answer."""
        async with self._session.post(
            self.base + path, json=body or {}, headers=self._headers
        ) as resp:
            return await self._json(resp, f"POST {path}")

    async def get_bytes(self, path: str) -> tuple[str, bytes]:
        """GET ``path``; its content type and body."""
        async with self._session.get(self.base + path, headers=self._headers) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise SmokeError(f"GET {path}: HTTP {resp.status}: {body[:300]!r}")
            return resp.content_type, body

    async def wait_until_up(self, child: Child, timeout: float) -> None:
        """Wait until the HTTP server answers (onboarding status is public)."""
        deadline = time.monotonic() + timeout
        while True:
            if not child.running:
                raise SmokeError(
                    f"Home Assistant exited with {child.process.returncode} "
                    f"while starting:\n{child.tail()}"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self._session.get(self.base + "/api/onboarding") as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                raise SmokeError(
                    f"Home Assistant did not answer within {timeout:.0f} s:\n"
                    f"{child.tail()}"
                )
            await asyncio.sleep(0.5)

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner as onboarding does, then log in with its auth code."""
        client_id = self.base + "/"
        created = await self.post(
            "/api/onboarding/users",
            {
                "client_id": client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        async with self._session.post(
            self.base + "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": client_id,
            },
        ) as resp:
            tokens = await self._json(resp, "POST /auth/token")
        self._headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    @property
    def access_token(self) -> str:
        """The token of the onboarded owner."""
        return self._headers["Authorization"].removeprefix("Bearer ")

    async def wait_running(self, timeout: float) -> None:
        """Wait until Home Assistant reports that it has fully started."""
        deadline = time.monotonic() + timeout
        while (state := (await self.get("/api/config")).get("state")) != "RUNNING":
            if time.monotonic() > deadline:
                raise SmokeError(f"Home Assistant still {state} after {timeout:.0f} s")
            await asyncio.sleep(0.5)

    @contextlib.asynccontextmanager
    async def websocket(self) -> AsyncIterator[Websocket]:
        """An authenticated websocket connection."""
        async with self._session.ws_connect(self.base + "/api/websocket") as ws:
            socket = Websocket(ws)
            hello = await socket.receive()
            if hello.get("type") != "auth_required":
                raise SmokeError(f"websocket: expected auth_required, got {hello}")
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            if (answer := await socket.receive()).get("type") != "auth_ok":
                raise SmokeError(f"websocket: authentication failed: {answer}")
            yield socket


class Websocket:
    """Commands over Home Assistant's websocket API, one at a time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an open connection."""
        self._ws = ws
        self._id = 0

    async def receive(self, timeout: float = 30) -> _JSON:
        """The next message."""
        try:
            message = await asyncio.wait_for(self._ws.receive_json(), timeout)
        except TimeoutError:
            raise SmokeError(f"websocket: no message within {timeout:.0f} s") from None
        except (TypeError, ValueError) as err:
            raise SmokeError(f"websocket: closed or not JSON ({err})") from err
        if not isinstance(message, dict):
            raise SmokeError(f"websocket: unexpected message {message!r}")
        return message

    async def command(self, kind: str, **fields: Any) -> Any:
        """Send a command of type ``kind``; its result (or fail with its error)."""
        self._id += 1
        await self._ws.send_json({"id": self._id, "type": kind, **fields})
        while True:
            message = await self.receive()
            if message.get("id") != self._id or message.get("type") != "result":
                continue
            if not message.get("success"):
                raise SmokeError(f"websocket {kind}: {message.get('error')}")
            return message.get("result")
