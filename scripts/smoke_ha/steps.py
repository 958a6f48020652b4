"""What the smoke run does in Home Assistant, as a user in the frontend would."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
import time
from typing import Any

from .client import HomeAssistantApi, Websocket
from .processes import SmokeError
from .voice import Voice
from .webrtc import WebRtc

DOMAIN = "camera_bridge"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# the LinkVisual simulator is started with this key (scripts/smoke_ha/__main__.py)
LINKVISUAL_KEY_ID = "LTAI5tSmokeKeyId"
LINKVISUAL_KEY_SECRET = "smoke-secret-0123456789"  # noqa: S105 - the simulator's
# a camera of the LinkVisual simulator's account
LINKVISUAL_IOT_ID = "SimCam0001xyzIotIdA000100"
WAIT = 30.0  # seconds any single wait inside Home Assistant may take


@dataclass(frozen=True, slots=True)
class SimulatorPorts:
    """Where the simulators listen on 127.0.0.1."""

    wcs: int
    osc: int
    vdg_sense: int
    linkvisual: int
    wcs_ws: int  # WCS's WebSocket signaling (WebRTC)


@dataclass
class Drive:
    """The steps run against one Home Assistant, with their timings."""

    api: HomeAssistantApi
    ws: Websocket
    ports: SimulatorPorts
    timings: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entries: dict[str, str] = field(default_factory=dict)  # kind -> entry id

    async def step(self, name: str, action: Callable[[], Awaitable[None]]) -> None:
        """Run one step, timing it and naming it when it fails."""
        start = time.monotonic()
        try:
            await action()
        except SmokeError as err:
            raise SmokeError(f"step '{name}' failed: {err}") from err
        self.timings.append((name, time.monotonic() - start))

    async def run(self) -> None:
        """Every step, in the order a user would take them."""
        forms: dict[str, dict[str, Any]] = {
            "wcs": {"url": f"http://127.0.0.1:{self.ports.wcs}", "verify_ssl": True},
            "osc": {"host": "127.0.0.1", "port": self.ports.osc},
            "vdg_sense": {
                "host": "127.0.0.1",
                "port": self.ports.vdg_sense,
                "ssl": False,
                "verify_ssl": True,
            },
            "linkvisual": {
                "access_key_id": LINKVISUAL_KEY_ID,
                "access_key_secret": LINKVISUAL_KEY_SECRET,
                "region": "cn-shanghai",
                "endpoint": f"http://127.0.0.1:{self.ports.linkvisual}",
            },
        }
        for kind, form in forms.items():
            await self.step(f"config flow {kind}", partial(self.add, kind, form))
        await self.step("LinkVisual camera subentry flow", self.add_linkvisual_camera)
        await self.step("WCS camera image", self.camera_image)
        await self.step("OSC take_picture action (REST)", self.osc_action)
        await self.step("OSC Take picture button", self.osc_button)
        await self.step("VDG Sense get_export_status action (REST)", self.vdg_action)
        await self.step("LinkVisual trigger_record action (websocket)", self.lv_action)
        await self.step("LinkVisual Record now button", self.lv_button)
        self.notes.append("WCS has no actions: none called")
        await WebRtc(self).run()
        await Voice(self).run()

    async def add(self, kind: str, form: dict[str, Any]) -> None:
        """Add integration → Camera Bridge → pick the kind → fill in its form."""
        flow = await self.api.post(
            "/api/config/config_entries/flow",
            {"handler": DOMAIN, "show_advanced_options": False},
        )
        if flow.get("type") != "menu" or kind not in flow.get("menu_options", []):
            raise SmokeError(f"expected a menu offering {kind}, got {flow}")
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        flow = await self.api.post(path, {"next_step_id": kind})
        if flow.get("type") != "form" or flow.get("step_id") != kind:
            raise SmokeError(f"expected the {kind} form, got {flow}")
        flow = await self.api.post(path, form)
        if flow.get("type") != "create_entry":
            raise SmokeError(f"expected an entry, got {flow}")
        entry = flow["result"]
        if entry.get("state") != "loaded":
            raise SmokeError(f"entry {entry.get('title')} is {entry.get('state')}")
        self.entries[kind] = entry["entry_id"]

    async def add_linkvisual_camera(self) -> None:
        """Add camera on the LinkVisual account (a config subentry)."""
        entry_id = self.entries["linkvisual"]
        flow = await self.api.post(
            "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, "camera"], "show_advanced_options": False},
        )
        if flow.get("type") != "form":
            raise SmokeError(f"expected the camera form, got {flow}")
        flow = await self.api.post(
            f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
            {
                "name": "Garden",
                "iot_id": LINKVISUAL_IOT_ID,
                "duration": 30,
                "pre_record": 0,
                "stream_type": "0",
            },
        )
        if flow.get("type") != "create_entry":
            raise SmokeError(f"expected a subentry, got {flow}")
        # the account reloads with its new camera
        await self.entity("linkvisual", "button", "record_now")

    async def entity(
        self, kind: str, domain: str, translation_key: str | None = None
    ) -> dict[str, Any]:
        """The kind's registry entry of a ``domain`` entity, once it is available."""
        deadline = time.monotonic() + WAIT
        while True:
            registry = await self.ws.command("config/entity_registry/list")
            found: list[dict[str, Any]] = [
                entity
                for entity in registry
                if entity["platform"] == DOMAIN
                and entity["config_entry_id"] == self.entries[kind]
                and entity["entity_id"].startswith(f"{domain}.")
                and (
                    translation_key is None
                    or entity["translation_key"] == translation_key
                )
            ]
            if found:
                entity = min(found, key=lambda e: str(e["entity_id"]))
                state = await self.state(entity["entity_id"], missing_ok=True)
                if state is not None and state["state"] != "unavailable":
                    return entity
            if time.monotonic() > deadline:
                raise SmokeError(
                    f"no available {domain} entity ({translation_key}) of the "
                    f"{kind} entry after {WAIT:.0f} s"
                )
            await asyncio.sleep(0.5)

    async def state(self, entity_id: str, *, missing_ok: bool = False) -> Any:
        """The state object of ``entity_id`` (None when missing and allowed)."""
        states = await self.ws.command("get_states")
        for state in states:
            if state["entity_id"] == entity_id:
                return state
        if missing_ok:
            return None
        raise SmokeError(f"{entity_id} has no state")

    async def camera_image(self) -> None:
        """A stream's snapshot, through the camera proxy the dashboard uses."""
        camera = await self.entity("wcs", "camera")
        content_type, body = await self.api.get_bytes(
            f"/api/camera_proxy/{camera['entity_id']}"
        )
        if content_type != "image/png" or not body.startswith(PNG_SIGNATURE):
            raise SmokeError(
                f"{camera['entity_id']}: expected a PNG, got {content_type} "
                f"starting {body[:16]!r}"
            )

    async def service(self, service: str, data: dict[str, Any]) -> Any:
        """Call a Camera Bridge action over REST; its response."""
        answer = await self.api.post(
            f"/api/services/{DOMAIN}/{service}?return_response", data
        )
        return answer["service_response"]

    async def osc_action(self) -> None:
        """take_picture on the camera's device; the response names the file."""
        device_id = (await self.entity("osc", "button", "take_picture"))["device_id"]
        response = await self.service("take_picture", {"device_id": device_id})
        if not str(response.get("file_url", "")).startswith("http"):
            raise SmokeError(f"take_picture answered {response}")
        self.notes.append(f"take_picture → {response['file_url']}")

    async def press_and_wait(
        self, kind: str, button_key: str, event_key: str, event_type: str
    ) -> None:
        """Press a button; wait for the event entity to report ``event_type``."""
        button = await self.entity(kind, "button", button_key)
        event = await self.entity(kind, "event", event_key)
        before = (await self.state(event["entity_id"]))["state"]
        await self.api.post(
            "/api/services/button/press", {"entity_id": button["entity_id"]}
        )
        deadline = time.monotonic() + WAIT
        while True:
            state = await self.state(event["entity_id"])
            if state["state"] != before:
                if state["attributes"].get("event_type") != event_type:
                    raise SmokeError(f"{event['entity_id']} reported {state}")
                self.notes.append(
                    f"{button['entity_id']} pressed → {event['entity_id']}: "
                    f"{event_type}"
                )
                return
            if time.monotonic() > deadline:
                raise SmokeError(f"no {event_type} event within {WAIT:.0f} s")
            await asyncio.sleep(0.3)

    async def osc_button(self) -> None:
        """Take picture, then the shots event announces the picture."""
        await self.press_and_wait("osc", "take_picture", "shots", "picture_taken")

    async def vdg_action(self) -> None:
        """get_export_status of the server's device lists the seeded exports."""
        device_id = (await self.entity("vdg_sense", "sensor", "active_exports"))[
            "device_id"
        ]
        response = await self.service("get_export_status", {"device_id": device_id})
        if not response.get("exports"):
            raise SmokeError(f"get_export_status answered {response}")
        self.notes.append(f"get_export_status → {len(response['exports'])} exports")

    async def lv_action(self) -> None:
        """trigger_record over the websocket, targeting the camera's device."""
        device_id = (await self.entity("linkvisual", "button", "record_now"))[
            "device_id"
        ]
        result = await self.ws.command(
            "call_service",
            domain=DOMAIN,
            service="trigger_record",
            target={"device_id": [device_id]},
            service_data={"duration": 10},
            return_response=True,
        )
        if not (record_id := (result.get("response") or {}).get("record_id")):
            raise SmokeError(f"trigger_record answered {result}")
        self.notes.append(f"trigger_record → record {record_id}")

    async def lv_button(self) -> None:
        """Record now, then the recording event announces the start."""
        await self.press_and_wait(
            "linkvisual", "record_now", "recording", "recording_started"
        )
