"""Actions of Camera Bridge: each backend registers its own, once."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .backends import BACKENDS


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every backend's actions."""
    for spec in BACKENDS.values():
        if spec.async_setup_services is not None:
            spec.async_setup_services(hass)
