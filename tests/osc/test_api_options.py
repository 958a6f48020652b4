"""The OSC client against the simulated camera: options and command errors."""

from __future__ import annotations

import time
from typing import Any

import pytest

from custom_components.camera_bridge.api.errors import BackendError, InvalidResponse
from custom_components.camera_bridge.api.osc import (
    OscBusyError,
    OscCancelledError,
    OscClient,
    OscParameterRefused,
    OscUnknownCommand,
    OscValidationError,
    command_error,
)
from custom_components.camera_bridge.api.osc.errors import MAX_MESSAGE, SEARCH_CHARS
from simulator import osc as osc_sim_module
from simulator.osc import OscSimulator
from tests.osc.conftest import (
    RICOH_MISSING,
    RICOH_NAME,
    RICOH_VALUE,
    empty_results,
    prime,
    refusal,
)

# ------------------------------------------------------------------- options


async def test_set_and_get_options(client: OscClient, osc_sim: OscSimulator) -> None:
    """Options round-trip through the camera."""
    await client.set_options({"iso": 200, "exposureCompensation": -0.7})
    assert osc_sim.options["iso"] == 200
    assert await client.get_options(["iso", "exposureCompensation"]) == {
        "iso": 200,
        "exposureCompensation": -0.7,
    }
    await client.set_options({})
    assert osc_sim.count("execute:camera.setOptions") == 1


@pytest.mark.parametrize(
    ("options", "code", "parameter", "detailed"),
    [
        # RICOH's generic messages: the one option sent is the refused one
        ({"iso": 123}, "invalidParameterValue", "iso", False),
        ({"captureMode": "timelapse"}, "invalidParameterValue", "captureMode", False),
        ({"fancyMode": True}, "invalidParameterName", "fancyMode", False),
        ({"remainingSpace": 1}, "invalidParameterName", "remainingSpace", False),
        # ... but of two options nobody can tell which one
        ({"iso": 200, "exposureCompensation": 9}, "invalidParameterValue", None, False),
        # a camera whose message names the option
        (
            {"iso": 200, "exposureCompensation": 9},
            "invalidParameterValue",
            "exposureCompensation",
            True,
        ),
        ({"fancyMode": True}, "invalidParameterName", "fancyMode", True),
    ],
)
async def test_set_options_validation(
    client: OscClient,
    osc_sim: OscSimulator,
    options: dict[str, Any],
    code: str,
    parameter: str | None,
    detailed: bool,
) -> None:
    """Validation errors name an option we sent, or none."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(OscValidationError) as err:
        await client.set_options(options)
    assert err.value.code == code
    assert err.value.parameter == parameter
    assert isinstance(err.value, OscParameterRefused) is (parameter is not None)


@pytest.mark.parametrize(
    ("detailed", "parameter"), [(True, "warpDrive"), (False, None)]
)
async def test_get_options_validation(
    client: OscClient, osc_sim: OscSimulator, detailed: bool, parameter: str | None
) -> None:
    """Unknown option names are named back when the camera's message says which."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(OscValidationError) as err:
        await client.get_options(["iso", "warpDrive"])
    assert err.value.code == "invalidParameterName"
    assert err.value.parameter == parameter


