"""``getExportVideoStatus`` answers: the export list, reusing unchanged exports."""

from __future__ import annotations

from collections.abc import Mapping, Set as AbstractSet
from dataclasses import dataclass, field
import re
from typing import Final
import xml.etree.ElementTree as ET

from ..errors import CameraBridgeError, InvalidResponse
from .document import FORBIDDEN_XML, answer_text, parse_tree, parse_tree_lenient
from .entries import (
    RESULT_TEXT_FIELDS,
    cut_out,
    cuttable,
    entry_spans,
    read_block,
    read_entry,
)
from .export_element import build_export, export_elements, export_texts
from .models import Export, ExportStatus, UnreadableBlock
from .repair import SPACE, repair_xml

_PLACEHOLDER: Final = "<export/>"
# fields holding user text, read as text when nothing else makes an entry XML
_EXPORT_TEXT_FIELDS: Final = ("path",)


@dataclass(slots=True)
class _Reuse:
    """What the previous answer made of each export text, and this one.

    ``rough`` holds the texts that did not parse as sent or with
    ``repair_xml`` alone (unreadable, or read with their text fields as
    text).
    """

    previous: Mapping[str, Export]
    previous_bad: Mapping[str, UnreadableBlock]
    previous_rough: AbstractSet[str]
    cache: dict[str, Export] = field(default_factory=dict)
    bad: dict[str, UnreadableBlock] = field(default_factory=dict)
    rough: set[str] = field(default_factory=set)

    def known(self, text: str) -> Export | UnreadableBlock | None:
        """What the previous answer made of this export text, if anything."""
        return self.previous.get(text) or self.previous_bad.get(text)

    def keep(self, text: str, entry: Export | UnreadableBlock, *, plain: bool) -> None:
        """Remember what this answer made of an export text."""
        if isinstance(entry, Export):
            self.cache[text] = entry
        else:
            self.bad[text] = entry
        if not plain:
            self.rough.add(text)

    def entries(
        self, texts: list[str]
    ) -> tuple[list[Export], list[UnreadableBlock], list[str]]:
        """The exports, the unreadable entries and the rough texts, in order.

        Every text must be known, from this answer or the previous one.
        """
        exports: list[Export] = []
        unreadable: list[UnreadableBlock] = []
        rough: list[str] = []
        for text in texts:
            entry = self.cache.get(text) or self.bad.get(text) or self.known(text)
            if entry is None:  # pragma: no cover - every text was read
                raise InvalidResponse("export list changed while read")
            plain = text not in self.rough and text not in self.previous_rough
            self.keep(text, entry, plain=plain)
            if not plain:
                rough.append(text)
            if isinstance(entry, Export):
                exports.append(entry)
            else:
                unreadable.append(entry)
        return exports, unreadable, rough

    def read(self, texts: list[str], *, strict: bool) -> bool:
        """Read and build the texts not known yet; False if ``strict`` fails.

        Semantic errors (a readable export with wrong values) propagate.
        """
        previous, previous_bad = self.previous, self.previous_bad
        new = [text for text in dict.fromkeys(texts) if text not in previous]
        if previous_bad:
            new = [text for text in new if text not in previous_bad]
        if not new:
            return True
        read = _read_chunks(new, strict=strict)
        if read is None:
            return False
        for text, (element, plain) in zip(new, read, strict=True):
            if isinstance(element, UnreadableBlock):
                self.keep(text, element, plain=plain)
                continue
            try:
                export = build_export(export_texts(element), 0)
            except CameraBridgeError:
                # fails again, naming its place in the list
                export = build_export(export_texts(element), texts.index(text))
            self.keep(text, export, plain=plain)
        return True


