"""Fuzz tests of every VDG Sense answer parser: only the error family may escape.

One test per entry point: the export list (a fresh parser and one reused
over polls), the device list, ``/info``, the reply to ``exportVideo``, the
result check of error answers, the repair of raw values and the request body.
The answers are shaped like the real ones, with junk in every place: numbers
of hundreds of digits, timestamps out of range, values echoed raw (bare "&",
"<", "]]>"), control characters, every codec Python knows declared as the
encoding (with a punycode trap behind), UTF-16/32 documents, lists longer
than a parsing piece. A parser may refuse an answer with a
``CameraBridgeError`` subclass; anything else escaping, or a call taking
``TIME_BOUND`` seconds of CPU (a generous bound that catches runaway work, not a
benchmark), fails. The example count comes from the hypothesis profile
(tests/conftest.py): 200 in CI, ``HYPOTHESIS_PROFILE=long`` for long runs.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
import gc
import time
from typing import Any
import xml.etree.ElementTree as ET

from hypothesis import example, given, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import (
    CameraBridgeError,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    ExportStatus,
    ExportStatusParser,
    ServerInfo,
    build_export_request,
    format_timestamp,
    parse_device_report,
    parse_export_reply,
    parse_export_status,
    parse_info,
    repair_text_fields,
    repair_xml,
)
from custom_components.camera_bridge.api.vdg_sense.answers import read_result
from tests.totality import CODEC_NAMES, PUNYCODE_TRAP, TIME_BOUND, WIDE

pytestmark = pytest.mark.without_hass


def _status_of(body: bytes | str) -> ExportStatus:
    """A fresh parse, and what callers read of its exports."""
    status = parse_export_status(body)
    for export in status.exports:
        assert 0.0 <= export.progress <= 100.0
        hash(export.identity)
    status.by_id()
    assert status.active_count >= 0
    return status


def _info_of(body: bytes | str) -> ServerInfo:
    """``/info``, and what callers read of it."""
    info = parse_info(body)
    info.version_tuple  # noqa: B018
    info.supports_export_video  # noqa: B018
    return info


PARSERS: dict[str, Callable[[bytes], object]] = {
    "status": _status_of,
    "devices": parse_device_report,
    "info": _info_of,
    "reply": parse_export_reply,
    "error answer": read_result,
}


@contextmanager
def time_bound() -> Iterator[None]:
    """Fail when the block takes more than ``TIME_BOUND`` seconds of CPU.

    CPU, not wall time: a busy machine must not fail it. The garbage
    collector is off meanwhile: after thousands of examples hypothesis's own
    records make one of its passes last seconds, which is not the parser's
    work (runaway work of the parser still shows).
    """
    collecting = gc.isenabled()
    gc.disable()
    start = time.process_time()
    try:
        yield
    finally:
        spent = time.process_time() - start
        if collecting:
            gc.enable()
        assert spent < TIME_BOUND


def total(parse: Callable[[Any], object], body: Any) -> object:
    """``parse(body)``, or the error's class when it raised CameraBridgeError.

    Any other exception fails the test; so does a call over ``time_bound``.
    """
    with time_bound():
        try:
            return parse(body)
        except CameraBridgeError as err:
            return type(err)


# -- answers shaped like the real ones, junk in every value --------------------

huge_ints = st.integers(min_value=10**299, max_value=10**400) | st.integers(
    min_value=-(10**400), max_value=-(10**299)
)
values = st.one_of(
    st.sampled_from(
        [
            "0",
            "-57",
            "100",
            "101",
            "-1",
            "50.5",
            "nan",
            "-inf",
            "1e400",
            "1_0",
            "PENDING",
            "removed",
            "Syncing",
            "2024-01-19 10:00:00",
            "2024-01-19 10:00:00.123",
            "0001-01-01 00:00:00+01:00",
            "9999-12-31 23:59:59-01:00",
            "1705658400",
            "",
            " ",
            "{S}",
            "a & b",
            "x <y",
            "<b>",
            "</path>",
            "q]]>",
            "&#0;",
            "&#x110000;",
            "&lol;",
        ]
    ),
    huge_ints.map(str),
    st.integers(min_value=300, max_value=6000).map(lambda n: "9" * n),
    st.text(max_size=12),
)


@st.composite
def fields(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    """Some of ``names`` in any order and case, with junk values, some twice."""
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names) + 2))
    parts = []
    for name in chosen:
        tag = name.upper() if draw(st.booleans()) else name
        parts.append(f"<{tag}>{draw(values)}</{tag}>")
    return "".join(parts)


DEVICE_FIELDS = ("serverid", "deviceid", "starttime", "endtime", "progress", "status")
EXPORT_FIELDS = ("exportid", "path", "status", "bandwidth")
CAMERA_FIELDS = (
    "name",
    "serverid",
    "deviceid",
    "status",
    "type",
    "brand",
    "location",
    "ptztype",
    "ipaddress",
    "port",
)


@st.composite
def exports(draw: st.DrawFn) -> str:
    devices = "".join(
        f"<device>{draw(fields(DEVICE_FIELDS))}</device>"
        for _ in range(draw(st.integers(0, 3)))
    )
    return f"<export>{draw(fields(EXPORT_FIELDS))}<devices>{devices}</devices></export>"


@st.composite
def results(draw: st.DrawFn, inner: str) -> str:
    """``inner`` in a ``<result>`` with a junk result code and description."""
    code = draw(st.sampled_from(["0", "0", "0", "-57", "-2"]) | values)
    return (
        f'<result errorcode="{code}"><description>{draw(values)}</description>'
        f"{inner}</result>"
    )


@st.composite
def export_lists(draw: st.DrawFn) -> str:
    listed = "".join(draw(st.lists(exports(), max_size=5)))
    if listed and draw(st.booleans()):
        # longer than a parsing piece (32 K characters)
        listed *= 40_000 // len(listed) + 1
    count = draw(values)
    container = draw(
        st.sampled_from(
            [
                f'<exports count="{count}">{listed}</exports>',
                listed,
                f"<EXPORTS>{listed}</EXPORTS>",
                f'<exports count="{count}"/>',
            ]
        )
    )
    return draw(results(container))


@st.composite
def device_lists(draw: st.DrawFn) -> str:
    cameras = "".join(
        f"<device>{draw(fields(CAMERA_FIELDS))}</device>"
        for _ in range(draw(st.integers(0, 4)))
    )
    return draw(results(f'<devices count="{draw(values)}">{cameras}</devices>'))


@st.composite
def infos(draw: st.DrawFn) -> str:
    info = f"<apiinfo>{draw(fields(('utc', 'version', 'serial', 'site')))}</apiinfo>"
    return draw(results(info)) if draw(st.booleans()) else info


@st.composite
def replies(draw: st.DrawFn) -> str:
    inner = draw(
        st.sampled_from(
            [
                "<exportid>{}</exportid>",
                "<export><exportid>{}</exportid></export>",
                "<x exportid='{}'/>",
            ]
        )
    ).format(draw(values))
    return draw(results(inner))


answers = st.one_of(export_lists(), device_lists(), infos(), replies())


@st.composite
def mangled(draw: st.DrawFn, documents: st.SearchStrategy[str]) -> str:
    """An answer cut short or with something inserted, now and then."""
    text = draw(documents)
    for _ in range(draw(st.integers(0, 2))):
        cut = draw(st.integers(0, len(text)))
        text = (
            text[:cut]
            + draw(st.sampled_from(["", "<", "&", "<x>", "</export>", "\x00"]))
            + text[cut + 1 :]
        )
    return text


# -- one test per entry point ----------------------------------------------------


@given(mangled(export_lists()))
@example(
    '<result errorcode="0"><exports><export><exportid>1</exportid><devices><device><serverid>s</serverid><deviceid>d</deviceid><progress>'
    + "9" * 400
    + "</progress></device></devices></export></exports></result>"
)
@example(
    '<?xml version="1.0" encoding="utf-7"?><result errorcode="0"><export>+2AA-</export></result>'
)
def test_export_list_is_total(text: str) -> None:
    total(_status_of, text.encode("utf-8", "surrogatepass"))
    total(_status_of, text)


@given(st.lists(mangled(export_lists()), min_size=2, max_size=4))
def test_export_list_over_polls_is_total(polls: list[str]) -> None:
    """One parser over several polls: as total as a fresh one, and as right."""
    parser = ExportStatusParser()
    for text in polls:
        body = text.encode("utf-8", "surrogatepass")
        assert total(parser.parse, body) == total(parse_export_status, body)


@given(mangled(device_lists()))
def test_device_list_is_total(text: str) -> None:
    total(parse_device_report, text.encode("utf-8", "surrogatepass"))


@given(mangled(infos()))
@example(f"<apiinfo><version>2.{'9' * 5000}</version><utc>-{'9' * 400}</utc></apiinfo>")
def test_info_is_total(text: str) -> None:
    total(_info_of, text.encode("utf-8", "surrogatepass"))


@given(mangled(replies()))
def test_export_reply_is_total(text: str) -> None:
    total(parse_export_reply, text.encode("utf-8", "surrogatepass"))


@given(mangled(answers) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_error_answers_are_total(text: str) -> None:
    """What a non-2xx answer is read for: its result code."""
    total(read_result, text.encode("utf-8", "surrogatepass"))


@given(mangled(answers), st.sampled_from(["path", "name", "description"]))
def test_repair_is_total(text: str, name: str) -> None:
    """The repair never raises, and a repaired answer is repaired already."""
    with time_bound():
        repaired = repair_xml(text)
        assert repair_xml(repaired) == repaired
        repair_text_fields(text, (name,))


# -- encodings -------------------------------------------------------------------


@given(st.sampled_from(CODEC_NAMES), answers, st.booleans())
def test_any_declared_codec_is_total(codec: str, text: str, trap: bool) -> None:
    document = f'<?xml version="1.0" encoding="{codec}"?>{text}'
    document += PUNYCODE_TRAP if trap else ""
    try:
        body = document.encode(codec)
    except Exception:  # noqa: BLE001 - not every codec encodes text
        body = document.encode("utf-8", "surrogatepass")
    for parse in PARSERS.values():
        total(parse, body)


def test_every_declared_codec_is_accepted_or_refused_at_once() -> None:
    """All of Python's codec names, each with a punycode trap behind it."""
    for codec in CODEC_NAMES:
        body = (
            f'<?xml version="1.0" encoding="{codec}"?>'
            '<result errorcode="0"><exports count="0"/></result>' + PUNYCODE_TRAP
        ).encode()
        for parse in PARSERS.values():
            total(parse, body)