@pytest.mark.parametrize("detailed", [True, False])
async def test_missing_parameter(
    client: OscClient, osc_sim: OscSimulator, detailed: bool
) -> None:
    """missingParameter never names the parameter that was not sent."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(OscValidationError) as err:
        await client.execute("camera.setOptions", {})
    assert err.value.code == "missingParameter"
    assert err.value.parameter is None
    expected = "Parameter options is missing" if detailed else RICOH_MISSING
    assert err.value.message == expected


async def test_get_options_without_options(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """getOptions answering no options object is InvalidResponse."""
    await prime(client)
    osc_sim.faults = empty_results("camera.getOptions")
    with pytest.raises(InvalidResponse, match="options"):
        await client.get_options(["iso"])


@pytest.mark.parametrize(
    ("code", "message", "sent", "kind", "parameter"),
    [
        ("disabledCommand", "", None, OscBusyError, None),
        ("cameraInExclusiveUse", "", None, OscBusyError, None),
        ("canceledConversion", "", None, OscCancelledError, None),
        (
            "invalidParameterValue",
            "iso must be a number",
            {"options": {"iso": "x"}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            "Parameter options.iso is out of range",
            {"options": {"iso": 1, "whiteBalance": "auto"}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            "Value 'whiteBalance' is wrong",
            {"options": {"iso": 100, "whiteBalance": "x"}},
            OscParameterRefused,
            "whiteBalance",
        ),
        # a name the request did not carry is never reported
        (
            "invalidParameterValue",
            "Value 'whiteBalance' is wrong",
            None,
            OscValidationError,
            None,
        ),
        (
            "invalidParameterName",
            "bad parameters.fileType",
            None,
            OscValidationError,
            None,
        ),
        (
            "invalidParameterName",
            "bad parameters.fileType",
            {"fileType": "x", "entryCount": 1},
            OscParameterRefused,
            "fileType",
        ),
        # the holder of several options when only it is named
        (
            "invalidParameterValue",
            "options is not an object",
            {"options": {"iso": 1, "whiteBalance": "auto"}},
            OscParameterRefused,
            "options",
        ),
        # quoted names may hold any character; the first one mentioned wins
        (
            "invalidParameterName",
            'Unknown option "_my-option"',
            {"options": {"_my-option": 1, "iso": 2}},
            OscParameterRefused,
            "_my-option",
        ),
        (
            "invalidParameterValue",
            "iso conflicts with exposureProgram",
            {"options": {"exposureProgram": 1, "iso": 2}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            "Parameter sessionId is invalid",
            {"sessionId": "s", "fileType": "all", "entryCount": 1},
            OscValidationError,
            None,
        ),
        (
            "tooManyParameters",
            "too many",
            {"optionNames": ["a"]},
            OscValidationError,
            None,
        ),
        (
            "missingParameter",
            "entryCount is required",
            {"entryCount": 1, "sessionId": "s"},
            OscParameterRefused,
            "entryCount",
        ),
        # RICOH's messages, word for word: they name nothing (issue 8)
        (
            "invalidParameterName",
            RICOH_NAME,
            {"optionNames": ["iso", "captureMode"]},
            OscValidationError,
            None,
        ),
        (
            "invalidParameterValue",
            RICOH_VALUE,
            {"options": {"iso": 100, "whiteBalance": "x"}},
            OscValidationError,
            None,
        ),
        (
            "missingParameter",
            RICOH_MISSING,
            {"fileType": "all"},
            OscValidationError,
            None,
        ),
        ("missingParameter", RICOH_MISSING, None, OscValidationError, None),
        # ... but a request carrying one option or parameter can only be about it
        (
            "invalidParameterName",
            RICOH_NAME,
            {"optionNames": ["warpDrive"], "sessionId": "s"},
            OscParameterRefused,
            "warpDrive",
        ),
        (
            "invalidParameterValue",
            RICOH_VALUE,
            {"options": {"iso": 123}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            RICOH_VALUE,
            {"fileUrls": ["http://camera/files/R0010001.JPG"]},
            OscParameterRefused,
            "fileUrls",
        ),
        ("unknownCommand", "", None, OscUnknownCommand, None),
        ("powerOffSequenceRunning", "bye", None, BackendError, None),
    ],
)
def test_command_error_mapping(
    code: str,
    message: str,
    sent: dict[str, Any] | None,
    kind: type[BackendError],
    parameter: str | None,
) -> None:
    """Every OSC error code family maps to its type; only sent names are named."""
    error = command_error(code, message, sent)
    assert type(error) is kind
    assert error.code == code
    assert str(error)
    if isinstance(error, OscValidationError):
        assert error.parameter == parameter


def test_command_error_long_message() -> None:
    """A megabyte message costs a bounded search and is kept short.

    200 option names against a 1 MiB message once took 2.7 s (issue 10);
    only the message's start is searched for the refused option.
    """
    sent = {"options": {f"option{i}": i for i in range(200)}}
    message = "option199 is out of range " + "x " * (512 * 1024)
    started = time.perf_counter()
    error = command_error("invalidParameterValue", message, sent)
    assert time.perf_counter() - started < 1.0
    assert isinstance(error, OscParameterRefused)
    assert error.parameter == "option199"
    late = command_error(
        "invalidParameterValue", "x " * SEARCH_CHARS + "option199 is wrong", sent
    )
    assert type(late) is OscValidationError
    assert len(error.message) == MAX_MESSAGE
    assert error.message.endswith("…")
    assert len(str(error)) < 2 * MAX_MESSAGE
    unknown = command_error("y" * 100_000, message)
    assert len(str(unknown)) < 2 * MAX_MESSAGE


async def test_long_error_message_over_http(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A camera answering a 64 KB error message: the error shows its start only."""
    await prime(client)
    osc_sim.faults = refusal("camera.setOptions", "invalidParameterValue", "z" * 65536)
    with pytest.raises(OscParameterRefused) as err:
        await client.set_options({"iso": 100})
    assert err.value.parameter == "iso"
    assert err.value.message == "z" * (MAX_MESSAGE - 1) + "…"


def test_simulator_speaks_ricoh() -> None:
    """The simulator's default messages are RICOH's, word for word."""
    assert osc_sim_module.RICOH_MESSAGES == {
        "invalidParameterName": RICOH_NAME,
        "invalidParameterValue": RICOH_VALUE,
        "missingParameter": RICOH_MISSING,
    }
    assert not OscSimulator().detailed_errors


async def test_storage_and_modes(client: OscClient, osc_sim: OscSimulator) -> None:
    """Remaining capacity and capture modes come from the options."""
    storage = await client.get_storage()
    assert storage.total_space == osc_sim_module.TOTAL_SPACE
    assert storage.remaining_space == osc_sim_module.TOTAL_SPACE
    assert storage.remaining_pictures is not None and storage.remaining_pictures > 0
    await client.take_picture()
    assert (await client.get_storage()).remaining_space < osc_sim_module.TOTAL_SPACE  # type: ignore[operator]
    assert await client.capture_modes() == ("image", "video")


async def test_capture_modes_unsupported(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A camera without captureModeSupport reports no modes."""
    await prime(client)
    osc_sim.faults = refusal(
        "camera.getOptions", "invalidParameterName", "captureModeSupport"
    )
    await client.info()
    assert await client.capture_modes() == ()
