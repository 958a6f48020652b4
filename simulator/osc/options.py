"""``camera.setOptions`` and ``camera.getOptions`` of the fake camera."""

from __future__ import annotations

from typing import Any

from .camera import OscFault
from .constants import (
    EV_SUPPORT,
    ISO_SUPPORT,
    PICTURE_BYTES_ESTIMATE,
    READ_ONLY_OPTIONS,
    TOTAL_SPACE,
    WHITE_BALANCE_SUPPORT,
)
from .preview import OscPreview


class OscOptions(OscPreview):
    """Camera options: validated like a THETA, read-only ones included."""

    def _all_options(self) -> dict[str, Any]:
        used = sum(len(f.content) for f in self.files.values())
        return (
            self.options
            | {
                "clientVersion": self.client_version,
                "remainingSpace": TOTAL_SPACE - used,
                "totalSpace": TOTAL_SPACE,
                "remainingPictures": (TOTAL_SPACE - used) // PICTURE_BYTES_ESTIMATE,
                "captureModeSupport": list(self._capture_modes),
                "isoSupport": list(ISO_SUPPORT),
                "exposureCompensationSupport": list(EV_SUPPORT),
                "whiteBalanceSupport": list(WHITE_BALANCE_SUPPORT),
            }
            | self.preview_options_of()
        )

    def _set_options(self, params: dict[str, Any]) -> dict[str, Any]:
        options = params.get("options")
        if options is None:
            raise OscFault(400, "missingParameter", "Parameter options is missing")
        if not isinstance(options, dict) or not options:
            raise OscFault(400, "invalidParameterValue", "Parameter options is invalid")
        updates: dict[str, Any] = {}
        for name, value in options.items():
            updates[name] = self._check_option(name, value)
        if "captureMode" in updates and self.recording:
            raise OscFault(
                403, "disabledCommand", "Cannot change captureMode while recording"
            )
        if "captureMode" in updates or "previewFormat" in updates:
            self.end_previews()
        version = updates.pop("clientVersion", None)
        self.options.update(updates)
        if version is not None and version != self.client_version:
            self.client_version = version
            self.sessions.clear()
        self.touch()
        return self._done("camera.setOptions")

    def _check_option(self, name: str, value: Any) -> Any:
        def bad() -> OscFault:
            return OscFault(
                400,
                "invalidParameterValue",
                f"Parameter options.{name} is out of range",
            )

        def number(v: Any) -> bool:
            return isinstance(v, int | float) and not isinstance(v, bool)

        if name in READ_ONLY_OPTIONS or (
            name not in self.options and name != "clientVersion"
        ):
            raise OscFault(
                400, "invalidParameterName", f"Parameter options.{name} is unsupported"
            )
        match name:
            case "iso":
                if not number(value) or value not in ISO_SUPPORT:
                    raise bad()
                return int(value)
            case "exposureCompensation":
                if not number(value) or round(float(value), 1) not in EV_SUPPORT:
                    raise bad()
                return float(value)
            case "captureMode":
                if value not in self._capture_modes:
                    raise bad()
            case "whiteBalance":
                if value not in WHITE_BALANCE_SUPPORT:
                    raise bad()
            case "previewFormat":
                if self.check_preview_format(value) is None:
                    raise bad()
            case "clientVersion":
                if not number(value) or value not in self.api_levels:
                    raise bad()
                if value == 2 and self.refuse_level2:
                    raise bad()
                return int(value)
            case _:
                if not number(value) or value < 0:
                    raise bad()
        return value

    def _get_options(self, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("optionNames")
        if names is None:
            raise OscFault(400, "missingParameter", "Parameter optionNames is missing")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise OscFault(
                400, "invalidParameterValue", "Parameter optionNames is invalid"
            )
        known = self._all_options()
        for name in names:
            if name not in known:
                raise OscFault(
                    400,
                    "invalidParameterName",
                    f"Parameter optionNames.{name} is unsupported",
                )
        return self._done(
            "camera.getOptions", {"options": {n: known[n] for n in names}}
        )
