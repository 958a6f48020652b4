"""Voice requests of LLM tools and Assist intents: find the camera, ask its backend.

A camera is named as people say it: its device's name, an entity's name or
alias, an area (matched by Home Assistant's own intent matching). Only
entities exposed to the assistant and allowed to the calling user count:
a camera that is neither is "not found", exactly like one that does not
exist. What a device can do is its backend's ``VoiceActions``; the backend
calls the coordinator method the button or action calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any, cast

from homeassistant.auth.permissions.const import POLICY_CONTROL, POLICY_READ
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
from homeassistant.util import dt as dt_util

from .api import CameraBridgeError
from .backends import BACKENDS
from .const import CONF_KIND, DOMAIN
from .coordinator import CameraBridgeConfigEntry
from .helpers import translate_error
from .spoken_time import TimeNotUnderstood, parse_duration, parse_span, spoken_time
from .voice import (
    Ability,
    ExportInfo,
    MediaRef,
    VoiceActions,
    VoiceRefused,
    match_source,
)

_LOGGER = logging.getLogger(__name__)

# Abilities that change something need the user's control permission
_ACTING = frozenset({Ability.PICTURE, Ability.RECORD, Ability.EXPORT})
_RUNNING = frozenset({"SYNCING", "PENDING"})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks: the assistant (for exposure) and the user (for permissions)."""

    assistant: str | None
    user_id: str | None


@dataclass(frozen=True, slots=True)
class Target:
    """A Camera Bridge device the caller may use, and what it can do."""

    entry: CameraBridgeConfigEntry
    device: dr.DeviceEntry
    actions: VoiceActions
    abilities: frozenset[Ability]
    entity_ids: tuple[str, ...]

    @property
    def name(self) -> str:
        """The device's name as the user set or the backend gave it."""
        return self.device.name_by_user or self.device.name or self.entry.title

    @property
    def coordinator(self) -> Any:
        """The entry's coordinator."""
        return self.entry.runtime_data


def _norm(text: str) -> str:
    return " ".join(text.strip().casefold().split())


def _voice_entry(hass: HomeAssistant, entry_id: str | None) -> VoiceActions | None:
    entry = hass.config_entries.async_get_entry(entry_id) if entry_id else None
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return None
    spec = BACKENDS.get(entry.data.get(CONF_KIND, ""))
    return spec.voice if spec is not None else None


def _exposed_states(
    hass: HomeAssistant,
    assistant: str | None,
    allowed: Callable[[str], bool] | None = None,
) -> list[State]:
    """States of Camera Bridge entities exposed to the assistant (and allowed)."""
    states = []
    for entity in er.async_get(hass).entities.values():
        if (
            entity.platform != DOMAIN
            or entity.device_id is None
            or entity.disabled
            or (state := hass.states.get(entity.entity_id)) is None
            or _voice_entry(hass, entity.config_entry_id) is None
        ):
            continue
        if assistant and not async_should_expose(hass, assistant, entity.entity_id):
            continue
        if allowed is not None and not allowed(entity.entity_id):
            continue
        states.append(state)
    return states


async def _allowed_states(
    hass: HomeAssistant, caller: Caller, acting: bool
) -> list[State]:
    """Exposed states the calling user may read (or control, ``acting``)."""
    if caller.user_id is None:
        return _exposed_states(hass, caller.assistant)
    user = await hass.auth.async_get_user(caller.user_id)
    if user is None:
        return []
    if user.is_admin:
        return _exposed_states(hass, caller.assistant)
    policy = POLICY_CONTROL if acting else POLICY_READ
    permissions = user.permissions
    return _exposed_states(
        hass,
        caller.assistant,
        lambda entity_id: permissions.check_entity(entity_id, policy),
    )


def _match(
    hass: HomeAssistant,
    states: list[State],
    caller: Caller,
    name: str | None,
    area: str | None,
) -> set[str]:
    """Entity ids among ``states`` that Home Assistant's matching picks."""
    if not states:  # an empty list would mean "every state" to the matcher
        return set()
    result = intent.async_match_targets(
        hass,
        intent.MatchTargetsConstraints(
            name=name,
            area_name=area,
            assistant=caller.assistant,
            allow_duplicate_names=True,
        ),
        states=states,
    )
    return {state.entity_id for state in result.states} if result.is_match else set()


