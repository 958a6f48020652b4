"""Fake TKH Security VDG Sense management server (SensePluginManager).

Serves ``/info`` and ``/command?command=getDeviceList|getExportVideoStatus|
exportVideo`` with ``<result errorcode="N">`` XML answers. Exports go
SYNCING -> PENDING -> COMPLETED while their progress rises with the
simulator's clock; tests move that clock with ``advance`` instead of sleeping.

Knobs: ``legacy`` (``/info`` answers 404 like servers older than API 2.6.1),
``restart`` (forget every export and start ids at 1 again), ``fail`` (answer a
result code on demand), ``auth`` (HTTP Basic), ``seed_exports`` (load),
``tag_case``/``status_case``/``shuffle``/``extra_tags`` (vary the XML),
``export_reply`` (shape of the exportVideo answer), ``raw_values`` (write
values unescaped, as real servers that build their XML by concatenating
strings do: a path ``ha & co`` comes out as a bare "&"), ``truncated``
(export ids whose XML is written only in part).
"""

from __future__ import annotations

import argparse
import base64
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import random
import re
import time
from typing import Literal
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from aiohttp import hdrs, web

from .common import SimulatorBase

type TagCase = Literal["lower", "upper", "camel", "random"]
type StatusCase = Literal["upper", "lower", "title"]

CODE_NOT_IMPLEMENTED = -1
CODE_NO_DEVICE = -2
CODE_GENERAL = -18
CODE_INVALID_EXPORT_ID = -57

