"""The simulated actions: TriggerRecord, QueryRecordByRecordId, QueryRecordUrl, ...

Each takes the simulator (the account), the request's parameters and the
request, and returns the answer's ``Data`` or raises ``Fail``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import math
from typing import Any
import uuid

from aiohttp import web

from .account import Account
from .errors import Fail, api_error
from .state import FILE_SPLIT, MS_THRESHOLD, SimCamera, SimFile, SimRecord

type Action = Callable[[Account, dict[str, str], web.Request], Any]


def int_param(
    params: Mapping[str, str],
    name: str,
    low: int,
    high: int,
    default: int | None = None,
) -> int:
    """A whole-number parameter within ``low..high`` (``default`` when optional)."""
    raw = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise Fail(
                "MissingParameter",
                f'The input parameter "{name}" that is mandatory for '
                "processing this request is not supplied.",
            )
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Fail("InvalidParameter", f"{name} is not an integer.") from None
    if not low <= value <= high:
        raise Fail("InvalidParameter", f"{name} must be within {low} and {high}.")
    return value


def camera_of(
    sim: Account, params: Mapping[str, str], *, required: bool = True
) -> SimCamera | None:
    """The camera named by IotId (wins) or ProductKey + DeviceName."""
    if iot_id := params.get("IotId"):
        camera = sim.cameras.get(iot_id)
    elif params.get("ProductKey") and params.get("DeviceName"):
        camera = next(
            (
                c
                for c in sim.cameras.values()
                if c.product_key == params["ProductKey"]
                and c.device_name == params["DeviceName"]
            ),
            None,
        )
    elif required:
        raise Fail(
            "MissingParameter", "IotId, or ProductKey and DeviceName, is required."
        )
    else:
        return None
    if camera is None:
        raise api_error("iot.device.NotExistedDevice", "The device does not exist.")
    return camera


def record_of(sim: Account, params: Mapping[str, str]) -> SimRecord:
    """The triggered record named by RecordId (of the named camera, if any)."""
    record_id = params.get("RecordId")
    if not record_id:
        raise Fail(
            "MissingParameter",
            'The input parameter "RecordId" that is mandatory for '
            "processing this request is not supplied.",
        )
    record = sim.records.get(record_id)
    camera = camera_of(sim, params, required=False)
    if record is None or (camera is not None and camera.iot_id != record.iot_id):
        raise api_error("iot.vision.RecordNotFound", "The record does not exist.")
    return record


def trigger_record(sim: Account, params: dict[str, str], request: web.Request) -> Any:
    """Start a record of ``RecordDuration`` s, split into 30-minute files."""
    duration = int_param(params, "RecordDuration", 10, 7200)
    pre_record = int_param(params, "PreRecordDuration", 0, 10, 0)
    stream_type = int_param(params, "StreamType", 0, 1, 0)
    camera = camera_of(sim, params)
    assert camera is not None
    if not camera.online:
        raise api_error("iot.device.DeviceOffline", "The device is offline.")
    if not camera.pre_record:
        pre_record = 0  # documented: only cameras that pre-record honour it
    now = sim.now()
    record_id = uuid.uuid4().hex
    begin = now - pre_record
    files: list[SimFile] = []
    start = begin
    while start < begin + duration:
        stop = min(start + FILE_SPLIT, begin + duration)
        sim_file = sim.add_recording(
            camera.iot_id,
            start,
            stop,
            record_type=2,
            stream_type=stream_type,
            ready_at=now + sim.record_delay,
        )
        sim_file.record_id = record_id
        files.append(sim_file)
        start = stop
    sim.records[record_id] = SimRecord(record_id, camera.iot_id, files)
    return record_id


def query_record_by_record_id(
    sim: Account, params: dict[str, str], request: web.Request
) -> Any:
    """The first file of a record, or ``pending_data`` until it is ready."""
    record = record_of(sim, params)
    first = record.files[0]
    if first.ready_at > sim.now():
        return sim.pending_data
    return {
        "BeginTime": sim.time_value(first.begin),
        "EndTime": sim.time_value(first.end),
        "FileName": first.file_name,
        "VodUrl": sim.vod_url(_origin(request), first.file_name, 3600),
    }


def query_record_url(sim: Account, params: dict[str, str], request: web.Request) -> Any:
    """A playback URL of a ready file."""
    file_name = params.get("FileName")
    if not file_name:
        raise Fail(
            "MissingParameter",
            'The input parameter "FileName" that is mandatory for '
            "processing this request is not supplied.",
        )
    valid_for = int_param(params, "UrlValidDuration", 10, 3600, 30)
    int_param(params, "SeekTime", 0, 2**31 - 1, 0)
    now = sim.now()
    if not any(f.file_name == file_name and f.ready_at <= now for f in sim.files):
        raise api_error("iot.vision.FileNotFound", "The file does not exist.")
    return sim.vod_url(_origin(request), file_name, valid_for)


def stop_triggered_record(
    sim: Account, params: dict[str, str], request: web.Request
) -> Any:
    """End a record now: files not begun are dropped, the last one is cut."""
    record = record_of(sim, params)
    now = sim.now()
    record.stopped = True
    kept = [f for f in record.files if f.begin < now] or record.files[:1]
    for sim_file in record.files[len(kept) :]:
        sim.files.remove(sim_file)
    record.files = kept
    kept[-1].end = max(kept[-1].begin + 1, min(kept[-1].end, now))
    return None


def query_record(sim: Account, params: dict[str, str], request: web.Request) -> Any:
    """One page of a camera's ready files between BeginTime and EndTime."""
    begin = _seconds(int_param(params, "BeginTime", 0, 2**62))
    end = _seconds(int_param(params, "EndTime", 0, 2**62))
    page = int_param(params, "CurrentPage", 1, 1_000_000, 1)
    page_size = int_param(params, "PageSize", 1, 200, 10)
    stream = params.get("StreamType")
    camera = camera_of(sim, params)
    assert camera is not None
    now = sim.now()
    found = sorted(
        (
            f
            for f in sim.files
            if f.iot_id == camera.iot_id
            and f.ready_at <= now
            and f.end >= begin
            and f.begin <= end
            and (stream is None or str(f.stream_type) == stream)
        ),
        key=lambda f: f.begin,
    )
    chunk = found[(page - 1) * page_size : page * page_size]
    answer: dict[str, Any] = {
        "List": [
            {
                "BeginTime": sim.time_value(f.begin),
                "EndTime": sim.time_value(f.end),
                "EventType": f.event_type,
                "FileName": f.file_name,
                "FileSize": f.size,
                "RecordType": f.record_type,
                "SnapshotUrl": "",
                "StreamType": f.stream_type,
            }
            for f in chunk
        ],
        "Page": page,
        "PageSize": page_size,
        "PageCount": max(1, math.ceil(len(found) / page_size)),
        "Total": len(found),
    }
    if not sim.list_total:
        del answer["PageCount"], answer["Total"]
    return answer


def query_time_template(
    sim: Account, params: dict[str, str], request: web.Request
) -> Any:
    """The account's time templates (one all-day template)."""
    page = int_param(params, "CurrentPage", 1, 1_000_000, 1)
    page_size = int_param(params, "PageSize", 1, 50, 10)
    templates = [
        {"TemplateId": "sim-all-day", "Name": "all day", "AllDay": 1, "Default": 1}
    ]
    return {
        "List": templates[(page - 1) * page_size : page * page_size],
        "Page": page,
        "PageSize": page_size,
        "Total": len(templates),
    }


ACTIONS: dict[str, Action] = {
    "TriggerRecord": trigger_record,
    "QueryRecordByRecordId": query_record_by_record_id,
    "QueryRecordUrl": query_record_url,
    "StopTriggeredRecord": stop_triggered_record,
    "QueryRecord": query_record,
    "QueryTimeTemplate": query_time_template,
}


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _seconds(value: int) -> float:
    return value / 1000 if value >= MS_THRESHOLD else float(value)