async def async_targets(
    hass: HomeAssistant,
    caller: Caller,
    *,
    name: str | None = None,
    area: str | None = None,
    acting: bool = False,
) -> list[Target]:
    """Devices the caller may use, named by ``name`` and/or in ``area``."""
    states = await _allowed_states(hass, caller, acting)
    return _targets(hass, states, caller, name, area)


@callback
def async_exposed_targets(hass: HomeAssistant, assistant: str | None) -> list[Target]:
    """Every device with entities exposed to the assistant (any user)."""
    caller = Caller(assistant, None)
    return _targets(hass, _exposed_states(hass, assistant), caller, None, None)


def _targets(
    hass: HomeAssistant,
    states: list[State],
    caller: Caller,
    name: str | None,
    area: str | None,
) -> list[Target]:
    ent_reg = er.async_get(hass)
    dev_reg = dr.async_get(hass)
    device_of = {
        state.entity_id: entity.device_id
        for state in states
        if (entity := ent_reg.async_get(state.entity_id)) and entity.device_id
    }
    chosen: set[str] = set()
    names: list[str | None] = [name] if name else [None]
    if name and _norm(name).startswith("the "):
        names.append(name.strip()[4:])
    for spoken in names:
        chosen |= _match(hass, states, caller, spoken, area)
        if spoken is None:
            continue
        # a device's name ("the garden"): all its (allowed) entities
        named = {
            device_id
            for device_id in set(device_of.values())
            if (device := dev_reg.async_get(device_id))
            and _norm(spoken)
            in {_norm(n) for n in (device.name_by_user, device.name) if n}
        }
        on_device = [s for s in states if device_of[s.entity_id] in named]
        chosen |= _match(hass, on_device, caller, None, area)
        if chosen:
            break
    by_device: dict[str, list[str]] = {}
    for entity_id in sorted(chosen):
        by_device.setdefault(device_of[entity_id], []).append(entity_id)
    targets = []
    for device_id, entity_ids in by_device.items():
        device = dev_reg.async_get(device_id)
        entity = ent_reg.async_get(entity_ids[0])
        assert device is not None and entity is not None
        entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
        actions = _voice_entry(hass, entity.config_entry_id)
        assert entry is not None and actions is not None
        # 2026.10 may hand back a child device entry; it reads like a device
        device = cast("dr.DeviceEntry", device)
        abilities = actions.abilities(entry.runtime_data, device)
        if abilities:
            targets.append(Target(entry, device, actions, abilities, tuple(entity_ids)))
    return sorted(targets, key=lambda t: _norm(t.name))


async def async_one(
    hass: HomeAssistant,
    caller: Caller,
    ability: Ability,
    name: str | None,
    area: str | None = None,
) -> Target:
    """The one device that is named and can do ``ability``; a sentence otherwise."""
    found = await async_targets(
        hass, caller, name=name, area=area, acting=ability in _ACTING
    )
    able = [target for target in found if ability in target.abilities]
    spoken = name or area or ""
    if not found or (not able and not name and not area):
        if not spoken:
            raise VoiceRefused("voice_none_able")
        raise VoiceRefused("voice_not_found", name=spoken)
    if not able:
        raise VoiceRefused(f"voice_cannot_{ability}", name=found[0].name)
    if len(able) > 1:
        raise VoiceRefused(
            "voice_ambiguous", name=spoken, names=", ".join(t.name for t in able)
        )
    return able[0]


def error_sentence(err: Exception) -> str:
    """What the assistant says about a failure: short, translated, no secrets."""
    if isinstance(err, CameraBridgeError):
        err = translate_error(err)
    if isinstance(err, HomeAssistantError):
        return str(err)
    # a bug: logged with its traceback, never spoken
    _LOGGER.error("Voice request failed", exc_info=err)
    return str(translate_error(CameraBridgeError(type(err).__name__)))


# ---- the abilities ----------------------------------------------------------


async def async_take_picture(
    hass: HomeAssistant, caller: Caller, name: str | None, area: str | None = None
) -> tuple[Target, MediaRef]:
    """Take a picture with the named camera; when done, the file."""
    target = await async_one(hass, caller, Ability.PICTURE, name, area)
    assert target.actions.take_picture is not None
    return target, await target.actions.take_picture(target.coordinator, target.device)


