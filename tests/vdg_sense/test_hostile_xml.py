"""Document types and entities are refused by every VDG Sense parser, in any encoding.

The refusal happens inside the XML parser (issue 17): a UTF-16 document
behind a UTF-8 byte order mark decodes to text with a NUL between the
characters, where no text search finds ``<!DOCTYPE``, and expat then reads
it as UTF-16 and expanded its entities (every parser returned
``export_id='ZZ'``). Each entry point is given the same hostile answers,
directly and from the simulator over HTTP.
"""

from __future__ import annotations

import codecs
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.camera_bridge.api import InvalidResponse
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    ExportStatusParser,
    VdgSenseClient,
    parse_device_list,
    parse_device_report,
    parse_export_reply,
    parse_export_status,
    parse_info,
)
from custom_components.camera_bridge.api.vdg_sense.answers import read_result
from simulator.common import serve
from simulator.vdg_sense import VdgSenseSimulator
from tests.loop_lag import loop_lag

START = datetime(2024, 1, 19, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=5)


def _reused(body: bytes) -> object:
    """A parser that read a good answer before: nothing of it may be reused."""
    parser = ExportStatusParser()
    parser.parse(b'<result errorcode="0"><exports count="0"/></result>')
    return parser.parse(body)


STATUS = (
    '<result errorcode="0"><exports count="1"><export><exportid>&x;</exportid>'
    "<path>p</path><status>COMPLETED</status><devices/></export></exports></result>"
)
DEVICES = (
    '<result errorcode="0"><devices><device><serverid>&x;</serverid>'
    "<deviceid>&x;</deviceid><name>&x;</name></device></devices></result>"
)
# every entry point, with an answer that uses the entity in what it returns
ENTRY_POINTS: dict[str, tuple[Callable[[bytes], object], str]] = {
    "status": (parse_export_status, STATUS),
    "status reused": (_reused, STATUS),
    "devices": (parse_device_report, DEVICES),
    "device list": (parse_device_list, DEVICES),
    "info": (parse_info, "<apiinfo><version>&x;</version></apiinfo>"),
    "reply": (
        parse_export_reply,
        '<result errorcode="0"><exportid>&x;</exportid></result>',
    ),
    "error answer": (
        read_result,
        '<result errorcode="0"><description>&x;</description></result>',
    ),
}

LAUGHS = "".join(
    f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, 10)
)
# what stands before the answer: each one declares or fetches "x", but for
# the external subsets, which expat never reads (the answer uses no entity)
DOCTYPES = {
    "internal entity": '<!DOCTYPE r [<!ENTITY x "ZZ">]>',
    "external entity": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    "parameter entity": "<!DOCTYPE r [<!ENTITY % p \"<!ENTITY x 'ZZ'>\"> %p;]>",
    "billion laughs": f'<!DOCTYPE r [<!ENTITY l0 "ha">{LAUGHS}<!ENTITY x "&l9;">]>',
    "external subset": '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">',
    "public id": '<!DOCTYPE r PUBLIC "-//X//DTD X//EN" "http://127.0.0.1:9/x.dtd">',
}
# how the bytes are dressed: (encoding, UTF-8 BOM in front, the encoding's own BOM)
WIDE = ["utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"]
_OWN_BOM = {
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
}
DRESSES = [
    (encoding, utf8_bom, own_bom)
    for encoding in WIDE
    for utf8_bom in (True, False)
    for own_bom in (True, False)
] + [("utf-8", True, False), ("utf-8", False, False)]


def dress(document: str, encoding: str, utf8_bom: bool, own_bom: bool) -> bytes:
    """``document`` in ``encoding``, behind the byte order marks asked for."""
    body = document.encode(encoding)
    if own_bom:
        body = _OWN_BOM[encoding] + body
    return (codecs.BOM_UTF8 if utf8_bom else b"") + body


def _dress_id(dressing: tuple[str, bool, bool]) -> str:
    encoding, utf8_bom, own_bom = dressing
    return "+".join(
        [*(["utf-8 BOM"] if utf8_bom else []), encoding, *(["BOM"] if own_bom else [])]
    )


