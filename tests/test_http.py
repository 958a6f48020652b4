"""The shared request helper: reading bodies, decoding off the loop, JSON lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import threading
from typing import Any

import aiohttp
import pytest

from custom_components.camera_bridge.api import InvalidResponse, _offload
from custom_components.camera_bridge.api._http import (
    JOIN_OFF_LOOP_BYTES,
    JSON_PIECE,
    fetch,
    iter_json_array,
    off_loop,
    yield_gil,
)
from simulator.common import Faults
from simulator.wcs import WcsSimulator
from tests.conftest import StartServer


async def test_fetch_returns_a_big_body_as_sent(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    """A body of many chunks, joined in a worker thread, arrives unchanged."""
    sim = WcsSimulator(detailed_snapshot=(1280, 720))
    sim.publish("garden")
    server = await start_server(sim)
    expected = sim.detailed_answer((1280, 720))
    assert len(expected) > JOIN_OFF_LOOP_BYTES
    resp = await fetch(
        session,
        "POST",
        f"{server.url}/rest-api/stream/snapshot",
        json_body={"streamName": "garden"},
    )
    assert resp.status == 200
    assert resp.body == expected


async def test_fetch_returns_small_and_empty_bodies(
    session: aiohttp.ClientSession, start_server: StartServer
) -> None:
    sim = WcsSimulator()
    sim.publish("garden")
    server = await start_server(sim)
    resp = await fetch(session, "POST", f"{server.url}/rest-api/stream/find_all")
    assert [s["name"] for s in json.loads(resp.body)] == ["garden"]
    sim.faults = Faults(status=200, status_body="")
    resp = await fetch(session, "POST", f"{server.url}/rest-api/stream/find_all")
    assert (resp.status, resp.body) == (200, b"")


async def test_off_loop_decodes_big_bodies_in_a_worker_thread() -> None:
    def where(body: bytes) -> int:
        return threading.get_ident()

    here = threading.get_ident()
    assert await off_loop(where, b"x" * 10, threshold=11) == here
    assert await off_loop(where, b"x" * 11, threshold=11) != here


async def test_off_loop_passes_exceptions_on() -> None:
    def refuse(body: bytes) -> None:
        raise InvalidResponse(body.decode())

    with pytest.raises(InvalidResponse, match="nope"):
        await off_loop(refuse, b"nope", threshold=1)


async def test_yield_gil_sleeps_only_off_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sleeps: list[tuple[int, float]] = []
    monkeypatch.setattr(
        _offload.time, "sleep", lambda s: sleeps.append((threading.get_ident(), s))
    )
    yield_gil()
    assert sleeps == []
    worker = await asyncio.get_running_loop().run_in_executor(
        None, lambda: (yield_gil(), threading.get_ident())[1]
    )
    assert sleeps == [(worker, 0)]


# JSON space before the document: the long path, item by item
LONG = b" " * (JSON_PIECE + 1)


@pytest.mark.parametrize("padding", [b"", LONG])
@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b" [ ]\n",
        b"[1]",
        b'[1, "two" ,{"three": [3]} , null,true,false, -1.5e3]',
        b"\n[\t{}\r]\n",
        b"[NaN, Infinity, -Infinity]",
        b'\xef\xbb\xbf["bom"]',
    ],
)
def test_iter_json_array_reads_what_json_reads(padding: bytes, body: bytes) -> None:
    bom = b"\xef\xbb\xbf" if body.startswith(b"\xef") else b""
    body = bom + padding + body.removeprefix(bom)
    assert json.dumps(list(iter_json_array(body))) == json.dumps(json.loads(body))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-be"])
def test_iter_json_array_reads_wide_encodings(encoding: str) -> None:
    for padding in ("", LONG.decode()):
        body = (padding + '["é", "\\u00e9"]').encode(encoding)
        assert list(iter_json_array(body)) == ["é", "é"]


@pytest.mark.parametrize("padding", [b"", LONG])
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[",
        b"[1",
        b"[1 2]",
        b"[1,]",
        b"[,1]",
        b"[1]]",
        b"[1] x",
        b'{"a": 1}',
        b"17",
        b'{"a": ',
        b'["\xff"]',
        b"[" * 100_000 + b"]" * 100_000,
        b"[" + b"9" * 5000 + b"]",
    ],
)
def test_iter_json_array_refuses_what_json_refuses(padding: bytes, body: bytes) -> None:
    with pytest.raises(InvalidResponse, match=r"malformed JSON|not a list"):
        list(iter_json_array(padding + body))


def test_iter_json_array_hands_the_gil_over_in_long_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[Any] = []
    monkeypatch.setattr(_offload.time, "sleep", handed.append)
    items = [{"name": f"stream-{i}", "n": i} for i in range(5000)]
    body = json.dumps(items).encode()
    assert list(iter_json_array(body)) == items
    # a piece of ~JSON_PIECE characters at a time
    assert len(body) // JSON_PIECE - 2 <= len(handed) <= len(body) // JSON_PIECE


@pytest.mark.parametrize(
    "items",
    [
        # what looks like the end of one object and the start of the next,
        # inside strings and nested lists: read one by one there
        [{"name": '}, {"x": 1', "n": [{"a": 1}, {"b": [2]}]} for _ in range(2000)],
        [[i, [i], "], ["] for i in range(5000)],
        list(range(20_000)),
        ["a", 1, None, {"b": [1, 2]}, [3]] * 3000,
    ],
)
def test_iter_json_array_long_lists_of_any_layout(items: list[Any]) -> None:
    for separators in ((",", ":"), (" ,\n ", " : ")):
        body = json.dumps(items, separators=separators).encode()
        assert len(body) > 2 * JSON_PIECE
        assert list(iter_json_array(body)) == items


@pytest.mark.parametrize(
    "broken",
    [
        lambda text: text[:-1],
        lambda text: text + "]",
        lambda text: text.replace('"n": 1999', '"n": 1999,', 1),
        lambda text: text.replace("}, {", "}, , {", 1),
        lambda text: text.replace('"n": 2500}', '"n": 2500', 1),
    ],
)
def test_iter_json_array_long_broken_lists(broken: Callable[[str], str]) -> None:
    text = json.dumps([{"name": f"stream-{i}", "n": i} for i in range(5000)])
    with pytest.raises(InvalidResponse, match="malformed JSON"):
        list(iter_json_array(broken(text).encode()))