async def async_record(
    hass: HomeAssistant,
    caller: Caller,
    name: str | None,
    duration: str | float,
    area: str | None = None,
) -> tuple[Target, str, int]:
    """Make the named camera record now; the record id and the seconds."""
    target = await async_one(hass, caller, Ability.RECORD, name, area)
    low, high = target.actions.record_range
    try:
        seconds = parse_duration(duration)
    except TimeNotUnderstood:
        raise VoiceRefused("voice_bad_duration", text=duration) from None
    if not low <= seconds <= high:
        raise VoiceRefused("voice_duration_range", low=low, high=high)
    assert target.actions.record is not None
    record_id = await target.actions.record(target.coordinator, target.device, seconds)
    return target, record_id, seconds


async def async_latest(
    hass: HomeAssistant, caller: Caller, name: str | None, area: str | None = None
) -> tuple[Target, MediaRef]:
    """The named camera's newest picture, recording or snapshot."""
    target = await async_one(hass, caller, Ability.LATEST, name, area)
    assert target.actions.latest is not None
    media = await target.actions.latest(target.coordinator, target.device)
    if media is None:
        raise VoiceRefused("voice_no_media", name=target.name)
    return target, media


def _servers_with(
    servers: list[Target], cameras: Sequence[str]
) -> list[tuple[Target, list[str]]]:
    found = []
    for server in servers:
        assert server.actions.sources is not None
        sources = server.actions.sources(server.coordinator, server.device)
        named = [match_source(camera, sources) for camera in cameras]
        if all(named):
            found.append((server, [n for n in named if n]))
    return found


async def async_export(
    hass: HomeAssistant,
    caller: Caller,
    cameras: Sequence[str],
    start: str,
    end: str,
    *,
    server: str | None = None,
) -> tuple[Target, str, list[str], datetime, datetime]:
    """Export the named cameras between two spoken times; the export id."""
    servers = [
        target
        for target in await async_targets(hass, caller, name=server, acting=True)
        if Ability.EXPORT in target.abilities
    ]
    matching = _servers_with(servers, cameras)
    if not matching:
        missing = next(
            (c for c in cameras if not _servers_with(servers, [c])), cameras[0]
        )
        raise VoiceRefused("voice_not_found", name=missing)
    if len(matching) > 1:
        raise VoiceRefused(
            "voice_ambiguous",
            name=", ".join(cameras),
            names=", ".join(target.name for target, _ in matching),
        )
    target, names = matching[0]
    try:
        begin, finish = parse_span(start, end)
    except TimeNotUnderstood as err:
        raise VoiceRefused("voice_bad_time", text=str(err)) from None
    if finish > dt_util.now():
        raise VoiceRefused("voice_end_in_future", end=spoken_time(finish))
    if begin >= finish:
        raise VoiceRefused("export_time_range")
    assert target.actions.export is not None
    export_id = await target.actions.export(
        target.coordinator, target.device, names, begin, finish
    )
    return target, export_id, names, begin, finish


async def async_export_status(
    hass: HomeAssistant,
    caller: Caller,
    camera: str | None = None,
    export_id: str | None = None,
) -> list[ExportInfo]:
    """Running exports; a camera's newest export; or one export by id."""
    servers = [
        target
        for target in await async_targets(hass, caller)
        if Ability.EXPORT_STATUS in target.abilities
    ]
    if camera:
        servers = [server for server, _ in _servers_with(servers, [camera])]
    if not servers:
        if camera:
            raise VoiceRefused("voice_not_found", name=camera)
        raise VoiceRefused("voice_none_able")
    found: list[ExportInfo] = []
    for server in servers:
        assert server.actions.export_status is not None
        exports = await server.actions.export_status(
            server.coordinator, server.device, export_id
        )
        if camera:
            assert server.actions.sources is not None
            sources = server.actions.sources(server.coordinator, server.device)
            name = match_source(camera, sources)
            exports = [e for e in exports if name in e.cameras][:1]
        elif export_id is None:
            exports = [e for e in exports if e.status.upper() in _RUNNING]
        found.extend(exports)
    return found
