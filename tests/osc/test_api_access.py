"""The OSC client against the simulated camera: authentication and API level 1."""

from __future__ import annotations

import time

import pytest

from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    BackendError,
    InvalidResponse,
)
from custom_components.camera_bridge.api.osc import (
    OscBusyError,
    OscClient,
    OscValidationError,
)
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.osc.conftest import ClientFactory, answered, empty_results, is_jpeg, prime

# -------------------------------------------------------------------- auth


async def test_digest_auth(
    make_client: ClientFactory, digest_sim: OscSimulator
) -> None:
    """Right credentials: everything works, files included."""
    client = make_client("THETAYL10100001", "10100001")
    assert (await client.info()).serial_number == "10100001"
    url = await client.take_picture()
    assert is_jpeg(await client.download(url))
    assert digest_sim.auth_failures >= 1  # the first challenge


async def test_digest_wrong_password(
    make_client: ClientFactory, digest_sim: OscSimulator
) -> None:
    """Wrong credentials are AuthenticationFailed, without the password."""
    client = make_client("THETAYL10100001", "s3cret-wrong")
    with pytest.raises(AuthenticationFailed) as err:
        await client.state()
    assert "s3cret" not in str(err.value)
    with pytest.raises(AuthenticationFailed):
        await client.download(f"{client.base_url}/files/x/100RICOH/R1.JPG")


async def test_auth_needed(client: OscClient, digest_sim: OscSimulator) -> None:
    """No credentials for a camera asking for them: AuthenticationFailed."""
    with pytest.raises(AuthenticationFailed, match="asks"):
        await client.info()
    with pytest.raises(AuthenticationFailed):
        await client.take_picture()


async def test_no_auth_direct_mode(
    make_client: ClientFactory, osc_sim: OscSimulator
) -> None:
    """Credentials given to a camera that needs none do no harm."""
    client = make_client("THETAYL10100001", "10100001")
    assert (await client.take_picture()).endswith(".JPG")
    assert osc_sim.auth_failures == 0


# ----------------------------------------------------------------- level 1


async def test_level1_picture(client: OscClient, level1_sim: OscSimulator) -> None:
    """Sessions are opened once; file URIs are downloaded with getImage."""
    uri = await client.take_picture()
    assert client.api_level == 1
    assert uri.startswith("100RICOH/") and uri.endswith(".JPG")
    assert level1_sim.count("execute:camera.startSession") == 1
    assert is_jpeg(await client.download(uri))
    state = await client.state()
    assert state.latest_file_url == uri
    assert state.api_version == 1
    listing = await client.list_files()
    assert [f.url for f in listing.entries] == [uri]
    await client.take_picture()
    assert level1_sim.count("execute:camera.startSession") == 1


