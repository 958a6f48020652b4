"""Voice in the smoke run: Camera Bridge's LLM tools and one sentence to Assist.

The entities are exposed to Assist as a user does (websocket
``homeassistant/expose_entity``); the tools are listed and called through
the Assist API by the test-only ``smoke_llm`` integration (``smoke_llm/``,
copied into the run's configuration only); one sentence of the shipped
sentences file (copied into ``custom_sentences/en``) goes through
``/api/conversation/process``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .processes import SmokeError

if TYPE_CHECKING:
    from .steps import Drive

REPO = Path(__file__).resolve().parents[2]
SMOKE_LLM = Path(__file__).resolve().parent / "smoke_llm"
SENTENCES = REPO / "custom_sentences" / "en" / "camera_bridge.yaml"
EXPORT_FOLDER = "D:\\Exports\\Voice"
TOOLS = {
    "camera_bridge__take_picture",
    "camera_bridge__record",
    "camera_bridge__export_video",
    "camera_bridge__export_status",
    "camera_bridge__latest_media",
}
CONFIGURATION = """
# the smoke run's own test-only integration (scripts/smoke_ha/smoke_llm)
smoke_llm:
"""


class Voice:
    """The voice steps of one smoke run."""

    def __init__(self, drive: Drive) -> None:
        """Drive Home Assistant with ``drive``'s connections."""
        self.drive = drive
        self.names: dict[str, str] = {}  # kind -> device name

    async def tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Call a Camera Bridge tool as an LLM agent of the smoke user."""
        result = await self.drive.ws.command(
            "smoke_llm/call_tool", tool_name=f"camera_bridge__{name}", tool_args=args
        )
        if result.get("error"):
            raise SmokeError(f"tool {name} {args} refused: {result.get('data')}")
        data: dict[str, Any] = result["data"]
        return data

    async def expose(self) -> None:
        """Expose one entity of each entry to Assist; learn the device names."""
        wanted = {
            "osc": ("button", "take_picture"),
            "linkvisual": ("button", "record_now"),
            "vdg_sense": ("sensor", "active_exports"),
            "wcs": ("camera", None),
        }
        entity_ids = []
        devices = {
            device["id"]: device
            for device in await self.drive.ws.command("config/device_registry/list")
        }
        for kind, (domain, key) in wanted.items():
            entity = await self.drive.entity(kind, domain, key)
            entity_ids.append(entity["entity_id"])
            device = devices[entity["device_id"]]
            self.names[kind] = device["name_by_user"] or device["name"]
        await self.drive.ws.command(
            "homeassistant/expose_entity",
            assistants=["conversation"],
            entity_ids=entity_ids,
            should_expose=True,
        )
        listed = await self.drive.ws.command("smoke_llm/tools")
        if missing := TOOLS - set(listed["tools"]):
            raise SmokeError(f"the Assist API lacks {sorted(missing)}: {listed}")
        self.drive.notes.append(
            f"Assist API tools: {sorted(t for t in listed['tools'] if 'camera' in t)}"
        )

    async def export_folder(self) -> None:
        """Set the VDG Sense export folder for voice requests (options flow)."""
        flow = await self.drive.api.post(
            "/api/config/config_entries/options/flow",
            {"handler": self.drive.entries["vdg_sense"]},
        )
        done = await self.drive.api.post(
            f"/api/config/config_entries/options/flow/{flow['flow_id']}",
            {"export_folder": EXPORT_FOLDER},
        )
        if done.get("type") != "create_entry":
            raise SmokeError(f"VDG Sense options answered {done}")
        # the entry reloads with its new options
        await self.drive.entity("vdg_sense", "sensor", "active_exports")

    async def osc(self) -> None:
        """Take a picture; the latest media is that picture."""
        taken = await self.tool("take_picture", {"name": self.names["osc"]})
        media_id = str(taken.get("media_id", ""))
        if not media_id.startswith("media-source://camera_bridge/"):
            raise SmokeError(f"take_picture answered {taken}")
        latest = await self.tool("latest_media", {"name": self.names["osc"]})
        if latest.get("media_id") != media_id:
            raise SmokeError(f"latest_media answered {latest}, not {media_id}")
        self.drive.notes.append(f"tool take_picture → {media_id}")

    async def linkvisual(self) -> None:
        """Record now for 10 seconds."""
        record = await self.tool("record", {"name": "Garden", "duration": 10})
        if not record.get("record_id"):
            raise SmokeError(f"record answered {record}")
        self.drive.notes.append(f"tool record → record {record['record_id']}")

    async def vdg_sense(self) -> None:
        """Export the lobby camera of the last half hour; its status."""
        export = await self.tool(
            "export_video",
            {
                "cameras": ["the lobby camera"],
                "start": "40 minutes ago",
                "end": "10 minutes ago",
            },
        )
        if not export.get("export_id"):
            raise SmokeError(f"export_video answered {export}")
        status = await self.tool("export_status", {"export_id": export["export_id"]})
        if not status.get("exports"):
            raise SmokeError(f"export_status answered {status}")
        self.drive.notes.append(
            f"tool export_video → export {export['export_id']}"
            f" ({status['exports'][0]['status']})"
        )

    async def wcs(self) -> None:
        """A stream's latest media is its camera's snapshot."""
        latest = await self.tool("latest_media", {"name": self.names["wcs"]})
        if not str(latest.get("media_id", "")).startswith("media-source://camera/"):
            raise SmokeError(f"latest_media answered {latest}")
        self.drive.notes.append(f"tool latest_media (WCS) → {latest['media_id']}")

    async def sentence(self) -> None:
        """Say one sentence of the shipped sentences file to Assist."""
        text = f"take a 360 picture with the {self.names['osc']}"
        answer = await self.drive.api.post(
            "/api/conversation/process", {"text": text, "language": "en"}
        )
        response = answer.get("response", {})
        said = response.get("speech", {}).get("plain", {}).get("speech", "")
        if (
            response.get("response_type") != "action_done"
            or "took a picture" not in said
        ):
            raise SmokeError(f"Assist answered {answer}")
        self.drive.notes.append(f"Assist: '{text}' → '{said}'")

    async def run(self) -> None:
        """Every voice step, timed by the drive."""
        drive = self.drive
        await drive.step("voice: expose entities, list the tools", self.expose)
        await drive.step("voice: VDG Sense export folder option", self.export_folder)
        await drive.step("voice: tool take_picture + latest_media (OSC)", self.osc)
        await drive.step("voice: tool record (LinkVisual)", self.linkvisual)
        await drive.step("voice: tool export_video + status (VDG)", self.vdg_sense)
        await drive.step("voice: tool latest_media (WCS)", self.wcs)
        await drive.step("voice: a sentence to Assist", self.sentence)


def configure(config: Path) -> str:
    """Copy the smoke-only integration and the sentences; configuration lines."""
    target = config / "custom_components" / "smoke_llm"
    target.mkdir(parents=True)
    for name in ("__init__.py", "manifest.json"):
        (target / name).write_bytes((SMOKE_LLM / name).read_bytes())
    sentences = config / "custom_sentences" / "en"
    sentences.mkdir(parents=True)
    (sentences / SENTENCES.name).write_bytes(SENTENCES.read_bytes())
    return CONFIGURATION