class ExportStatusParser:
    """Parse ``getExportVideoStatus`` answers, reusing unchanged exports.

    A poll returns the whole export list, and between two polls most exports
    do not change. The parser keeps the exports of the previous answer keyed
    by their XML text: an unchanged export is neither parsed nor validated
    again, and comes back as the very same object, so callers can diff with
    ``is``. An answer identical to the previous one returns the previous
    result. Only the previous answer is kept.

    Fast path: the answer is cut into its ``<export>`` elements by text, the
    rest (envelope, container, count) is parsed with one placeholder per
    export, and only new export texts are parsed. When the document has
    anything that could make cutting by text unsafe, or the cut does not add
    up, the whole document is parsed instead (``_parse_whole``): both paths
    give the same result, repairs and skipped exports included.
    """

    __slots__ = ("_bad", "_body", "_cache", "_result", "_rough")

    def __init__(self) -> None:
        """Start with nothing to reuse."""
        self._body: bytes | str | None = None
        self._result: ExportStatus | None = None
        self._cache: dict[str, Export] = {}
        self._bad: dict[str, UnreadableBlock] = {}
        self._rough: set[str] = set()

    def parse(self, body: bytes | str) -> ExportStatus:
        """Parse one answer (see ``parse_export_status``)."""
        if self._result is not None and body == self._body:
            return self._result
        text = answer_text(body)
        if FORBIDDEN_XML.search(text):
            raise InvalidResponse("XML with a document type or entities is refused")
        reuse = _Reuse(self._cache, self._bad, self._rough)
        result = _by_chunks(text, reuse)
        if result is None:
            reuse = _Reuse(self._cache, self._bad, self._rough)
            result = _parse_whole(text, reuse)
        self._body, self._result = body, result
        self._cache, self._bad, self._rough = reuse.cache, reuse.bad, reuse.rough
        return result


def _by_chunks(text: str, reuse: _Reuse) -> ExportStatus | None:
    """Parse export by export, or None when the whole must be parsed.

    Every export entry of the document is cut out (``entry_spans``) and
    replaced by an empty ``<export/>``; what is left is parsed for the
    envelope. The cut is used only when the placeholders are exactly the
    export list of that skeleton and the new texts come out as one element
    each (or unreadable). Then, if every entry parses as sent or repaired,
    each is a complete export element in its place, and parsing it alone
    gives what the whole parse gives. If exactly one does not, the whole
    document cannot parse either (every other entry is balanced, so nothing
    else can close that one, or what it closes), and the whole parse reads it
    entry by entry the very same way; the one exception, an entry cut short
    right after a self-closed start tag, goes to the whole parse. Any failure
    falls back to the whole parse, whose errors are the ones reported.
    """
    if not cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):  # positions would not match
        return None
    spans = entry_spans(low, "export", "exports")
    if not spans:
        return None
    skeleton, chunks = cut_out(text, spans, _PLACEHOLDER)
    try:
        elements, reported = export_elements(parse_tree_lenient(skeleton))
    except CameraBridgeError:
        # the whole document tells which error it really is
        return None
    if len(elements) != len(chunks):
        return None
    try:
        if not reuse.read(chunks, strict=True):
            return None
    except CameraBridgeError:
        return None
    if not reuse.rough and not reuse.previous_rough:
        previous, built = reuse.previous, reuse.cache
        exports = [previous.get(chunk) or built[chunk] for chunk in chunks]
        built.update(zip(chunks, exports, strict=True))
        return ExportStatus(tuple(exports), reported)
    exports, unreadable, rough = reuse.entries(chunks)
    if len(rough) > 1 or (rough and _cut_after_empty_start(rough[0])):
        return None
    return ExportStatus(tuple(exports), reported, tuple(unreadable))


_CLOSED_AT_END: Final = re.compile(f"</export{SPACE}*+>\\Z", re.IGNORECASE)
_EMPTY_START: Final = re.compile(
    f"<export(?:{SPACE}++[^ \\t\\r\\n<>/=\"']++{SPACE}*+={SPACE}*+"
    f"(?:\"[^\"<]*+\"|'[^'<]*+'))*+{SPACE}*+/>",
    re.IGNORECASE,
)


