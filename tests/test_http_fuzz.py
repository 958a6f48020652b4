"""The shared decoders are total: generated bodies raise only CameraBridgeError.

One test per entry point of the request helper's decoding (``decode_json``,
``iter_json_array``, ``decode_xml`` with ``check_xml_encoding`` and
``xml_text``). The inputs are what a broken or hostile server could send:
random bytes, JSON with integers of thousands of digits and deep nesting,
XML declaring every codec Python knows, UTF-16/32 documents with and without
byte order mark hiding a DOCTYPE or an ENTITY. Each call must end within
``TIME_BOUND`` seconds, a generous bound that catches runaway work (punycode
decoding of 200 KB took seconds), not a benchmark.

The helpers they share, and how many examples run: tests/totality.py.
"""

from __future__ import annotations

import json
import time

from hypothesis import example, given, strategies as st

from custom_components.camera_bridge.api import InvalidResponse
from custom_components.camera_bridge.api._http import (
    JSON_PIECE,
    XML_ENCODINGS,
    check_xml_encoding,
    decode_json,
    decode_xml,
    iter_json_array,
    xml_text,
)
from tests.totality import CODEC_NAMES, PUNYCODE_TRAP, TIME_BOUND, WIDE, total

# -- JSON ----------------------------------------------------------------------

