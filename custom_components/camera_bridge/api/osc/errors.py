"""OSC errors: the camera's error codes as ``CameraBridgeError`` subclasses.

``command_error`` maps a code (and the camera's message) to the class callers
can tell apart; validation errors name a parameter only when it is known.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import re
from typing import Any, Final

from ..errors import BackendError
from .const import BUSY_CODES, CANCEL_CODES, VALIDATION_CODES
from .values import shorten


class OscBusyError(BackendError):
    """The camera refuses the command for now (``disabledCommand``).

    Raised for instance when a picture is asked in video mode, while the
    camera records, or when another client holds the camera.
    """


class OscShotInProgress(OscBusyError):
    """A picture is already being taken by this client; nothing was sent."""

    def __init__(self) -> None:
        """Name the situation in the camera's own vocabulary."""
        super().__init__("shotInProgress", "a picture is already being taken")


class OscCancelledError(BackendError):
    """The shot or its conversion was cancelled (``canceledShooting``)."""


class OscValidationError(BackendError):
    """The camera refused a parameter or an option.

    ``parameter`` names it when the camera's message (or the request) lets
    us tell which one; it is always a name the request carried.
    """

    def __init__(
        self, code: str | int, message: str = "", parameter: str | None = None
    ) -> None:
        """Keep the offending parameter's name beside the camera's answer."""
        super().__init__(code, message)
        self.parameter = parameter


class OscParameterRefused(OscValidationError):
    """A validation error known to be about one parameter or option we sent."""

    parameter: str

    def __init__(self, code: str | int, message: str, parameter: str) -> None:
        """Name the refused parameter (never None here)."""
        super().__init__(code, message, parameter)


class OscUnknownCommand(BackendError):
    """The camera does not know the command (``unknownCommand``)."""


class OscCommandTimeout(BackendError):
    """A command stayed in progress beyond the client's deadline."""


# A word of the camera's message, or what it quotes (names with odd characters)
_TOKEN = re.compile(r"""'([^']*)'|"([^"]*)"|`([^`]*)`|(\w+)""")
_WORD = re.compile(r"\w+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
# How much of the camera's message (and of an unknown code) an error keeps
MAX_MESSAGE: Final = 300
MAX_CODE: Final = 64
# How much of a message is searched for the refused option's name: cameras
# name it near the start, and a megabyte message must not cost the event
# loop milliseconds (64 KB of words and quotes took ~8 ms to search whole).
SEARCH_CHARS: Final = 4096
# Codes that refuse something the request carried (missingParameter does not)
_ABOUT_SENT_CODES: Final = frozenset({"invalidParameterName", "invalidParameterValue"})


def _tokens(message: str) -> Iterator[str]:
    """Words and quoted strings of ``message``, in order, in one linear pass.

    A quoted string is given whole and then word by word, so ``'options.iso'``
    yields ``options.iso``, ``options`` and ``iso``.
    """
    for match in _TOKEN.finditer(message):
        word = match.group(4)
        if word is not None:
            yield word
            continue
        quoted = match.group(1) or match.group(2) or match.group(3) or ""
        yield quoted
        yield from _WORD.findall(quoted)


def _sent_names(sent: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Names the request carried: top-level parameters and the innermost names.

    Innermost names are option names (keys of ``options``, entries of
    ``optionNames``), or the parameter itself when it holds a plain value.
    The level 1 ``sessionId`` is plumbing, never what a user got wrong.
    """
    top: list[str] = []
    inner: list[str] = []
    for key, value in sent.items():
        if key == "sessionId":
            continue
        top.append(key)
        names: list[str] = []
        if isinstance(value, dict):
            names = [str(name) for name in value]
        elif isinstance(value, list):
            names = [
                v for v in value if isinstance(v, str) and _IDENTIFIER.fullmatch(v)
            ]
        inner.extend(names or [key])
    return top, inner


def _parameter_in(
    code: str, message: str, sent: Mapping[str, Any] | None
) -> str | None:
    """The sent parameter or option a validation error is about, if known.

    Only names the request carried can come back: the camera's message is
    searched for them (option names first, then top-level parameters, each
    time the first one mentioned), which takes one pass over the message
    and one set of the names. RICOH's messages are generic and name nothing
    ("Any input parameter or option is recognized, but its value is
    invalid."): then a request that carried exactly one option or parameter
    names it, since the refusal can only be about that one.
    """
    if not sent:
        return None
    top, inner = _sent_names(sent)
    wanted = set(inner) | set(top)
    mentioned = [token for token in _tokens(message[:SEARCH_CHARS]) if token in wanted]
    for candidates in (set(inner), set(top)):
        for token in mentioned:
            if token in candidates:
                return token
    if code in _ABOUT_SENT_CODES and len(inner) == 1:
        return inner[0]
    return None


def command_error(
    code: str, message: str, sent: Mapping[str, Any] | None = None
) -> BackendError:
    """Map an OSC error code to the typed exception callers can tell apart.

    ``sent`` is the command's parameters: a validation error names one of
    them only when the camera's answer lets us tell which one. The first
    ``SEARCH_CHARS`` of the message are searched for the name; the error
    keeps at most
    ``MAX_MESSAGE`` characters of it (and ``MAX_CODE`` of the code), since
    users see it and a broken camera may send megabytes.
    """
    parameter = _parameter_in(code, message, sent) if code in VALIDATION_CODES else None
    shown = shorten(message, MAX_MESSAGE)
    if code in BUSY_CODES:
        return OscBusyError(
            code, shown or "the camera is busy or the command is disabled"
        )
    if code in CANCEL_CODES:
        return OscCancelledError(code, shown or "the shot was cancelled")
    if code in VALIDATION_CODES:
        if parameter is not None:
            return OscParameterRefused(code, shown, parameter)
        return OscValidationError(code, shown)
    if code == "unknownCommand":
        return OscUnknownCommand(code, shown)
    return BackendError(shorten(code, MAX_CODE), shown)
