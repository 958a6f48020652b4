"""The simulated OSC camera itself: command line and protocol errors."""

from __future__ import annotations

import argparse
import json
from typing import Any

import aiohttp

from custom_components.camera_bridge.api.osc import HEADERS
from simulator import osc as osc_sim_module
from simulator.common import RunningServer
from simulator.osc import OscSimulator
from tests.osc.conftest import STATUS

# ---------------------------------------------------------------------- CLI


def test_cli() -> None:
    """Command-line options build the camera, or nothing when the port is 0."""
    parser = argparse.ArgumentParser()
    osc_sim_module.add_arguments(parser)
    assert osc_sim_module.build(parser.parse_args([])) is None
    sim = osc_sim_module.build(
        parser.parse_args(
            [
                "--osc-port",
                "8082",
                "--osc-api-level",
                "1",
                "--osc-shot-seconds",
                "0.5",
                "--osc-username",
                "THETA",
                "--osc-password",
                "pw",
            ]
        )
    )
    assert sim is not None
    assert sim.api_levels == (1,) and sim.client_version == 1
    assert sim.shot_seconds == 0.5
    assert sim.auth == ("THETA", "pw")
    sim2 = osc_sim_module.build(parser.parse_args(["--osc-port", "1"]))
    assert sim2 is not None and sim2.api_levels == (1, 2) and sim2.auth is None


# ------------------------------------------------------------- the simulator


async def test_simulator_protocol_errors(
    osc_server: RunningServer,
    osc_sim: OscSimulator,
    session: aiohttp.ClientSession,
) -> None:
    """The fake camera answers malformed requests the way the spec says."""

    async def post(path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        async with session.post(
            f"{osc_server.url}{path}", data=data, headers=dict(HEADERS)
        ) as resp:
            answer = await resp.json()
            return resp.status, answer.get("error", {}).get("code")

    execute = "/osc/commands/execute"
    assert await post("/osc/checkForUpdates", {}) == (400, "missingParameter")
    assert await post(execute, raw=b"{not json") == (400, "invalidParameterValue")
    assert await post(execute, [1]) == (400, "invalidParameterValue")
    assert await post(execute, {}) == (400, "missingParameter")
    assert await post(execute, {"name": "camera.takePicture", "parameters": 1}) == (
        400,
        "invalidParameterValue",
    )
    assert await post(execute, {"name": "camera.listImages"}) == (400, "unknownCommand")
    assert await post(STATUS, {}) == (400, "missingParameter")
    assert await post(STATUS, {"id": "404"}) == (400, "invalidParameterValue")
    bad_lists = [
        {"name": "camera.listFiles", "parameters": {"fileType": "image"}},
        {"name": "camera.listFiles", "parameters": {"fileType": "x", "entryCount": 1}},
        {
            "name": "camera.listFiles",
            "parameters": {"fileType": "all", "entryCount": -1},
        },
        {"name": "camera.setOptions", "parameters": {"options": []}},
        {
            "name": "camera.setOptions",
            "parameters": {"options": {"whiteBalance": "pink"}},
        },
        {"name": "camera.setOptions", "parameters": {"options": {"sleepDelay": -5}}},
        {"name": "camera.setOptions", "parameters": {"options": {"clientVersion": 3}}},
        {"name": "camera.getOptions", "parameters": {}},
        {"name": "camera.getOptions", "parameters": {"optionNames": "iso"}},
        {"name": "camera.delete", "parameters": {}},
    ]
    for body in bad_lists:
        status, code = await post(execute, body)
        assert status == 400, body
        assert code in ("missingParameter", "invalidParameterValue"), body
    # deleting everything, and asking for video mode while recording
    osc_sim.shoot_on_camera()
    assert await post(
        execute, {"name": "camera.delete", "parameters": {"fileUrls": ["all"]}}
    ) == (200, None)
    assert osc_sim.files == {}
    osc_sim.options["captureMode"] = "video"
    assert (await post(execute, {"name": "camera.startCapture"}))[0] == 200
    assert await post(
        execute,
        {
            "name": "camera.setOptions",
            "parameters": {"options": {"captureMode": "image"}},
        },
    ) == (403, "disabledCommand")
    async with session.post(
        f"{osc_server.url}/osc/state", headers=dict(HEADERS)
    ) as resp:
        state = (await resp.json())["state"]
    assert state["_captureStatus"] == "shooting"
    assert state["_recordableTime"] > 0


async def test_simulator_level1_sessions(
    osc_server: RunningServer,
    level1_sim: OscSimulator,
    session: aiohttp.ClientSession,
) -> None:
    """Level 1 session commands of the fake camera."""

    async def run(name: str, params: dict[str, Any] | None = None) -> Any:
        body = {"name": name, "parameters": params or {}}
        async with session.post(
            f"{osc_server.url}/osc/commands/execute",
            data=json.dumps(body),
            headers=dict(HEADERS),
        ) as resp:
            return resp.status, await resp.json()

    status, answer = await run("camera.startSession")
    session_id = answer["results"]["sessionId"]
    assert status == 200
    status, answer = await run("camera.updateSession", {"sessionId": session_id})
    assert answer["results"]["sessionId"] == session_id
    status, answer = await run("camera.takePicture")
    assert answer["error"]["code"] == "missingParameter"
    status, answer = await run("camera.listFiles", {"sessionId": session_id})
    assert answer["error"]["code"] == "unknownCommand"
    status, answer = await run("camera.listImages", {"sessionId": session_id})
    assert answer["error"]["code"] == "missingParameter"
    status, answer = await run("camera.getImage", {"sessionId": session_id})
    assert answer["error"]["code"] == "missingParameter"
    status, answer = await run("camera.closeSession", {"sessionId": session_id})
    assert status == 200
    assert level1_sim.sessions == {}
