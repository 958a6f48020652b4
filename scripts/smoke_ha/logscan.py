"""Read home-assistant.log: what concerns camera_bridge, and everything else."""

from __future__ import annotations

from dataclasses import dataclass
import re

# Home Assistant's log format: "%(asctime)s.%(msecs)03d %(levelname)s
# (%(threadName)s) [%(name)s] %(message)s"; a traceback continues a record
_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S* (?P<level>[A-Z]+) "
    r"\((?P<thread>[^)]*)\) \[(?P<logger>[^\]]+)\] "
)
SERIOUS = frozenset({"WARNING", "ERROR", "CRITICAL"})
OUR_LOGGERS = ("custom_components.camera_bridge", "camera_bridge")
# Home Assistant's deprecation reports (helpers/frame.py) name the integration
DEPRECATION_REPORT = "custom integration 'camera_bridge'"
# the warning Home Assistant logs for every custom integration it loads
UNTESTED_NOTICE = "custom integration camera_bridge which has not been tested"


@dataclass(frozen=True, slots=True)
class Record:
    """One log record, with its continuation lines (tracebacks)."""

    level: str
    logger: str
    text: str

    @property
    def first_line(self) -> str:
        """The record's first line."""
        return self.text.split("\n", 1)[0]


def parse(text: str) -> list[Record]:
    """The records of a log file's text."""
    records: list[Record] = []
    level = logger = ""
    lines: list[str] = []
    for line in text.splitlines():
        match = _RECORD.match(line)
        if match is None:
            lines.append(line)
            continue
        if lines and level:
            records.append(Record(level, logger, "\n".join(lines)))
        level, logger, lines = match["level"], match["logger"], [line]
    if lines and level:
        records.append(Record(level, logger, "\n".join(lines)))
    return records


def concerns_us(record: Record) -> bool:
    """A warning/error by or about camera_bridge, or a deprecation report on it."""
    if DEPRECATION_REPORT in record.text:
        return True
    if record.level not in SERIOUS or UNTESTED_NOTICE in record.text:
        return False
    return record.logger.startswith(OUR_LOGGERS) or "camera_bridge" in record.text


def problems(records: list[Record]) -> tuple[list[Record], list[Record]]:
    """(records that fail the smoke run, other warnings and errors)."""
    ours: list[Record] = []
    others: list[Record] = []
    for record in records:
        if concerns_us(record):
            ours.append(record)
        elif record.level in SERIOUS and UNTESTED_NOTICE not in record.text:
            others.append(record)
    return ours, others
