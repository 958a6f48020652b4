"""Turn library errors into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, Concatenate, cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .api import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from .const import DOMAIN

# Error class -> (translation key, placeholders). Backends add their own
# classes; the most specific class in an error's MRO wins.
type Placeholders = Callable[[CameraBridgeError], dict[str, str]]
_TRANSLATIONS: dict[type[CameraBridgeError], tuple[str, Placeholders]] = {
    AuthenticationFailed: ("invalid_auth", lambda err: {}),
    CannotConnect: ("cannot_connect", lambda err: {"error": str(err)}),
    InvalidResponse: ("invalid_response", lambda err: {"error": str(err)}),
    BackendError: (
        "backend_error",
        lambda err: {
            "code": str(getattr(err, "code", "")),
            "message": str(getattr(err, "message", "")),
        },
    ),
    CameraBridgeError: ("unknown_error", lambda err: {"error": str(err)}),
}


def register_error_translation(
    error: type[CameraBridgeError], key: str, placeholders: Placeholders | None = None
) -> None:
    """Give a backend-specific error class its own translated message."""
    _TRANSLATIONS[error] = (key, placeholders or (lambda err: {}))


def translate_error(
    err: CameraBridgeError, cls: type[HomeAssistantError] = HomeAssistantError
) -> HomeAssistantError:
    """The translated Home Assistant error for a library error."""
    for klass in type(err).__mro__:
        if klass in _TRANSLATIONS:
            key, placeholders = _TRANSLATIONS[klass]
            break
    else:  # pragma: no cover - CameraBridgeError is always in the MRO
        key, placeholders = _TRANSLATIONS[CameraBridgeError]
    return cls(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders(err),
    )


def handle_api_errors[S, **P, R](
    func: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Decorate an entity method so library errors become translated errors."""

    async def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(self, *args, **kwargs)
        except CameraBridgeError as err:
            raise translate_error(err) from err

    return wraps(func)(wrapper)  # type: ignore[return-value]


# Home Assistant 2026.8 links a child device by the parent's device id
# (via_device_id); older releases by the parent's identifier (via_device).
_LINK_BY_ID = "via_device_id" in DeviceInfo.__annotations__


@callback
def async_register_device(
    hass: HomeAssistant, entry: ConfigEntry, info: DeviceInfo
) -> dr.DeviceEntry:
    """Create or update a device now, so children can link to it."""
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **info
    )


def via_parent(parent: dr.DeviceEntry, identifier: tuple[str, str]) -> DeviceInfo:
    """Device info fields that link a device to ``parent``."""
    if _LINK_BY_ID:
        return DeviceInfo(via_device_id=parent.id)
    return cast("DeviceInfo", {"via_device": identifier})


@callback
def async_find_device(
    hass: HomeAssistant, entry_id: str, identifier: tuple[str, str]
) -> dr.DeviceEntry | None:
    """The entry's device with ``identifier``.

    Works on every supported release: 2026.10 deprecates looking devices up
    by identifier alone, 2026.3 lacks the per-entry lookup.
    """
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if identifier in device.identifiers:
            return device
    return None
