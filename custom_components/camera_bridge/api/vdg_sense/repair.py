"""Repair of values a server echoed raw into its XML.

VDG Sense builds its answers by concatenating strings: a value the user
chose (an export path, a camera name) comes back as typed, so
``D:/exports/ha & co`` arrives as a bare "&" and the whole answer is not
XML. ``repair_xml`` escapes what cannot be markup. It changes nothing in a
well-formed document (it is only used on one that failed to parse), it only
ever turns "&", "<" and ">" into references (so it cannot create a document
type or an entity), and every pattern is linear: lookaheads stop at the
next "<" and use possessive quantifiers.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from .._http import yield_gil

SPACE: Final = "[ \\t\\r\\n]"
_NAME_START: Final = "[A-Za-z_:\\u0080-\\U0010ffff]"
_NAME_REST: Final = "[^ \\t\\r\\n<>/=\"'&]*+"
# what may follow a "<" that starts markup: a start tag (attributes in
# quotes), an end tag, a processing instruction, a comment or a CDATA section
_MARKUP: Final = (
    f"{_NAME_START}{_NAME_REST}"
    f"(?:{SPACE}++[^ \\t\\r\\n<>/=\"']++{SPACE}*+={SPACE}*+(?:\"[^\"<]*+\"|'[^'<]*+'))*+"
    f"{SPACE}*+/?>"
    f"|/{_NAME_START}{_NAME_REST}{SPACE}*+>"
    f"|\\?{_NAME_START}(?:[^<?]++|\\?(?!>))*+\\?>"
    "|!--"
    "|!\\[CDATA\\["
)
_BARE_LT: Final = re.compile(f"<(?!{_MARKUP})")
_BARE_AMP: Final = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]++|#x[0-9a-fA-F]++);)")
# characters XML 1.0 does not allow at all, even as references
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CDATA_END: Final = "]]>"
# sections whose text is taken as it is, and how each one ends
_VERBATIM: Final = re.compile(r"<!\[CDATA\[|<!--")
_VERBATIM_END: Final = {"<![CDATA[": _CDATA_END, "<!--": "-->"}
# characters repaired between two hand-overs of the GIL: the patterns cost
# ~6 ns per character here, a piece ~0.2 ms
_PIECE: Final = 32 * 1024


def repair_xml(text: str) -> str:
    """Escape what a server echoing values raw leaves bare in its XML.

    - an "&" that does not start ``&amp;`` ``&lt;`` ``&gt;`` ``&quot;``
      ``&apos;`` or a character reference becomes ``&amp;``;
    - a "<" that cannot start a tag, an end tag, ``<?``, ``<!--`` or a CDATA
      section becomes ``&lt;``;
    - ``]]>`` outside a CDATA section (not allowed in text) becomes ``]]&gt;``;
    - characters XML forbids become U+FFFD.

    CDATA sections and comments are kept as they are. A value that looks like
    a complete tag (``<b>``) cannot be told from markup here: see
    ``repair_text_fields``.
    """
    if "<!" not in text:
        return _repair_plain(text)
    parts: list[str] = []
    position = 0
    while section := _VERBATIM.search(text, position):
        closing = _VERBATIM_END[section.group()]
        end = text.find(closing, section.end())
        if end < 0:  # never closed: repaired like the rest
            break
        parts.append(_repair_plain(text[position : section.start()]))
        parts.append(text[section.start() : end + len(closing)])
        position = end + len(closing)
    parts.append(_repair_plain(text[position:]))
    return "".join(parts)


def _repair_plain(text: str) -> str:
    """``repair_xml`` of text without CDATA sections, a piece at a time.

    Pieces end right before a "<": no pattern reaches over one (lookaheads
    stop at the next "<"), so each piece is repaired as in the whole text.
    The GIL is handed over between pieces (``yield_gil``): a worker thread
    repairing megabytes does not hold up the event loop.
    """
    if len(text) <= _PIECE:
        return _repair_piece(text)
    parts: list[str] = []
    start = 0
    while start < len(text):
        if start:
            yield_gil()
        cut = text.find("<", start + _PIECE)
        end = len(text) if cut < 0 else cut
        parts.append(_repair_piece(text[start:end]))
        start = end
    return "".join(parts)


def _repair_piece(text: str) -> str:
    """``repair_xml`` of text without CDATA sections, in one go."""
    if "&" in text:
        text = _BARE_AMP.sub("&amp;", text)
    if "<" in text:
        text = _BARE_LT.sub("&lt;", text)
    if _CDATA_END in text:
        text = text.replace(_CDATA_END, "]]&gt;")
    return _NOT_XML.sub("\ufffd", text)


@functools.cache
def _field_patterns(
    names: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    """The opening-tag pattern of ``names`` and each one's closing-tag pattern."""
    alternatives = "|".join(re.escape(name) for name in names)
    return (
        re.compile(f"<({alternatives}){SPACE}*+>", re.IGNORECASE),
        {
            name: re.compile(f"</{re.escape(name)}{SPACE}*+>", re.IGNORECASE)
            for name in names
        },
    )


def repair_text_fields(text: str, names: tuple[str, ...]) -> str:
    """Escape every "<" inside the text-only fields ``names`` of ``text``.

    A field runs from ``<name>`` (any case, no attributes) to the next
    ``</name>``; a field without one is left alone. Meant for one entry of a
    list (an ``<export>`` block), where a runaway field cannot swallow others:
    it reads ``<path>a <b> c</path>``, which ``repair_xml`` cannot.
    """
    openers, closers = _field_patterns(names)
    parts: list[str] = []
    position = 0
    # per field: the closing tag found last (searches only move forward)
    found: dict[str, re.Match[str] | None] = {}
    for opener in openers.finditer(text):
        begin = opener.end()
        if opener.start() < position:
            continue
        name = opener.group(1).lower()
        if name not in found or (
            (previous := found[name]) is not None and previous.start() < begin
        ):
            found[name] = closers[name].search(text, begin)
        closer = found[name]
        if closer is None:
            continue
        content = text[begin : closer.start()]
        if "<" in content:
            parts.append(text[position:begin])
            parts.append(content.replace("<", "&lt;"))
            position = closer.start()
    if not parts:
        return text
    parts.append(text[position:])
    return "".join(parts)