huge_numbers = st.one_of(
    st.integers(min_value=-(10**600), max_value=10**600),
    st.integers(min_value=300, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(["1e999", "-1e999", "1e-999", "NaN", "Infinity", "-0"]),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.integers(min_value=-(10**400), max_value=10**400),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    """JSON documents, broken ones, huge numbers, deep nesting, other encodings."""
    kind = draw(st.sampled_from(["value", "number", "broken", "deep", "bytes"]))
    if kind == "value":
        text = json.dumps(draw(json_values), indent=draw(st.sampled_from([None, 1])))
    elif kind == "number":
        text = f"[{draw(huge_numbers)}]"
    elif kind == "broken":
        text = json.dumps(draw(json_values))
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut] + draw(st.text(max_size=5)) + text[cut:]
    elif kind == "deep":
        depth = draw(st.integers(min_value=1, max_value=200_000))
        text = "[" * depth + "]" * draw(st.integers(min_value=0, max_value=depth))
    else:
        return draw(st.binary(max_size=200))
    if draw(st.booleans()):
        # long documents are read item by item
        text = " " * (JSON_PIECE + 1) + text
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", *WIDE])))


@given(json_bodies())
@example(b"[" + b"9" * 5000 + b"]")
@example(b"[" * 100_000)
def test_decode_json_is_total(body: bytes) -> None:
    total(decode_json, body)


@given(json_bodies())
def test_iter_json_array_reads_what_json_reads(body: bytes) -> None:
    """Same items as json.loads for a list, InvalidResponse for everything else."""
    try:
        expected = json.loads(body)
    except ValueError, RecursionError:
        expected = InvalidResponse
    items = total(lambda b: list(iter_json_array(b)), body)
    if isinstance(expected, list):
        assert json.dumps(items) == json.dumps(expected)
    else:
        assert items is None


tricky_text = st.text(alphabet='{}[],: "\\aé', max_size=12)
list_items = st.one_of(
    st.fixed_dictionaries(
        {
            "name": tricky_text,
            "n": st.integers() | st.floats(),
            "nested": st.lists(st.fixed_dictionaries({"k": tricky_text}), max_size=2),
        }
    ),
    st.lists(tricky_text | st.integers(), max_size=3),
    tricky_text,
)


@st.composite
def long_lists(draw: st.DrawFn) -> bytes:
    """Lists longer than a piece, with strings that look like item boundaries."""
    items = draw(st.lists(list_items, min_size=1, max_size=10))
    size = len(json.dumps(items))
    items = items * (2 * JSON_PIECE // size + 1)
    space = draw(st.sampled_from(["", " ", "\n  "]))
    text = json.dumps(items, separators=(f",{space}", f":{space}"))
    if draw(st.booleans()):  # break it somewhere
        cut = draw(st.integers(min_value=0, max_value=len(text) - 1))
        text = (
            text[:cut]
            + draw(st.sampled_from(["", ",", "}", "]", '"']))
            + text[cut + 1 :]
        )
    return text.encode()


@given(long_lists())
def test_iter_json_array_reads_long_lists_as_json_does(body: bytes) -> None:
    try:
        expected = json.loads(body)
    except ValueError:
        expected = None
    items = total(lambda b: list(iter_json_array(b)), body)
    assert json.dumps(items) == json.dumps(expected)


# -- XML -----------------------------------------------------------------------

xml_texts = st.one_of(
    st.text(max_size=200),
    st.builds(
        "<{0} a='{1}'>{2}</{0}>".format,
        st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True),
        st.text(alphabet=st.characters(exclude_characters="'<&"), max_size=20),
        st.text(max_size=50),
    ),
)
dtds = st.sampled_from(
    [
        "<!DOCTYPE r>",
        '<!DOCTYPE r SYSTEM "http://example.invalid/r.dtd">',
        '<!doctype r [<!ENTITY e "boom">]>',
        '<!ENTITY e "x">',
        "<! DocType r>",
    ]
)


def declaration(encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>'


@given(st.sampled_from(CODEC_NAMES), xml_texts, st.booleans())
def test_decode_xml_with_any_declared_codec_is_total(
    codec: str, text: str, trap: bool
) -> None:
    document = declaration(codec) + text + (PUNYCODE_TRAP if trap else "")
    try:
        body = document.encode(codec)
    except Exception:  # noqa: BLE001 - not every codec encodes text
        body = document.encode("utf-8", "surrogatepass")
    total(decode_xml, body)
    total(check_xml_encoding, body)


def test_every_declared_codec_is_accepted_or_refused_at_once() -> None:
    """All of Python's codec names, each with a punycode trap behind it."""
    refused = 0
    for codec in CODEC_NAMES:
        body = (declaration(codec) + "<r>x</r>" + PUNYCODE_TRAP).encode()
        if total(check_xml_encoding, body) is None:
            refused += 1
        else:
            assert check_xml_encoding(body) in XML_ENCODINGS
        total(decode_xml, body)
    assert refused > 200


@given(
    xml_texts,
    dtds,
    xml_texts,
    st.sampled_from(WIDE),
    st.booleans(),
    st.booleans(),
)
@example("", "<!DOCTYPE r>", "<r/>", "utf-16-le", False, False)
@example("", '<!ENTITY e "x">', "<r>&e;</r>", "utf-32-be", False, True)
def test_dtds_are_refused_in_wide_documents(
    before: str, dtd: str, after: str, encoding: str, bom: bool, declared: bool
) -> None:
    """UTF-16/32, with or without byte order mark or declaration: refused."""
    text = (declaration(encoding) if declared else "") + before + dtd + after
    raw = text.encode(encoding, "surrogatepass")
    if bom and not encoding.endswith(("16", "32")):
        raw = ("\ufeff" + text).encode(encoding, "surrogatepass")
    start = time.perf_counter()
    try:
        decode_xml(raw)
    except InvalidResponse:
        pass
    else:
        raise AssertionError(f"accepted {raw[:80]!r}")
    assert time.perf_counter() - start < TIME_BOUND


@given(
    st.binary(max_size=300)
    | xml_texts.map(lambda t: t.encode("utf-8", "surrogatepass"))
)
@example(b"\x00\x00\x00<\x00\x00\x00r")
@example(b"<\x00!\x00D\x00O\x00C\x00")
def test_decode_xml_of_any_bytes_is_total(body: bytes) -> None:
    total(decode_xml, body)
    total(xml_text, body)


@given(xml_texts | st.text(max_size=200))
def test_decode_xml_of_any_text_is_total(text: str) -> None:
    total(decode_xml, text)
