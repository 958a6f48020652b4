"""Intents of Camera Bridge for Home Assistant's own Assist agent.

The ``intent`` integration calls ``async_setup_intents`` of every loaded
integration: this is the one place Camera Bridge registers its intents. The
English sentences that trigger them ship in the repository
(``custom_sentences/en/camera_bridge.yaml``, to be copied to
``<config>/custom_sentences/en/``). Each intent does what the matching LLM
tool does (``assist.py``) and answers with a sentence from the
translations; a refusal is spoken as the intent's error.

The handlers accept the ``conversation`` platform only: Home Assistant
releases before 2026.8 turn registered intents into LLM tools unless their
platforms exclude every exposed domain, and Camera Bridge offers its LLM
tools through ``llm.py`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.helpers.translation import async_get_exception_message
import voluptuous as vol

from . import assist
from .assist import Caller, error_sentence
from .const import DOMAIN
from .spoken_time import spoken_time

INTENT_TAKE_PICTURE = "CameraBridgeTakePicture"
INTENT_RECORD = "CameraBridgeRecord"
INTENT_EXPORT_VIDEO = "CameraBridgeExportVideo"
INTENT_EXPORT_STATUS = "CameraBridgeExportStatus"
INTENT_LATEST_MEDIA = "CameraBridgeLatestMedia"

_PLATFORMS = {"conversation"}
_ASSISTANT = "conversation"


def _said(key: str, **placeholders: Any) -> str:
    """A success sentence from the translations (exceptions.voice_said_*)."""
    return async_get_exception_message(
        DOMAIN, key, {name: str(value) for name, value in placeholders.items()}
    )


def _slot(slots: dict[str, Any], name: str) -> Any:
    value = slots.get(name, {}).get("value")
    return value.strip() if isinstance(value, str) else value


class CameraBridgeIntent(intent.IntentHandler):
    """A Camera Bridge intent: its request runs, its refusals are spoken."""

    platforms = _PLATFORMS
    slots: ClassVar[Mapping[Any, Any]] = MappingProxyType({})

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The slots the sentences fill."""
        return dict(self.slots)

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Run the request and say how it went."""
        slots = self.async_validate_slots(intent_obj.slots)
        context = intent_obj.context
        caller = Caller(intent_obj.assistant or _ASSISTANT, context.user_id)
        response = intent_obj.create_response()
        try:
            speech = await self._async_run(intent_obj.hass, caller, slots)
        except Exception as err:  # noqa: BLE001 - every failure becomes a sentence
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, error_sentence(err)
            )
        else:
            response.async_set_speech(speech)
        return response

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, slots: dict[str, Any]
    ) -> str:
        raise NotImplementedError


_CAMERA: Mapping[Any, Any] = MappingProxyType(
    {
        vol.Optional("name"): cv.string,
        vol.Optional("area"): cv.string,
    }
)


class TakePictureIntent(CameraBridgeIntent):
    """Take a picture with a 360° camera."""

    intent_type = INTENT_TAKE_PICTURE
    description = "Takes a picture with a Camera Bridge 360° camera"
    slots = _CAMERA

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, slots: dict[str, Any]
    ) -> str:
        target, media = await assist.async_take_picture(
            hass, caller, _slot(slots, "name"), _slot(slots, "area")
        )
        return _said(
            "voice_said_picture", name=target.name, time=spoken_time(media.when)
        )


class RecordIntent(CameraBridgeIntent):
    """Make a camera record now."""

    intent_type = INTENT_RECORD
    description = "Makes a Camera Bridge camera record now"
    slots = MappingProxyType(
        {
            **_CAMERA,
            vol.Required("duration"): vol.Any(cv.string, vol.Coerce(float)),
        }
    )

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, slots: dict[str, Any]
    ) -> str:
        target, _, seconds = await assist.async_record(
            hass,
            caller,
            _slot(slots, "name"),
            _slot(slots, "duration"),
            _slot(slots, "area"),
        )
        return _said(
            "voice_said_recording", name=target.name, duration=_length(seconds)
        )


class ExportVideoIntent(CameraBridgeIntent):
    """Export a camera's footage between two spoken times."""

    intent_type = INTENT_EXPORT_VIDEO
    description = "Exports video of VDG Sense cameras"
    slots = MappingProxyType(
        {
            vol.Required("name"): cv.string,
            vol.Required("start"): cv.string,
            vol.Required("end"): cv.string,
        }
    )

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, slots: dict[str, Any]
    ) -> str:
        cameras = [
            part.strip()
            for part in str(_slot(slots, "name")).replace(" and ", ",").split(",")
            if part.strip()
        ]
        _, export_id, names, start, end = await assist.async_export(
            hass, caller, cameras, _slot(slots, "start"), _slot(slots, "end")
        )
        return _said(
            "voice_said_export",
            cameras=" and ".join(names),
            start=spoken_time(start),
            end=spoken_time(end),
            export_id=export_id,
        )


class ExportStatusIntent(CameraBridgeIntent):
    """How far the exports are."""

    intent_type = INTENT_EXPORT_STATUS
    description = "Tells how far VDG Sense exports are"
    slots = MappingProxyType({vol.Optional("name"): cv.string})

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, slots: dict[str, Any]
    ) -> str:
        exports = await assist.async_export_status(hass, caller, _slot(slots, "name"))
        if not exports:
            return _said("voice_said_no_export")
        return " ".join(
            _said(
                "voice_said_export_status",
                cameras=" and ".join(export.cameras) or export.export_id,
                status=export.status.lower(),
                progress=f"{export.progress:.0f}",
            )
            + "."
            for export in exports[:3]
        )


class LatestMediaIntent(CameraBridgeIntent):
    """When a camera's newest picture or recording was made."""

    intent_type = INTENT_LATEST_MEDIA
    description = "Tells when the newest picture or recording of a camera was made"
    slots = _CAMERA

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, slots: dict[str, Any]
    ) -> str:
        target, media = await assist.async_latest(
            hass, caller, _slot(slots, "name"), _slot(slots, "area")
        )
        return _said(
            f"voice_said_latest_{media.kind}",
            name=target.name,
            time=spoken_time(media.when),
        )


def _length(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register Camera Bridge's intents (called by the intent integration)."""
    for handler in (
        TakePictureIntent(),
        RecordIntent(),
        ExportVideoIntent(),
        ExportStatusIntent(),
        LatestMediaIntent(),
    ):
        intent.async_register(hass, handler)
