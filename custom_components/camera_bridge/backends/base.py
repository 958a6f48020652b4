"""What a backend kind provides to the shared parts of the integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..coordinator import BridgeCoordinator, CameraBridgeConfigEntry
from ..media import MediaProvider
from ..voice import VoiceActions


class InvalidInput(Exception):
    """A form field holds a value the backend cannot use."""

    def __init__(self, field: str, error: str) -> None:
        """Name the field and the error key (config.error.<error>)."""
        super().__init__(f"{field}: {error}")
        self.field = field
        self.error = error


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What validating a set-up form found out."""

    unique_id: str
    title: str
    data_updates: Mapping[str, Any] = field(default_factory=dict)


# Adds (now and whenever the backend finds more) the entities of one platform
# for the entry's coordinator; declared by the backend's entities module.
type PlatformSetup = Callable[[Any, Platform, AddConfigEntryEntitiesCallback], None]

# Returns a voluptuous schema. Typed loosely on purpose: from 2026.9 Home
# Assistant aliases voluptuous to probatio, whose Schema type differs.
type SchemaFactory = Callable[[], Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class BackendSpec:
    """Everything the shared code needs to know about one backend kind.

    ``async_validate`` raises the API's errors (or ``InvalidInput``) and is
    the same client code the coordinator uses.
    """

    kind: str
    platforms: tuple[Platform, ...]
    user_schema: SchemaFactory
    reauth_schema: SchemaFactory
    options_schema: SchemaFactory
    async_validate: Callable[[HomeAssistant, Mapping[str, Any]], Awaitable[EntryInfo]]
    async_create_coordinator: Callable[
        [HomeAssistant, CameraBridgeConfigEntry], Awaitable[BridgeCoordinator[Any]]
    ]
    async_setup_platform: PlatformSetup | None = None
    # False: the unique id is the device's own identity (serial number);
    # reconfigure may not point the entry at another device.
    # True: the unique id follows the address and moves with reconfigure.
    unique_id_follows_address: bool = False
    # The options form of one entry, when its choices depend on the device
    # (what the camera offers); options_schema otherwise
    entry_options_schema: Callable[[CameraBridgeConfigEntry], Any] | None = None
    validate_options: Callable[[Mapping[str, Any]], None] | None = None
    subentry_flows: Mapping[str, type[ConfigSubentryFlow]] = field(default_factory=dict)
    async_setup_services: Callable[[HomeAssistant], None] | None = None
    # What the backend shows in the Media browser (None: nothing)
    media: MediaProvider | None = None
    # What voice assistants (LLM tools, Assist intents) can ask (None: nothing)
    voice: VoiceActions | None = None
    # Clean up what the backend stored for an entry that is being deleted
    async_remove_entry: (
        Callable[[HomeAssistant, CameraBridgeConfigEntry], Awaitable[None]] | None
    ) = None
