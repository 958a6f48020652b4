"""The fake VDG Sense server over HTTP: ``/info`` and ``/command``."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
import re
import xml.etree.ElementTree as ET

from aiohttp import hdrs, web

from .records import (
    CODE_GENERAL,
    CODE_INVALID_EXPORT_ID,
    CODE_NO_DEVICE,
    CODE_NOT_IMPLEMENTED,
    SimExportDevice,
    api_time,
    parse_api_time,
)
from .writer import VdgXmlWriter


class VdgSenseSimulator(VdgXmlWriter):
    """State and knobs of the fake VDG Sense server, served over HTTP."""

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