@given(answers, st.sampled_from(WIDE), st.booleans(), st.booleans())
@example('<result errorcode="0"><exports/></result>', "utf-32-be", False, False)
def test_wide_documents_read_as_utf8(
    text: str, encoding: str, bom: bool, declared: bool
) -> None:
    """UTF-16/32, with or without byte order mark or declaration: as in UTF-8."""
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>' if declared else ""
    ) + text
    if bom and not encoding.endswith(("16", "32")):
        document = "\ufeff" + document
    wide = document.encode(encoding, "surrogatepass")
    narrow = document.lstrip("\ufeff").encode("utf-8", "surrogatepass")
    if declared:
        narrow = narrow.replace(encoding.encode(), b"utf-8", 1)
    for parse in PARSERS.values():
        assert _same(total(parse, wide)) == _same(total(parse, narrow))


# -- document types, in any encoding behind any byte order marks (issue 17) -----

BOMS = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF32_LE,
]
DOCTYPES = [
    '<!DOCTYPE result [<!ENTITY x "ZZ">]>',
    '<!DOCTYPE result [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    "<!DOCTYPE result [<!ENTITY % p \"<!ENTITY x 'ZZ'>\"> %p;]>",
    '<!DOCTYPE result [<!ENTITY a "ZZZZZZZZ"><!ENTITY x "&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE result SYSTEM "http://127.0.0.1:9/x.dtd">',
    "<!DOCTYPE apiinfo>",
]


