"""LLM tools of Camera Bridge, for the Assist API (Home Assistant 2026.8 and newer).

Home Assistant's ``llm`` integration asks every loaded integration's ``llm``
platform for tools. Camera Bridge offers a tool per ability that at least one
exposed camera has (take a picture, record now, export video, export status,
latest media) and a prompt listing the exposed cameras and what each can do.
The tools find cameras and act through ``assist.py``, which asks each
backend's ``VoiceActions``: the same coordinator methods as buttons and
actions. Failures come back as short translated sentences.

Releases before 2026.8 have no ``llm`` platform and never import this
module: nothing is offered there.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, llm
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType
import voluptuous as vol

from . import assist
from .assist import Caller, error_sentence
from .const import DOMAIN
from .spoken_time import iso
from .voice import Ability, ExportInfo, MediaRef, VoiceRefused

# llm.ToolResult exists from 2026.10; 2026.8 and 2026.9 take plain JSON
_TOOL_RESULT: Any = getattr(llm, "ToolResult", None)
_TOOL_ANNOTATIONS: Any = getattr(llm, "ToolAnnotations", None)

_NAME = "Camera name as the user says it: device or entity name, alias"
_AREA = "Area of the camera, when the user names one instead of a camera"
# how every tool that acts on one camera is told which
_CAMERA: dict[Any, Any] = {
    vol.Optional("name", description=_NAME): cv.string,
    vol.Optional("area", description=_AREA): cv.string,
}


def _schema(fields: dict[Any, Any]) -> Any:
    """A tool's parameters (voluptuous is probatio's shim from 2026.9)."""
    return vol.Schema(fields)


def _result(data: JsonObjectType, *, error: bool = False) -> Any:
    if _TOOL_RESULT is None:  # pragma: no cover - 2026.8 and 2026.9
        return data
    return _TOOL_RESULT(data=data, error=error)


def _media(camera: str, media: MediaRef) -> JsonObjectType:
    answer: JsonObjectType = {
        "camera": camera,
        "kind": media.kind,
        "time": iso(media.when),
        "media_id": media.media_id,
        "title": media.title,
    }
    if media.pending:
        answer["records_still_uploading"] = list(media.pending)
    return answer


def _export(export: ExportInfo) -> JsonObjectType:
    return {
        "export_id": export.export_id,
        "status": export.status.lower(),
        "progress_percent": export.progress,
        "cameras": list(export.cameras),
        "start": iso(export.start),
        "end": iso(export.end),
    }


class CameraBridgeTool(llm.Tool):
    """A Camera Bridge tool: arguments checked, failures spoken."""

    integration = DOMAIN
    ability: Ability

    def __init__(self) -> None:
        """Set the annotations where the release knows them (2026.10+)."""
        if _TOOL_ANNOTATIONS is not None:
            self.annotations = self._annotations()

    def _annotations(self) -> Any:
        return _TOOL_ANNOTATIONS(destructive=False)

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> Any:
        """Validate the arguments, run the request, answer data or a sentence."""
        context = llm_context.context
        caller = Caller(llm_context.assistant, context.user_id if context else None)
        try:
            args = self.parameters(tool_input.tool_args)
        except vol.Invalid as err:
            refused = VoiceRefused("voice_invalid_arguments", error=str(err))
            return _result({"error": str(refused)}, error=True)
        try:
            return _result(await self._async_run(hass, caller, args))
        except Exception as err:  # noqa: BLE001 - every failure becomes a sentence
            return _result({"error": error_sentence(err)}, error=True)

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, args: dict[str, Any]
    ) -> JsonObjectType:
        raise NotImplementedError


class TakePictureTool(CameraBridgeTool):
    """Take a picture with a 360° (OSC) camera."""

    name = f"{DOMAIN}__take_picture"
    title = "Take a picture"
    ability = Ability.PICTURE
    description = (
        "Takes a picture with a Camera Bridge 360° camera and waits until it is"
        " saved. Answers its time and media_id (a media-source:// id to attach"
        " to an AI task or a notification)."
    )
    parameters = _schema(_CAMERA)

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, args: dict[str, Any]
    ) -> JsonObjectType:
        target, media = await assist.async_take_picture(
            hass, caller, args.get("name"), args.get("area")
        )
        return _media(target.name, media)


class RecordTool(CameraBridgeTool):
    """Make a cloud camera record now."""

    name = f"{DOMAIN}__record"
    title = "Record now"
    ability = Ability.RECORD
    description = (
        "Makes a Camera Bridge camera record a clip now, for a duration in"
        " seconds (10 to 7200). Answers the record_id; the recording is ready"
        f" once {DOMAIN}__latest_media lists it (not while it is in"
        " records_still_uploading)."
    )
    parameters = _schema(
        {
            **_CAMERA,
            vol.Required(
                "duration", description="Seconds, or as said: '2 minutes'"
            ): vol.Any(int, cv.string),
        }
    )

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, args: dict[str, Any]
    ) -> JsonObjectType:
        target, record_id, seconds = await assist.async_record(
            hass, caller, args.get("name"), args["duration"], args.get("area")
        )
        return {"camera": target.name, "record_id": record_id, "seconds": seconds}


class ExportVideoTool(CameraBridgeTool):
    """Export footage of VDG Sense cameras between two times."""

    name = f"{DOMAIN}__export_video"
    title = "Export video"
    ability = Ability.EXPORT
    description = (
        "Exports recorded video of one or more cameras of a VDG Sense server"
        " between two past times, into the server's export folder. Times as"
        " the user says them ('10:00', 'yesterday 22:30', '2026-12-05 10:00'),"
        " in Home Assistant's time zone. Answers the export_id; follow it with"
        f" {DOMAIN}__export_status."
    )
    parameters = _schema(
        {
            vol.Required("cameras", description="Camera names"): [cv.string],
            vol.Required("start", description="Start of the footage"): cv.string,
            vol.Required("end", description="End of the footage"): cv.string,
            vol.Optional(
                "server", description="The VDG Sense server, if several"
            ): cv.string,
        }
    )

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, args: dict[str, Any]
    ) -> JsonObjectType:
        target, export_id, names, start, end = await assist.async_export(
            hass,
            caller,
            args["cameras"],
            args["start"],
            args["end"],
            server=args.get("server"),
        )
        return {
            "server": target.name,
            "export_id": export_id,
            "cameras": list(names),
            "start": iso(start),
            "end": iso(end),
        }


class ExportStatusTool(CameraBridgeTool):
    """How far exports are."""

    name = f"{DOMAIN}__export_status"
    title = "Export status"
    ability = Ability.EXPORT_STATUS
    description = (
        "State and progress in % of VDG Sense exports: all running ones, the"
        " newest export of a camera, or one export by its export_id."
    )
    parameters = _schema(
        {
            vol.Optional("camera", description="A camera's name"): cv.string,
            vol.Optional("export_id"): cv.string,
        }
    )

    def _annotations(self) -> Any:
        return _TOOL_ANNOTATIONS(read_only=True, destructive=False, idempotent=True)

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, args: dict[str, Any]
    ) -> JsonObjectType:
        exports = await assist.async_export_status(
            hass, caller, args.get("camera"), args.get("export_id")
        )
        return {"exports": [_export(export) for export in exports]}


class LatestMediaTool(CameraBridgeTool):
    """The newest picture, recording or snapshot of a camera."""

    name = f"{DOMAIN}__latest_media"
    title = "Latest media"
    ability = Ability.LATEST
    description = (
        "The newest picture, recording or snapshot of a Camera Bridge camera:"
        " its time and media_id (a media-source:// id to attach to an AI task"
        " or a notification)."
    )
    parameters = _schema(_CAMERA)

    def _annotations(self) -> Any:
        return _TOOL_ANNOTATIONS(read_only=True, destructive=False, idempotent=True)

    async def _async_run(
        self, hass: HomeAssistant, caller: Caller, args: dict[str, Any]
    ) -> JsonObjectType:
        target, media = await assist.async_latest(
            hass, caller, args.get("name"), args.get("area")
        )
        return _media(target.name, media)


TOOLS: tuple[type[CameraBridgeTool], ...] = (
    TakePictureTool,
    RecordTool,
    ExportVideoTool,
    ExportStatusTool,
    LatestMediaTool,
)

_SAID = {
    Ability.PICTURE: "take a picture",
    Ability.RECORD: "record now",
    Ability.EXPORT: "export video",
    Ability.EXPORT_STATUS: "export status",
    Ability.LATEST: "latest media",
}


@callback
def async_get_tools(
    hass: HomeAssistant, llm_context: llm.LLMContext, api_id: str
) -> LLMTools | None:
    """The tools the exposed Camera Bridge cameras can use, and who they are."""
    if api_id != llm.LLM_API_ASSIST:
        return None
    targets = assist.async_exposed_targets(hass, llm_context.assistant)
    abilities = {ability for target in targets for ability in target.abilities}
    if not abilities:
        return None
    lines = [
        (
            "Camera Bridge cameras (use the camera_bridge__ tools; times are in"
            f" {dt_util.get_default_time_zone()}; a media_id is a media-source://"
            " id to attach to an AI task or a notification as it is):"
        )
    ]
    for target in targets:
        can = ", ".join(_SAID[a] for a in Ability if a in target.abilities)
        line = f"- {target.name}: {can}"
        if target.actions.sources is not None:
            sources = target.actions.sources(target.coordinator, target.device)
            line += f"; its cameras: {', '.join(sources) or 'none listed'}"
        lines.append(line)
    return LLMTools(
        tools=[tool() for tool in TOOLS if tool.ability in abilities],
        prompt="\n".join(lines),
    )
