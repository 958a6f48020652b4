"""What the fake camera supports, and what RICOH's camera answers word for word."""

from __future__ import annotations

ISO_SUPPORT = (0, 64, 80, 100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1600)
EV_SUPPORT = (-2.0, -1.7, -1.3, -1.0, -0.7, -0.3, 0.0, 0.3, 0.7, 1.0, 1.3, 1.7, 2.0)
WHITE_BALANCE_SUPPORT = ("auto", "daylight", "shade", "cloudy-daylight", "incandescent")
CAPTURE_MODES = ("image", "video")
CAPTURE_MODES_V1 = ("image", "_video")
READ_ONLY_OPTIONS = frozenset(
    {
        "remainingPictures",
        "remainingSpace",
        "totalSpace",
        "captureModeSupport",
        "isoSupport",
        "exposureCompensationSupport",
        "whiteBalanceSupport",
        "previewFormatSupport",
    }
)
TOTAL_SPACE = 19 * 1024**3
PICTURE_BYTES_ESTIMATE = 4 * 1024**2
LEVEL2_ONLY = frozenset(
    {
        "camera.listFiles",
        "camera.startCapture",
        "camera.stopCapture",
        "camera.delete",
        "camera.getLivePreview",
    }
)
LEVEL1_ONLY = frozenset(
    {
        "camera.startSession",
        "camera.updateSession",
        "camera.closeSession",
        "camera.listImages",
        "camera.getImage",
        "camera._startRecording",
        "camera._stopRecording",
        "camera._getLivePreview",
    }
)
# Live preview sizes of a THETA Z1 (width, height, framerate), the default first
PREVIEW_FORMATS = ((1024, 512, 30), (640, 320, 30), (1920, 960, 8))
# What RICOH's THETA emulator answers for validation
# errors, word for word: no parameter is named.
RICOH_MESSAGES = {
    "invalidParameterName": (
        "Any input parameter or option name is unrecognized or supported."
    ),
    "invalidParameterValue": (
        "Any input parameter or option is recognized, but its value is invalid."
    ),
    "missingParameter": "Any required parameter is not specified.",
}
