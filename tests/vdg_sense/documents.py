"""VDG Sense answers the parser tests share, and builders of export entries."""

from __future__ import annotations

from collections.abc import Callable

from custom_components.camera_bridge.api.vdg_sense import (
    ExportStatus,
    parse_device_list,
    parse_export_reply,
    parse_export_status,
    parse_info,
)

PARSERS: dict[str, Callable[[bytes], object]] = {
    "status": parse_export_status,
    "devices": parse_device_list,
    "info": parse_info,
    "reply": parse_export_reply,
}


STATUS = b"""<?xml version="1.0" ?>
<result errorcode="0">
  <exports count="2">
    <export>
      <exportid>12</exportid>
      <path>\\\\nas\\exports\\incident</path>
      <status>PENDING</status>
      <bandwidth>4096</bandwidth>
      <devices>
        <device>
          <serverid>{S1}</serverid>
          <deviceid>{D1}</deviceid>
          <starttime>2024-01-19 10:00:00</starttime>
          <endtime>2024-01-19 10:05:00</endtime>
          <progress>40</progress>
          <status>PENDING</status>
        </device>
        <device>
          <serverid>{S1}</serverid>
          <deviceid>{D2}</deviceid>
          <starttime>2024-01-19 10:00:00</starttime>
          <endtime>2024-01-19 10:05:00</endtime>
          <progress>100</progress>
          <status>COMPLETED</status>
        </device>
      </devices>
    </export>
    <export>
      <exportid>13</exportid>
      <path>D:\\exports\\done</path>
      <status>completed</status>
      <bandwidth>1024</bandwidth>
      <devices>
        <device>
          <serverid>{S1}</serverid>
          <deviceid>{D3}</deviceid>
          <starttime>2024-01-19 11:00:00</starttime>
          <endtime>2024-01-19 11:01:00</endtime>
          <progress>100</progress>
          <status>completed</status>
        </device>
      </devices>
    </export>
  </exports>
</result>
"""


DEVICES = b"""<?xml version="1.0" encoding="UTF-8"?>
<result errorcode="0"><description>Ok</description>
<devices count="2">
 <device><name>Gate</name><serverid>{S1}</serverid><deviceid>{D1}</deviceid>
  <status>online</status><type>camera</type><brand>Axis</brand>
  <location>North</location><ptztype>none</ptztype><ipaddress>10.0.0.5</ipaddress>
  <port>80</port></device>
 <device><serverid>{S1}</serverid><deviceid>{D2}</deviceid><port>n/a</port></device>
</devices></result>
"""


INFO = b"<apiinfo><utc>2024-01-19 10:00:00</utc><version>2.7.3</version></apiinfo>"


def status_of(xml: str) -> ExportStatus:
    """A fresh parse of an exportVideoStatus answer."""
    return parse_export_status(xml.encode())


def device_xml(**fields: str | None) -> str:
    """One device of an export (None leaves a tag out)."""
    values: dict[str, str | None] = {
        "serverid": "{S}",
        "deviceid": "{D}",
        "starttime": "2024-01-19 10:00:00",
        "endtime": "2024-01-19 10:05:00",
        "progress": "10",
        "status": "PENDING",
    } | fields
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)
    return f"<device>{inner}</device>"


def export_xml(device: str | None = None, **fields: str | None) -> str:
    """One export entry around ``device`` (None leaves a tag out)."""
    values: dict[str, str | None] = {
        "exportid": "1",
        "path": "p",
        "status": "PENDING",
        "bandwidth": "64",
    } | fields
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)
    return f"<export>{inner}<devices>{device or device_xml()}</devices></export>"
