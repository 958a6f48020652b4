"""Every LinkVisual string the code refers to exists in translations/en.json."""

from __future__ import annotations

import json
from pathlib import Path
import re
import string
from typing import Any

import pytest

import custom_components.camera_bridge as integration

_ROOT = Path(integration.__file__).parent
_STRINGS: dict[str, Any] = json.loads((_ROOT / "translations" / "en.json").read_text())
_SOURCES = "\n".join(
    p.read_text() for p in (_ROOT / "backends" / "linkvisual").glob("*.py")
)


def _get(path: str) -> Any:
    node: Any = _STRINGS
    for part in path.split("."):
        node = node[part]
    return node


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize(
    ("key", "placeholders"),
    [
        ("linkvisual_error", {"code", "message", "request_id"}),
        ("linkvisual_throttled", {"code"}),
        ("invalid_recording_request", {"message"}),
        ("single_camera_required", set()),
        ("recording_required", set()),
        ("recording_not_ready", {"record_id"}),
    ],
)
def test_exception_messages(key: str, placeholders: set[str]) -> None:
    """Each exception key exists and uses exactly the placeholders the code gives."""
    assert key in _SOURCES
    assert _fields(_get(f"exceptions.{key}.message")) == placeholders


def test_form_errors_exist() -> None:
    """Every error key raised by the account and camera forms is translated."""
    account = set(
        re.findall(
            r'InvalidInput\([^,]+, "(\w+)"\)',
            (_ROOT / "backends" / "linkvisual" / "__init__.py").read_text(),
        )
    )
    assert account == {
        "required",
        "invalid_region",
        "invalid_endpoint",
        "throttled",
        "clock_skew",
        "service_error",
    }
    assert account <= set(_get("config.error"))
    camera = set(
        re.findall(
            r'"(\w+)"\)', (_ROOT / "backends" / "linkvisual" / "flow.py").read_text()
        )
    )
    camera = {
        c for c in camera if c in {"required", "device_required", "invalid_pre_record"}
    }
    camera |= {"device_rejected", "invalid_auth", "cannot_connect", "invalid_response"}
    assert camera <= set(_get("config_subentries.camera.error"))
    assert "already_configured" in _get("config_subentries.camera.abort")


def test_fields_and_entities_exist() -> None:
    """Form fields, options, entities, event types and actions have their strings."""
    step = _get("config.step.linkvisual")
    fields = {
        "access_key_id",
        "access_key_secret",
        "region",
        "endpoint",
        "iot_instance_id",
    }
    assert fields <= set(step["data"]) and fields <= set(step["data_description"])
    assert fields <= set(_get("config.step.reconfigure.data"))
    assert "access_key_secret" in _get("config.step.reauth_confirm.data")
    for step_id in ("user", "reconfigure"):
        camera_step = _get(f"config_subentries.camera.step.{step_id}")
        assert set(camera_step["data"]) == set(camera_step["data_description"])
        assert "{error}" in camera_step["description"]
    assert {"pending_interval", "ready_margin"} <= set(
        _get("options.step.init.data_description")
    )
    assert _get("entity.button.record_now.name")
    assert _get("entity.sensor.last_recording.name")
    events = _get("entity.event.recording.state_attributes.event_type.state")
    assert set(events) == {"recording_started", "recording_ready", "recording_failed"}
    for service, service_fields in (
        ("trigger_record", {"duration", "pre_record", "stream_type"}),
        ("get_recording_url", {"record_id", "file_name", "valid_for"}),
    ):
        assert set(_get(f"services.{service}.fields")) == service_fields
