"""exportVideoStatus answers as servers that echo values raw write them.

Shared by the repair and parser tests: one export entry, a whole answer,
what a parse ends in, a reused parser against fresh parses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hypothesis import HealthCheck, settings

from custom_components.camera_bridge.api.errors import CameraBridgeError
from custom_components.camera_bridge.api.vdg_sense import (
    ExportStatus,
    ExportStatusParser,
    parse_export_status,
)


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings of the parser fuzz tests: ``examples``, no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


FUZZ = fuzz_settings(200)


def export_entry(ident: str, path: str, progress: str = "10") -> str:
    """One pending export of the server's camera, its values pasted in as given."""
    return (
        f"<export><exportid>{ident}</exportid><path>{path}</path>"
        "<status>PENDING</status><bandwidth>64</bandwidth><devices><device>"
        "<serverid>{S}</serverid><deviceid>{D}</deviceid>"
        "<starttime>2024-01-19 10:00:00</starttime>"
        f"<endtime>2024-01-19 10:05:00</endtime><progress>{progress}</progress>"
        "<status>PENDING</status></device></devices></export>"
    )


def status_doc(*exports: str, count: int | None = None) -> str:
    """A whole exportVideoStatus answer around ``exports``."""
    total = len(exports) if count is None else count
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<result errorcode="0">'
        f'<description>Ok</description><exports count="{total}">'
        + "\n".join(exports)
        + "</exports></result>"
    )


def outcome(parse: Callable[[], ExportStatus]) -> object:
    """What a parse ends in: its result, or the error's type and text."""
    try:
        return parse()
    except CameraBridgeError as err:
        return type(err), str(err)


def assert_polls_agree(polls: Iterable[str]) -> None:
    """One parser reused over ``polls`` ends each as a fresh parse does."""
    parser = ExportStatusParser()
    for xml in polls:
        assert outcome(lambda x=xml: parser.parse(x)) == outcome(
            lambda x=xml: parse_export_status(x)
        )