@pytest.mark.parametrize("declaration", ["", '<?xml version="1.0"?>'])
@pytest.mark.parametrize("dressing", DRESSES, ids=_dress_id)
@pytest.mark.parametrize("doctype", sorted(DOCTYPES))
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_document_types_are_refused_in_every_dress(
    entry: str, doctype: str, dressing: tuple[str, bool, bool], declaration: str
) -> None:
    """No byte order mark or encoding gets a document type past a parser."""
    parse, answer = ENTRY_POINTS[entry]
    if doctype in ("external subset", "public id"):
        answer = answer.replace("&x;", "7")
    body = dress(declaration + DOCTYPES[doctype] + answer, *dressing)
    with pytest.raises(InvalidResponse):
        parse(body)


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_utf16_behind_a_utf8_bom_is_refused_by_the_parser(
    entry: str, encoding: str
) -> None:
    """The bypass of issue 17: expat reads the document, and refuses its DTD.

    Without the document type the very same dress is read (expat takes a
    document starting with a zero byte for UTF-16): the refusal is the
    parser's, not a decoding error.
    """
    parse, answer = ENTRY_POINTS[entry]
    with pytest.raises(InvalidResponse, match="document type or entities"):
        parse(dress(DOCTYPES["internal entity"] + answer, encoding, True, False))
    plain = answer.replace("&x;", "7")
    assert parse(dress(plain, encoding, True, False)) is not None


class HostileSimulator(VdgSenseSimulator):
    """The simulator, with a document type in front of every answer it writes.

    The answer is re-encoded as ``encoding`` behind a UTF-8 byte order mark,
    its XML declaration left out (it names UTF-8).
    """

    doctype: str = DOCTYPES["internal entity"]
    dressing: tuple[str, bool, bool] = ("utf-16-be", True, False)

    def _xml_response(self, root: Any, status: int = 200) -> web.Response:
        answer = super()._xml_response(root, status)
        assert isinstance(answer.body, bytes)
        text = answer.body.decode()
        text = text[text.index("?>") + 2 :] if text.startswith("<?xml") else text
        return web.Response(
            body=dress(self.doctype + text.lstrip(), *self.dressing),
            status=status,
            content_type="text/xml",
        )


async def _call_every_request(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Every request the client makes, each expected to be refused."""
    device = sim.devices[0]
    sim.add_export("p")
    calls: list[Callable[[], Awaitable[object]]] = [
        client.info,
        client.device_list,
        client.device_report,
        client.export_status,
        lambda: client.export_status(1),
        lambda: client.export_video(
            [DeviceRef(device.server_id, device.device_id)], START, END, "p"
        ),
    ]
    for call in calls:
        with pytest.raises(InvalidResponse, match="document type or entities"):
            await call()


@pytest.mark.parametrize(
    "dressing",
    [
        ("utf-16-be", True, False),
        ("utf-16-le", True, False),
        ("utf-16-le", False, True),
    ],
    ids=_dress_id,
)
@pytest.mark.parametrize("doctype", ["internal entity", "billion laughs"])
async def test_client_refuses_document_types_from_the_server(
    session: aiohttp.ClientSession,
    socket_enabled: None,
    dressing: tuple[str, bool, bool],
    doctype: str,
) -> None:
    """Over HTTP: every request of the client ends in InvalidResponse.

    The entities are refused before any is expanded: the event loop is never
    held up, billion laughs included.
    """
    sim = HostileSimulator(clock=lambda: 0.0)
    sim.dressing = dressing
    sim.doctype = DOCTYPES[doctype]
    server = await serve(sim)
    try:
        client = VdgSenseClient(session, server.host, server.port, timeout=2.0)
        async with loop_lag(limit=0.1):
            await _call_every_request(client, sim)
        # the same server without the document type is read
        sim.doctype = ""
        assert (await client.info()).version == sim.version
        assert len(await client.device_list()) == len(sim.devices)
    finally:
        await server.stop()
