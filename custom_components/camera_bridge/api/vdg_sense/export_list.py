"""``getExportVideoStatus`` answers: the export list, reusing unchanged exports.

The answer is parsed with the C ElementTree parser, each export read as
soon as it is complete (``read_export_list``). Building an ``Export`` (ids,
timestamps, progress checked) costs about a third of the whole, and between
two polls most exports do not change: the parser keeps the previous answer's
exports keyed by the texts of their fields, so that an unchanged export is
not built again and comes back as the very same object (callers diff with
``is``). Big answers are parsed in a worker thread (see ``client``).

An answer that is not XML even after ``repair_xml`` is read entry by entry
(``_recover``): the envelope (result code, export list) must still be
readable, and an export whose entry stays unreadable is left out and listed
in ``ExportStatus.unreadable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
import xml.etree.ElementTree as ET

from .._http import xml_text, yield_gil
from .._xml import MalformedXml
from ..errors import CameraBridgeError, InvalidResponse
from .document import parse_tree
from .entries import RESULT_TEXT_FIELDS, cut_out, cuttable, entry_spans, read_block
from .export_element import ExportTexts, build_export, export_texts, read_export_list
from .models import Export, ExportStatus, UnreadableBlock
from .repair import repair_xml

_PLACEHOLDER: Final = "<export/>"
# fields holding user text, read as text when nothing else makes an entry XML
_EXPORT_TEXT_FIELDS: Final = ("path",)
# exports read between two hand-overs of the GIL (~0.2 ms of work)
_BATCH: Final = 128

# what an entry of a broken answer was read as: its fields, or unreadable
type _Entry = ExportTexts | UnreadableBlock


@dataclass(slots=True)
class _Reuse:
    """What the previous answer was made of, and what this one is made of.

    Exports are keyed by the texts of their fields; the entries of an answer
    read entry by entry also by their XML text, so that an unchanged entry
    is not parsed again.
    """

    previous: Mapping[ExportTexts, Export]
    previous_entries: Mapping[str, _Entry]
    exports: dict[ExportTexts, Export] = field(default_factory=dict)
    entries: dict[str, _Entry] = field(default_factory=dict)

    def export(self, texts: ExportTexts, index: int) -> Export:
        """The export of these texts: the previous one if they did not change."""
        export = self.exports.get(texts) or self.previous.get(texts)
        if export is None:
            export = build_export(texts, index)
        self.exports[texts] = export
        return export


class ExportStatusParser:
    """Parse ``getExportVideoStatus`` answers, reusing unchanged exports.

    A poll returns the whole export list, and between two polls most exports
    do not change. An export whose fields read the same as in the previous
    answer is not validated again and comes back as the very same object;
    an answer identical to the previous one returns the previous result.
    Only the previous answer is kept.

    ``parse`` may run in a worker thread (``off_loop``); it hands the GIL over
    while it works and replaces its state only once an answer is read, each
    part on its own and keyed by content, so that two parses overlapping
    (a poll cancelled, the next one started) leave a usable state.
    """

    __slots__ = ("_entries", "_exports", "_last")

    def __init__(self) -> None:
        """Start with nothing to reuse."""
        self._last: tuple[bytes | str, ExportStatus] | None = None
        self._exports: Mapping[ExportTexts, Export] = {}
        self._entries: Mapping[str, _Entry] = {}

    def parse(self, body: bytes | str) -> ExportStatus:
        """Parse one answer (see ``parse_export_status``).

        The declared encoding must be one a server can sensibly send (the
        shared ``xml_text``); a document type is refused by the parser.
        """
        if (last := self._last) is not None and body == last[0]:
            return last[1]
        reuse = _Reuse(self._exports, self._entries)
        result = _read(xml_text(body), reuse)
        self._exports, self._entries = reuse.exports, reuse.entries
        self._last = (body, result)
        return result


def parse_export_status(body: bytes | str) -> ExportStatus:
    """Parse a ``getExportVideoStatus`` answer.

    Accepts ``<exports><export>…`` as documented and a bare ``<export>`` list
    directly under ``<result>``; an answer without either is InvalidResponse.
    Values echoed raw are repaired; an export that stays unreadable is left
    out and listed in ``unreadable``.
    """
    return ExportStatusParser().parse(body)


def _read(text: str, reuse: _Reuse) -> ExportStatus:
    """Read a checked answer, repaired if need be, else entry by entry.

    When no reading works, the error of the answer as sent is raised.
    """
    try:
        listed, reported = read_export_list(text)
    except MalformedXml:
        if (found := _read_repaired(text)) is None:
            recovered = _recover(text, reuse)
            if recovered is None:
                raise
            return recovered
        listed, reported = found
    exports: list[Export] = []
    for index, texts in enumerate(listed):
        exports.append(reuse.export(texts, index))
        if index % _BATCH == _BATCH - 1:
            yield_gil()
    return ExportStatus(tuple(exports), reported)


def _read_repaired(text: str) -> tuple[list[ExportTexts], int | None] | None:
    """``read_export_list`` of the text repaired, None when that is not XML either.

    What the repaired answer says is raised: a result code, no export list.
    """
    repaired = repair_xml(text)
    if repaired == text:
        return None
    try:
        return read_export_list(repaired)
    except MalformedXml:
        return None


def _recover(text: str, reuse: _Reuse) -> ExportStatus | None:
    """Read a broken export list entry by entry, skipping unreadable exports.

    Every ``<export>`` entry is cut out of the text and replaced by an empty
    one; what is left, the envelope (result code, container, count), must
    read with one placeholder per entry. None when it does not. Semantic
    errors of a readable export (a progress of 101) are raised.
    """
    if not cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):  # positions would not match
        return None
    spans = entry_spans(low, "export", "exports")
    if not spans:
        return None
    skeleton, blocks = cut_out(text, spans, _PLACEHOLDER)
    try:
        found = read_block(skeleton, "result", RESULT_TEXT_FIELDS, read_export_list)
    except CameraBridgeError:  # a result code
        return None
    if isinstance(found, UnreadableBlock):
        return None
    listed, reported = found
    if len(listed) != len(blocks):
        return None
    previous, entries = reuse.previous_entries, reuse.entries
    new = [block for block in dict.fromkeys(blocks) if block not in previous]
    # a batch at a time: a broken entry costs re-reading its batch only
    for start in range(0, len(new), _BATCH):
        batch = new[start : start + _BATCH]
        for block, read in zip(batch, _read_blocks(batch), strict=True):
            entries[block] = (
                read if isinstance(read, UnreadableBlock) else export_texts(read)
            )
        yield_gil()
    exports: list[Export] = []
    unreadable: list[UnreadableBlock] = []
    for index, block in enumerate(blocks):
        entry = entries.get(block) or previous[block]
        entries[block] = entry
        if isinstance(entry, UnreadableBlock):
            unreadable.append(entry)
        else:
            exports.append(reuse.export(entry, index))
        if index % _BATCH == _BATCH - 1:
            yield_gil()
    return ExportStatus(tuple(exports), reported, tuple(unreadable))


def _read_blocks(blocks: list[str]) -> list[ET.Element | UnreadableBlock]:
    """Parse export entries: all at once (as sent, else repaired), else by halves.

    A single entry that does not parse is read with ``read_block``: repaired,
    then with its path as text, else unreadable.
    """
    joined = "".join(blocks)
    batch = _batch(joined)
    if batch is None and (repaired := repair_xml(joined)) != joined:
        batch = _batch(repaired)
    if (
        batch is not None
        and len(batch) == len(blocks)
        and not any(element.tail and not element.tail.isspace() for element in batch)
    ):
        # one element each, nothing after it: as each parses alone
        return list(batch)
    if len(blocks) == 1:
        return [read_block(blocks[0], "export", _EXPORT_TEXT_FIELDS, parse_tree)]
    half = len(blocks) // 2
    return _read_blocks(blocks[:half]) + _read_blocks(blocks[half:])


def _batch(joined: str) -> list[ET.Element] | None:
    """The elements of texts parsed in one parser run, None if not XML."""
    try:
        return list(parse_tree(f"<batch>{joined}</batch>"))
    except InvalidResponse:
        return None
