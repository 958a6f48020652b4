"""A list answer cut into its entries by text, each entry read on its own.

When an answer is not XML even after ``repair_xml``, its ``<export>`` or
``<device>`` entries are cut out by looking for their tags, so that one
unreadable entry costs only itself (``UnreadableBlock``).
"""

from __future__ import annotations

from collections.abc import Callable
import functools
import re
from typing import Final

from ..errors import InvalidResponse
from .models import UnreadableBlock
from .repair import SPACE, repair_text_fields, repair_xml
from .values import EXPORT_ID

_AFTER_NAME: Final = frozenset(" \t\r\n/>")
# fields holding user text, read as text when nothing else makes an entry XML
RESULT_TEXT_FIELDS: Final = ("description",)
_EXCERPT: Final = 120


def cuttable(text: str) -> bool:
    """Whether the text can be cut into entries by looking for their tags.

    Only without comments, CDATA, DTDs, namespaces or processing
    instructions (but a leading XML declaration): there every "<" that is
    not a value echoed raw starts a tag.
    """
    if "<!" in text or "xmlns" in text:
        return False
    instructions = text.count("<?")
    return instructions == 0 or (
        instructions == 1 and text.lstrip().startswith("<?xml")
    )


def _next_start(low: str, opening: str, position: int) -> int:
    """Where the next ``opening`` tag (``<export``, not ``<exportid``) starts."""
    find = low.find
    size = len(opening)
    while (start := find(opening, position)) >= 0:
        if low[start + size : start + size + 1] in _AFTER_NAME:
            return start
        position = start + size
    return -1


@functools.cache
def _entry_tags(tag: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Start tags (not ``<tagid>``) and end tags of ``tag`` in lower-case text."""
    return re.compile(f"<{tag}(?=[ \\t\\r\\n/>])"), re.compile(f"</{tag}{SPACE}*+>")


def entry_spans(low: str, tag: str, container: str) -> list[tuple[int, int]]:
    """Cut lower-cased text into its ``<tag>`` entries, broken ones included.

    An entry runs to the last ``</tag>`` before the next entry starts (so a
    value holding ``</tag>`` stays inside). With none, it was written only in
    part: it ends where the next entry starts or the ``container`` (or
    ``<result>``) closes, and does not take the next entry down with it.
    Linear; only for ``cuttable`` text.
    """
    opening, closing = _entry_tags(tag)
    starts = [found.start() for found in opening.finditer(low)]
    ends = [found.end() for found in closing.finditer(low)]
    starts.append(len(low))
    spans: list[tuple[int, int]] = []
    position, count = 0, len(ends)
    for index in range(len(starts) - 1):
        start, limit = starts[index], starts[index + 1]
        while position < count and ends[position] <= start:
            position += 1
        last = -1
        while position < count and ends[position] <= limit:
            last = ends[position]
            position += 1
        spans.append((start, last if last > 0 else _stop(low, container, start, limit)))
    return spans


def _stop(low: str, container: str, start: int, limit: int) -> int:
    """Where an entry without end tag stops: at ``limit`` or a closing container."""
    for mark in (f"</{container}", "</result"):
        found = low.find(mark, start, limit)
        if found >= 0:
            limit = found
    return limit


def cut_out(
    text: str, spans: list[tuple[int, int]], placeholder: str
) -> tuple[str, list[str]]:
    """The text with each span replaced by ``placeholder``, and the spans' texts."""
    pieces: list[str] = []
    blocks: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(placeholder)
        blocks.append(text[start:end])
        position = end
    pieces.append(text[position:])
    return "".join(pieces), blocks


def read_block[T](
    block: str, tag: str, fields: tuple[str, ...], parse: Callable[[str], T]
) -> T | UnreadableBlock:
    """Parse one entry as sent, else repaired, else with its text fields as text.

    Text fields are tried only in a block holding one entry: in a cut that
    holds the start of the next entry too, a field left open would swallow it.
    """
    try:
        return parse(block)
    except InvalidResponse as err:
        error = err
    repaired = repair_xml(block)
    if repaired != block:
        try:
            return parse(repaired)
        except InvalidResponse as err:
            error = err  # what is left wrong once the raw values are repaired
    if _next_start(block.lower(), f"<{tag}", 1) < 0 and (
        fixed := repair_xml(repair_text_fields(block, fields))
    ) not in (block, repaired):
        try:
            return parse(fixed)
        except InvalidResponse:
            pass
    ident = _block_ident(block, tag)
    return UnreadableBlock(tag, ident, str(error), _excerpt(block))


def _block_ident(block: str, tag: str) -> str | None:
    """The ``<tag>id`` of a broken entry if it can still be read."""
    match = re.search(f"<{tag}id{SPACE}*+>([^<]{{0,100}})", block, re.IGNORECASE)
    if match is None:
        return None
    ident = match.group(1).strip()
    return ident if EXPORT_ID.fullmatch(ident) else None


def _excerpt(block: str) -> str:
    text = " ".join(block[: _EXCERPT * 4].split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"