@given(
    answers,
    st.sampled_from(DOCTYPES),
    st.sampled_from(
        ["", '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-16'?>"]
    ),
    st.sampled_from(["utf-8", *WIDE]),
    st.lists(st.sampled_from(BOMS), max_size=2),
    st.booleans(),
)
@example(
    '<result errorcode="0"><exportid>&x;</exportid></result>',
    DOCTYPES[0],
    "",
    "utf-16-be",
    [codecs.BOM_UTF8],
    True,
)
def test_document_types_are_refused_in_any_dress(
    text: str,
    doctype: str,
    declaration: str,
    encoding: str,
    boms: list[bytes],
    use_entity: bool,
) -> None:
    """Every parser refuses a document type, whatever encoding and BOMs: never data."""
    if use_entity:
        text = text.replace("</description>", "&x;</description>", 1)
    body = b"".join(boms) + (declaration + doctype + text).encode(
        encoding, "surrogatepass"
    )
    for parse in PARSERS.values():
        result = total(parse, body)
        assert isinstance(result, type)
        assert issubclass(result, InvalidResponse)


def _same(result: object) -> object:
    """What to compare of a parse: elements by their XML, the rest as it is."""
    return ET.tostring(result) if isinstance(result, ET.Element) else result


# -- the request body --------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(1, 1, 1),  # noqa: DTZ001
    max_value=datetime(9999, 12, 31, 23, 59, 59),  # noqa: DTZ001
).flatmap(
    lambda value: st.sampled_from(
        [
            value,
            value.replace(tzinfo=UTC),
            value.replace(tzinfo=timezone(timedelta(hours=14))),
            value.replace(tzinfo=timezone(-timedelta(hours=12))),
        ]
    )
)


@given(
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=3),
    instants,
    instants,
    st.text(max_size=20),
    st.none() | st.integers() | huge_ints | st.booleans(),
)
def test_export_request_is_total(
    devices: list[tuple[str, str]],
    start: datetime,
    end: datetime,
    path: str,
    bandwidth: int | None,
) -> None:
    """Refused with VdgValidationError, or a body that is XML."""
    body = total(
        lambda _: build_export_request(
            [DeviceRef(*device) for device in devices], start, end, path, bandwidth
        ),
        None,
    )
    if isinstance(body, bytes):
        ET.fromstring(body)
    total(format_timestamp, start)