async def test_level1_session_renewed(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """An expired session is renewed once and the command retried."""
    await client.set_options({"iso": 100})
    level1_sim.expire_sessions()
    assert (await client.take_picture()).endswith(".JPG")
    assert level1_sim.count("execute:camera.startSession") == 2
    level1_sim.expire_sessions()
    file = level1_sim.shoot_on_camera()
    assert is_jpeg(await client.download(file.uri))
    assert level1_sim.count("execute:camera.startSession") == 3


async def test_level1_session_refused(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """Sessions dying at once: the retry is not repeated forever."""
    level1_sim.session_timeout = -1
    with pytest.raises(BackendError) as err:
        await client.take_picture()
    assert err.value.code == "invalidSessionId"
    assert level1_sim.count("execute:camera.takePicture") == 2
    with pytest.raises(BackendError) as err:
        await client.download("100RICOH/R0000001.JPG")
    assert err.value.code == "invalidSessionId"


async def test_level1_exclusive(client: OscClient, level1_sim: OscSimulator) -> None:
    """Another client holding the camera: busy."""
    level1_sim.exclusive_sessions = True
    level1_sim.sessions["SID_other"] = time.monotonic() + 60
    with pytest.raises(OscBusyError) as err:
        await client.take_picture()
    assert err.value.code == "cameraInExclusiveUse"


async def test_level1_video(client: OscClient, level1_sim: OscSimulator) -> None:
    """Level 1 video uses the vendor recording commands and _video mode."""
    assert await client.capture_modes() == ("image", "video")
    await client.start_capture()
    assert level1_sim.options["captureMode"] == "_video"
    assert level1_sim.count("execute:camera._startRecording") == 1
    assert await client.stop_capture() == ()
    assert level1_sim.count("execute:camera._stopRecording") == 1
    assert level1_sim.options["captureMode"] == "image"


async def test_level1_get_image_errors(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """getImage errors are mapped; a JSON 'done' without image is refused."""
    with pytest.raises(OscValidationError) as err:
        await client.download("100RICOH/R9999999.JPG")
    assert err.value.parameter == "fileUri"
    await client.take_picture()
    level1_sim.faults = Faults(
        status=200,
        status_body={"name": "camera.getImage", "state": "done"},
        paths=("execute",),
    )
    with pytest.raises(InvalidResponse):
        await client.download("100RICOH/R0000010.JPG")


async def test_start_session_odd_answers(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """startSession must finish at once with a sessionId."""
    level1_sim.faults = empty_results("camera.startSession")
    with pytest.raises(InvalidResponse, match="sessionId"):
        await client.take_picture()
    level1_sim.faults = answered("camera.startSession", state="inProgress", id="1")
    with pytest.raises(InvalidResponse, match="at once"):
        await client.take_picture()


async def test_upgrade_to_level2(client: OscClient, osc_sim: OscSimulator) -> None:
    """A level 1+2 camera at clientVersion 1 is switched to level 2."""
    osc_sim.client_version = 1
    url = await client.take_picture()
    assert url.startswith("http://")
    assert client.api_level == 2
    assert osc_sim.client_version == 2
    assert osc_sim.count("execute:camera.startSession") == 1
    assert osc_sim.count("execute:camera.setOptions") == 1


async def test_upgrade_refused(client: OscClient, osc_sim: OscSimulator) -> None:
    """A camera refusing clientVersion 2 is driven at level 1."""
    osc_sim.client_version = 1
    osc_sim.refuse_level2 = True
    uri = await client.take_picture()
    assert client.api_level == 1
    assert uri.startswith("100RICOH/")
    assert osc_sim.count("execute:camera.startSession") == 1


@pytest.mark.parametrize("detailed", [False, True])
async def test_fall_back_to_level1(
    client: OscClient, osc_sim: OscSimulator, detailed: bool
) -> None:
    """A camera that fell back to clientVersion 1 is switched back and the shot retried.

    RICOH's message for the missing sessionId is generic ("Any required
    parameter is not specified."): the refused command makes the client read
    the state, whose _apiVersion 1 tells. A message naming sessionId tells
    at once.
    """
    osc_sim.detailed_errors = detailed
    await client.take_picture()
    osc_sim.fall_back_to_level1()
    states = osc_sim.count("/osc/state")
    url = await client.take_picture()
    assert url.startswith("http://")
    assert osc_sim.client_version == 2
    assert client.api_level == 2
    assert osc_sim.count("execute:camera.takePicture") == 3
    assert osc_sim.count("/osc/state") > states


async def test_fall_back_seen_in_state(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """_apiVersion 1 in a state read makes the next command renegotiate first."""
    await client.take_picture()
    osc_sim.fall_back_to_level1()
    assert (await client.state()).api_version == 1
    assert client.api_level is None
    await client.take_picture()
    assert osc_sim.count("execute:camera.takePicture") == 2
    assert client.api_level == 2


async def test_refusal_is_no_fall_back(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A refused level 2 command on a camera still at level 2 stays an error.

    The state read it costs finds _apiVersion 2: nothing is renegotiated or
    sent again; a level 2 only camera is not even asked.
    """
    await prime(client)
    with pytest.raises(OscValidationError):
        await client.get_options(["warpDrive", "iso"])
    assert osc_sim.count("execute:camera.getOptions") == 1
    assert osc_sim.count("execute:camera.startSession") == 0
    assert client.api_level == 2
    osc_sim.api_levels = (2,)
    await client.info(refresh=True)
    states = osc_sim.count("/osc/state")
    with pytest.raises(OscValidationError):
        await client.get_options(["warpDrive", "iso"])
    assert osc_sim.count("/osc/state") == states


async def test_fall_back_state_unreadable(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """When the state cannot be read after a refusal, the refusal is raised."""
    await client.take_picture()
    osc_sim.fall_back_to_level1()
    osc_sim.faults = Faults(status=503, paths=("/osc/state",))
    with pytest.raises(OscValidationError):
        await client.take_picture()
    assert osc_sim.count("execute:camera.startSession") == 0


async def test_level2_only_camera(client: OscClient, osc_sim: OscSimulator) -> None:
    """A level 2 only camera needs no state read to decide."""
    osc_sim.api_levels = (2,)
    await client.take_picture()
    assert osc_sim.count("/osc/state") == 0
    assert osc_sim.count("execute:camera.startSession") == 0