DEFAULT_VERSION = "2.8.1.14"
DEFAULT_CAMERAS = (
    "Entrance",
    "Parking north",
    "Parking south",
    "Loading dock",
    "Lobby",
    "Server room",
)
_CAMEL = {
    "apiinfo": "ApiInfo",
    "errorcode": "ErrorCode",
    "exportid": "ExportId",
    "serverid": "ServerId",
    "deviceid": "DeviceId",
    "starttime": "StartTime",
    "endtime": "EndTime",
    "ptztype": "PtzType",
    "ipaddress": "IpAddress",
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")


def _uid(kind: int, number: int) -> str:
    """A GUID-like id as VDG Sense uses for servers and devices."""
    return f"{{{kind:08X}-5E45-4E53-8000-{number:012X}}}"


def api_time(value: datetime) -> str:
    """A datetime as the API writes it (UTC, seconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def parse_api_time(text: str) -> datetime:
    """Read ``yyyy-mm-dd hh:mm:ss[.zzz]`` (UTC); ValueError otherwise."""
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not an API timestamp: {text!r}")


@dataclass
class SimDevice:
    """A camera known to the fake server."""

    name: str
    server_id: str
    device_id: str
    status: str = "online"
    type: str = "camera"
    brand: str = "Sim"
    location: str = "Site A"
    ptz_type: str = "none"
    ip_address: str = "192.0.2.10"
    port: int = 554


@dataclass
class SimExportDevice:
    """One device's footage within an export."""

    server_id: str
    device_id: str
    start: datetime
    end: datetime
    # how much slower than the export's speed this device goes (1 = as fast)
    slowness: float = 1.0


@dataclass
class SimExport:
    """An export as the fake server keeps it."""

    export_id: int
    path: str
    bandwidth: int | None
    devices: list[SimExportDevice]
    created: float
    removed: bool = False


@dataclass
class SimFailure:
    """A result code to answer instead of doing the work."""

    code: int
    description: str
    command: str | None
    remaining: int | None


@dataclass
class VdgSenseSimulator(SimulatorBase):
    """State and knobs of the fake VDG Sense server."""

    version: str = DEFAULT_VERSION
    legacy: bool = False
    # percent per simulated second for each device of an export
    speed: float = 5.0
    # simulated seconds an export stays SYNCING before progress starts
    sync_seconds: float = 2.0
    tag_case: TagCase = "lower"
    status_case: StatusCase = "upper"
    shuffle: bool = False
    extra_tags: bool = False
    omit_count: bool = False
    export_reply: Literal["flat", "nested", "attribute"] = "flat"
    # write text and attribute values as they are, without escaping
    raw_values: bool = False
    # export ids whose element is cut short after its path value
    truncated: set[int] = field(default_factory=set)
    api_license: bool = True
    devices: list[SimDevice] = field(default_factory=list)
    exports: dict[int, SimExport] = field(default_factory=dict)
    next_id: int = 1
    failure: SimFailure | None = None
    clock: Callable[[], float] = time.monotonic
    offset: float = 0.0
    seed: int = 4
    last_query: dict[str, str] = field(default_factory=dict)
    last_body: bytes = b""
    # requests per command (lower case), authorized ones only
    commands: Counter[str] = field(default_factory=Counter)
    restarts: int = 0

    def __post_init__(self) -> None:
        """Start with the default cameras."""
        self._random = random.Random(self.seed)
        # ids of the elements of the answer being written that are cut short
        self._cut: set[int] = set()
        if not self.devices:
            self.devices = [
                SimDevice(name, _uid(0x5E45E001, 1), _uid(0xD0000000, i + 1))
                for i, name in enumerate(DEFAULT_CAMERAS)
            ]

    # --- time ----------------------------------------------------------------

    def now(self) -> float:
        """Simulated seconds."""
        return self.clock() + self.offset

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        self.offset += seconds

    # --- knobs ---------------------------------------------------------------

    def restart(self) -> None:
        """Restart the plugin manager: exports forgotten, ids from 1 again."""
        self.exports.clear()
        self.next_id = 1
        self.restarts += 1

    def fail(
        self,
        code: int,
        description: str = "",
        *,
        command: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer ``code`` to the next ``times`` commands (None = until cleared)."""
        self.failure = SimFailure(
            code, description, command.lower() if command else None, times
        )

    def remove(self, export_id: int) -> None:
        """Mark an export REMOVED (it stays listed)."""
        self.exports[export_id].removed = True

    def forget(self, export_id: int) -> None:
        """Drop an export from the list."""
        del self.exports[export_id]

    def add_export(
        self,
        path: str,
        devices: list[SimExportDevice] | None = None,
        bandwidth: int | None = None,
        *,
        age: float = 0.0,
    ) -> SimExport:
        """Create an export as exportVideo does, ``age`` simulated seconds old."""
        if devices is None:
            camera = self.devices[0]
            end = datetime(2024, 1, 19, 10, 5, tzinfo=UTC)
            devices = [
                SimExportDevice(
                    camera.server_id, camera.device_id, end - timedelta(minutes=5), end
                )
            ]
        export = SimExport(
            self.next_id, path, bandwidth, devices, created=self.now() - age
        )
        self.exports[export.export_id] = export
        self.next_id += 1
        return export

    def seed_exports(self, count: int, *, active_share: float = 0.1) -> None:
        """Add ``count`` exports (the load knob).

        ``active_share`` of them, spread evenly, are still running (half
        SYNCING, half PENDING at various progress); the others are COMPLETED,
        every 25th of those REMOVED. Large installations keep many finished
        exports and run a few at a time.
        """
        base = datetime(2024, 1, 19, 8, 0, tzinfo=UTC)
        exporting = 100.0 / max(self.speed, 1e-9)
        running = 0
        for i in range(count):
            cameras = [
                self.devices[(i + k) % len(self.devices)] for k in range(1 + i % 3)
            ]
            start = base + timedelta(minutes=i)
            devices = [
                SimExportDevice(
                    c.server_id,
                    c.device_id,
                    start,
                    start + timedelta(minutes=2 + k),
                    1.0 + 0.5 * k,
                )
                for k, c in enumerate(cameras)
            ]
            active = int((i + 1) * active_share) > int(i * active_share)
            if active:
                running += 1
                if running % 2:
                    age = self.sync_seconds / 2
                else:  # the fastest device is 5..94 % done
                    age = self.sync_seconds + exporting * ((i * 37) % 90 + 5) / 100
            else:
                age = self.sync_seconds + exporting * devices[-1].slowness + 60.0
            export = self.add_export(
                f"\\\\nas\\exports\\load\\export_{i:05d}",
                devices,
                bandwidth=512 * (1 + i % 8),
                age=age,
            )
            if not active and i % 25 == 24:
                export.removed = True

    # --- export state over time ----------------------------------------------

    def device_progress(self, export: SimExport, device: SimExportDevice) -> float:
        """Progress of one device in %, from the simulated clock."""
        elapsed = self.now() - export.created - self.sync_seconds
        if elapsed <= 0:
            return 0.0
        return min(100.0, elapsed * self.speed / device.slowness)

    def export_state(self, export: SimExport) -> str:
        """SYNCING, PENDING, COMPLETED or REMOVED."""
        if export.removed:
            return "REMOVED"
        if self.now() - export.created < self.sync_seconds:
            return "SYNCING"
        if all(self.device_progress(export, d) >= 100.0 for d in export.devices):
            return "COMPLETED"
        return "PENDING"

    # --- XML writing ---------------------------------------------------------

    def _tag(self, name: str) -> str:
        match self.tag_case:
            case "upper":
                return name.upper()
            case "camel":
                return _CAMEL.get(name, name.capitalize())
            case "random":
                return "".join(
                    c.upper() if self._random.random() < 0.5 else c for c in name
                )
            case _:
                return name

    def _status(self, value: str) -> str:
        match self.status_case:
            case "lower":
                return value.lower()
            case "title":
                return value.title()
            case _:
                return value

    def _node(
        self, parent: ET.Element, name: str, text: str | None = None
    ) -> ET.Element:
        element = ET.SubElement(parent, self._tag(name))
        if text is not None:
            element.text = text
        return element

    def _finish(self, element: ET.Element) -> None:
        """Apply the shuffle/extra-tags knobs below ``element``."""
        if self.extra_tags:
            extra = ET.Element(self._tag("comment"))
            extra.text = "added by a newer server"
            element.insert(self._random.randint(0, len(element)), extra)
        if self.shuffle:
            children = list(element)
            self._random.shuffle(children)
            element[:] = children

    def _result(self, code: int = 0, description: str = "Ok") -> ET.Element:
        root = ET.Element(self._tag("result"))
        root.set(self._tag("errorcode"), str(code))
        self._node(root, "description", description)
        return root

    def _export_xml(self, parent: ET.Element, export: SimExport) -> None:
        element = self._node(parent, "export")
        if export.export_id in self.truncated:
            self._cut.add(id(element))
        self._node(element, "exportid", str(export.export_id))
        self._node(element, "path", export.path)
        status = self.export_state(export)
        self._node(element, "status", self._status(status))
        if export.bandwidth is not None:
            self._node(element, "bandwidth", str(export.bandwidth))
        devices = self._node(element, "devices")
        for device in export.devices:
            entry = self._node(devices, "device")
            self._node(entry, "serverid", device.server_id)
            self._node(entry, "deviceid", device.device_id)
            self._node(entry, "starttime", api_time(device.start))
            self._node(entry, "endtime", api_time(device.end))
            progress = self.device_progress(export, device)
            self._node(entry, "progress", str(int(progress)))
            if status == "REMOVED":
                device_status = status
            elif status == "SYNCING":
                device_status = "SYNCING"
            else:
                device_status = "COMPLETED" if progress >= 100.0 else "PENDING"
            self._node(entry, "status", self._status(device_status))
            self._finish(entry)
        self._finish(element)

    def _xml_response(self, root: ET.Element, status: int = 200) -> web.Response:
        if self.raw_values or self._cut:
            text = "".join(self._serialize(root))
            self._cut.clear()
            body = f"<?xml version='1.0' encoding='utf-8'?>\n{text}".encode()
        else:
            body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return web.Response(
            body=body, status=status, content_type="text/xml", charset="utf-8"
        )

    def _serialize(self, element: ET.Element) -> list[str]:
        """XML text of ``element``: values raw or escaped, cut elements cut."""
        raw = self.raw_values

        def text(content: str) -> str:
            return content if raw else escape(content)

        attributes = "".join(
            f' {name}="{content}"' if raw else f" {name}={quoteattr(content)}"
            for name, content in element.attrib.items()
        )
        parts = [f"<{element.tag}{attributes}>", text(element.text or "")]
        if id(element) in self._cut:
            # what a server that stopped writing half-way leaves: the id and
            # the start of the path, nothing closed
            for child in list(element)[:2]:
                parts += [f"<{child.tag}>", text(child.text or "")]
                if child.tag.lower() != "path":
                    parts.append(f"</{child.tag}>")
            return parts
        for child in element:
            parts += self._serialize(child)
        parts.append(f"</{element.tag}>")
        return parts

    def error(self, code: int, description: str) -> web.Response:
        """A ``<result>`` answer carrying an error code."""
        return self._xml_response(self._result(code, description))

    # --- HTTP ----------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        """``/info`` and ``/command``."""
        app.router.add_get("/info", self.handle_info)
        app.router.add_route("*", "/command", self.handle_command)

    async def handle_info(self, request: web.Request) -> web.Response:
        """``/info`` (no authentication; 404 on legacy servers)."""
        if self.legacy:
            return web.Response(status=404, text="Not Found")
        root = ET.Element(self._tag("apiinfo"))
        self._node(root, "utc", api_time(datetime.now(UTC)))
        self._node(root, "version", self.version)
        self._finish(root)
        return self._xml_response(root)

    def _authorized(self, request: web.Request) -> bool:
        if self.auth is None:
            return True
        scheme, _, token = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode()
        except ValueError:
            return False
        login, _, password = decoded.partition(":")
        return (login, password) == self.auth

    async def handle_command(self, request: web.Request) -> web.Response:
        """``/command?command=NAME`` (names are case-insensitive)."""
        if not self._authorized(request):
            return web.Response(
                status=401,
                text="Unauthorized",
                headers={hdrs.WWW_AUTHENTICATE: 'Basic realm="VDG Sense"'},
            )
        self.last_query = dict(request.query)
        command = request.query.get("command", "").lower()
        self.commands[command] += 1
        if (failure := self.failure) is not None and failure.command in (None, command):
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self.failure = None
            return self.error(failure.code, failure.description)
        if command == "getdevicelist":
            return self._device_list()
        if command == "getexportvideostatus":
            return self._export_status(request.query.get("exportid"))
        if command == "exportvideo":
            if request.method != "POST":
                return web.Response(status=405, text="exportVideo takes a POST")
            self.last_body = await request.read()
            return self._export_video(self.last_body)
        return self.error(CODE_NOT_IMPLEMENTED, "Not implemented")

    def _device_list(self) -> web.Response:
        root = self._result()
        container = self._node(root, "devices")
        if not self.omit_count:
            container.set(self._tag("count"), str(len(self.devices)))
        for device in self.devices:
            entry = self._node(container, "device")
            self._node(entry, "name", device.name)
            self._node(entry, "serverid", device.server_id)
            self._node(entry, "deviceid", device.device_id)
            self._node(entry, "status", device.status)
            self._node(entry, "type", device.type)
            self._node(entry, "brand", device.brand)
            self._node(entry, "location", device.location)
            self._node(entry, "ptztype", device.ptz_type)
            self._node(entry, "ipaddress", device.ip_address)
            self._node(entry, "port", str(device.port))
            self._finish(entry)
        return self._xml_response(root)

    def render_export_status(self, wanted: str | None = None) -> bytes:
        """The body of a getExportVideoStatus answer (for benchmarks too)."""
        body = self._export_status(wanted).body
        assert isinstance(body, bytes)
        return body

    def _export_status(self, wanted: str | None) -> web.Response:
        if wanted is not None:
            try:
                export = self.exports[int(wanted)]
            except ValueError, KeyError:
                return self.error(CODE_INVALID_EXPORT_ID, "Invalid exportid")
            selected = [export]
        else:
            selected = list(self.exports.values())
        root = self._result()
        container = self._node(root, "exports")
        if not self.omit_count:
            container.set(self._tag("count"), str(len(selected)))
        for export in selected:
            self._export_xml(container, export)
        self._finish(root)
        return self._xml_response(root)

    def _export_video(self, body: bytes) -> web.Response:
        if not self.api_license:
            return self.error(CODE_NOT_IMPLEMENTED, "No API license")
        if re.search(rb"<!\s*(?:doctype|entity)", body, re.IGNORECASE):
            return self.error(CODE_GENERAL, "Document types are not accepted")
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return self.error(CODE_GENERAL, "Malformed request")
        known = {(d.server_id.lower(), d.device_id.lower()) for d in self.devices}
        devices: list[SimExportDevice] = []
        for entry in root.iter():
            if entry.tag.lower() != "device":
                continue
            fields = {child.tag.lower(): (child.text or "") for child in entry}
            server_id = fields.get("serverid", "")
            device_id = fields.get("deviceid", "")
            if (server_id.lower(), device_id.lower()) not in known:
                return self.error(CODE_NO_DEVICE, "No device")
            try:
                start = parse_api_time(fields.get("starttime", ""))
                end = parse_api_time(fields.get("endtime", ""))
            except ValueError:
                return self.error(CODE_GENERAL, "Invalid time")
            if start >= end:
                return self.error(CODE_GENERAL, "Invalid time range")
            devices.append(
                SimExportDevice(
                    server_id, device_id, start, end, 1.0 + 0.5 * len(devices)
                )
            )
        path = next((e.text or "" for e in root if e.tag.lower() == "path"), "")
        bandwidth = next(
            (e.text or "" for e in root if e.tag.lower() == "bandwidth"), None
        )
        if not devices or not path:
            return self.error(CODE_GENERAL, "Missing devices or path")
        try:
            kbits = int(bandwidth) if bandwidth is not None else None
        except ValueError:
            return self.error(CODE_GENERAL, "Invalid bandwidth")
        export = self.add_export(path, devices, kbits)
        root = self._result()
        self._node(root, "path", path)
        match self.export_reply:
            case "nested":
                holder = self._node(root, "export")
                self._node(holder, "exportid", str(export.export_id))
            case "attribute":
                root.set(self._tag("exportid"), str(export.export_id))
            case _:
                self._node(root, "exportid", str(export.export_id))
        return self._xml_response(root)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the fake server."""
    group = parser.add_argument_group("TKH Security VDG Sense")
    group.add_argument("--vdg-port", type=int, default=0, help="port (0 = off)")
    group.add_argument("--vdg-username")
    group.add_argument("--vdg-password")
    group.add_argument(
        "--vdg-exports", type=int, default=0, help="exports to seed (load)"
    )
    group.add_argument(
        "--vdg-speed",
        type=float,
        default=5.0,
        help="export progress in percent per second",
    )
    group.add_argument(
        "--vdg-legacy", action="store_true", help="answer /info with 404"
    )
    group.add_argument(
        "--vdg-raw",
        action="store_true",
        help="write values unescaped, like real servers (a path 'a & b' stays bare)",
    )


def build(args: argparse.Namespace) -> VdgSenseSimulator | None:
    """The fake server configured from the command line."""
    if not args.vdg_port:
        return None
    sim = VdgSenseSimulator(
        speed=args.vdg_speed, legacy=args.vdg_legacy, raw_values=args.vdg_raw
    )
    if args.vdg_username:
        sim.auth = (args.vdg_username, args.vdg_password or "")
    if args.vdg_exports:
        sim.seed_exports(args.vdg_exports)
    return sim
