"""How the fake VDG Sense server writes its XML, knobs included."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from .records import SimExport, api_time
from .state import VdgSenseState

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


class VdgXmlWriter(VdgSenseState):
    """Answers as XML: tag and status case, shuffling, extra tags, raw values."""

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
