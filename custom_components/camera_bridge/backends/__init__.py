"""Registry of the backend kinds Camera Bridge supports."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import CONF_KIND, DOMAIN
from ..coordinator import CameraBridgeConfigEntry
from .base import BackendSpec
from .linkvisual import SPEC as LINKVISUAL_SPEC
from .osc import SPEC as OSC_SPEC
from .vdg_sense import SPEC as VDG_SENSE_SPEC
from .wcs import SPEC as WCS_SPEC

BACKENDS: dict[str, BackendSpec] = {
    spec.kind: spec for spec in (WCS_SPEC, LINKVISUAL_SPEC, OSC_SPEC, VDG_SENSE_SPEC)
}


def backend_of(entry: CameraBridgeConfigEntry) -> BackendSpec:
    """The backend kind of an entry; a clear error for an unknown kind."""
    try:
        return BACKENDS[entry.data[CONF_KIND]]
    except KeyError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="unknown_kind",
            translation_placeholders={"kind": str(entry.data.get(CONF_KIND))},
        ) from err


@callback
def async_setup_platform(
    entry: CameraBridgeConfigEntry,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's entities of one platform, as its backend declares them."""
    spec = backend_of(entry)
    if spec.async_setup_platform is not None:
        spec.async_setup_platform(entry.runtime_data, platform, async_add_entities)
    else:
        entry.runtime_data.async_setup_platform(platform, async_add_entities)