def _cut_after_empty_start(chunk: str) -> bool:
    """Whether an entry without end tag starts with a self-closed ``<export/>``.

    Such an entry can be whole in a document that parses: ``<export/>`` and
    some text after it.
    """
    return not _CLOSED_AT_END.search(chunk) and bool(
        _EMPTY_START.match(repair_xml(chunk))
    )


type _Read = tuple[ET.Element | UnreadableBlock, bool]


def _read_chunks(chunks: list[str], *, strict: bool) -> list[_Read] | None:
    """Parse export texts: all at once (as sent, else repaired), else by halves.

    Each comes with whether it parsed as sent or with ``repair_xml`` alone;
    a single text that does not is read with ``read_entry``. When texts
    parse together but not as one element each: None if ``strict`` (the fast
    path), else they are split further.
    """
    joined = "".join(chunks)
    batch = _batch(joined)
    if batch is None and (repaired := repair_xml(joined)) != joined:
        batch = _batch(repaired)
    if batch is not None:
        if len(batch) != len(chunks):
            if strict:
                return None
        elif not any(element.tail and not element.tail.isspace() for element in batch):
            # one element each, nothing after it: as each parses alone
            return [(element, True) for element in batch]
    if len(chunks) == 1:
        return [read_entry(chunks[0], "export", _EXPORT_TEXT_FIELDS, parse_tree)]
    half = len(chunks) // 2
    first = _read_chunks(chunks[:half], strict=strict)
    second = _read_chunks(chunks[half:], strict=strict)
    if first is None or second is None:
        return None
    return first + second


def _batch(joined: str) -> list[ET.Element] | None:
    """The elements of texts parsed in one parser run, None if not XML."""
    try:
        return list(ET.fromstring(f"<batch>{joined}</batch>"))  # noqa: S314
    except ET.ParseError, ValueError:
        return None


def _parse_whole(text: str, reuse: _Reuse | None = None) -> ExportStatus:
    """Parse a checked document in one go, repaired if need be.

    When even the repaired document is not XML, it is read export by export
    (``_recover_exports``, reusing and filling ``reuse``); if that fails too,
    the first error is raised.
    """
    try:
        root = parse_tree_lenient(text)
    except InvalidResponse:
        recovered = _recover_exports(text, reuse or _Reuse({}, {}, set()))
        if recovered is None:
            raise
        return recovered
    elements, reported = export_elements(root)
    return ExportStatus(
        tuple(
            [
                build_export(export_texts(element), index)
                for index, element in enumerate(elements)
            ]
        ),
        reported,
    )


def _recover_exports(text: str, reuse: _Reuse) -> ExportStatus | None:
    """Read a broken export list entry by entry, skipping unreadable exports.

    The envelope (result code, container, count) must still be readable with
    one placeholder per export; None when it is not.
    """
    if not cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):
        return None
    spans = entry_spans(low, "export", "exports")
    if not spans:
        return None
    skeleton, blocks = cut_out(text, spans, _PLACEHOLDER)
    root = read_block(skeleton, "result", RESULT_TEXT_FIELDS, parse_tree)
    if isinstance(root, UnreadableBlock):
        return None
    try:
        elements, reported = export_elements(root)
    except CameraBridgeError:
        return None
    if len(elements) != len(blocks):
        return None
    reuse.read(blocks, strict=False)
    exports, unreadable, _ = reuse.entries(blocks)
    return ExportStatus(tuple(exports), reported, tuple(unreadable))


def parse_export_status(body: bytes | str) -> ExportStatus:
    """Parse a ``getExportVideoStatus`` answer.

    Accepts ``<exports><export>…`` as documented and a bare ``<export>`` list
    directly under ``<result>``; an answer without either holds no export.
    Values echoed raw are repaired; an export that stays unreadable is left
    out and listed in ``unreadable``.
    """
    return ExportStatusParser().parse(body)
