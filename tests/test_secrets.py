"""Secrets proven absent, for every backend against its simulator over real sockets.

Each secret gets a marker value of its own: the Web Call Server, THETA
(Digest) and VDG Sense passwords, the LinkVisual AccessKeySecret (and the
AccessKeyId, an identifier kept out of what Home Assistant shows), and the
values the integration is handed while it runs: LinkVisual live, picture and
playback URL tokens (every token the simulator signs is recorded) and the
``authSig`` of the media view's signed paths. Each scenario sets an entry up
through its config entry, polls, runs the actions, live view and camera
images, the Media browser (browse, resolve, the media view), failures (500s,
dropped connections, malformed answers, timeouts, refused credentials and
the reauth flow) and diagnostics, with every Camera Bridge logger (and
aiohttp and Home Assistant's) at DEBUG. ``SecretWatch`` then looks for each
marker in log records (message, arguments, tracebacks), events, states,
diagnostics, action responses, raised errors, config flows (the reauth,
reconfigure and options forms as the frontend gets them) and repairs, and the
reprs of the integration's objects. Where a value belongs by design (a
playback URL in an action's response), the scenario says so.

The Web Call Server's live view carries no token (README: HLS token
authentication is not supported); its stream source is checked as a response.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
import html
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote
import uuid

from homeassistant.components.camera import async_get_stream_source
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.backends import osc as osc_backend
from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults, RunningServer, SimulatorBase
from simulator.linkvisual import LinkVisualSimulator
from simulator.osc import OscSimulator
from simulator.vdg_sense import CODE_GENERAL, SimFailure, VdgSenseSimulator
from simulator.wcs import WcsSimulator
from tests.conftest import MediaWs, find_device, setup_entry
from tests.linkvisual import conftest as lv_fixtures
from tests.osc import conftest as osc_fixtures
from tests.secret_watch import EXCLUDED_LOGGERS, PACKAGE, TIMEOUT, Scenario, SecretWatch
from tests.vdg_sense import conftest as vdg_fixtures
from tests.wcs import conftest as wcs_fixtures

# The backends' own fixtures, reused as they are. The VDG Sense and
# LinkVisual servers both take a fixture named ``sim``: here ``sim`` makes
# the simulator its test names (indirect parametrization).
wcs_sim = wcs_fixtures.wcs_sim
wcs_server = wcs_fixtures.wcs_server
wcs_data = wcs_fixtures.wcs_data
osc_sim = osc_fixtures.osc_sim
osc_server = osc_fixtures.osc_server
osc_data = osc_fixtures.osc_data
fast_osc_client = osc_fixtures.fast_osc_client
vdg_server = vdg_fixtures.vdg_server
vdg_data = vdg_fixtures.vdg_data
server = lv_fixtures.server
lv_data = lv_fixtures.lv_data

ROOT = f"media-source://{DOMAIN}"


@pytest.fixture
def sim(request: pytest.FixtureRequest) -> SimulatorBase:
    """A new simulator made by the test's ``sim`` parameter."""
    make: Callable[[], SimulatorBase] = request.param
    return make()


# A form shown again after a refused secret holds what the user just typed
# (its suggested values): a wrong secret is echoed to its typist, in "flow".
# A stored secret never is (the reconfigure form leaves password fields empty).


def marker(label: str) -> str:
    """A value of its own for one secret, with characters that URL-quoting changes."""
    return f"{label}-{uuid.uuid4().hex[:10]}/+ =&%{uuid.uuid4().hex[:6]}"


@pytest.fixture
def watch(hass: HomeAssistant) -> Iterator[SecretWatch]:
    """Logs at DEBUG and every bus event, collected for the whole test."""
    secret_watch = SecretWatch()
    with secret_watch.watching(hass):
        yield secret_watch


@pytest.fixture
def scenario(
    hass: HomeAssistant, watch: SecretWatch, hass_client: ClientSessionGenerator
) -> Scenario:
    """The steps every scenario shares."""
    return Scenario(hass, watch, hass_client)


def _fail_with_cause(text: str) -> None:
    raise ValueError("wrapped") from KeyError(text)


async def test_the_watch_sees_each_sink(hass: HomeAssistant) -> None:
    """A marker is found in log arguments, tracebacks, events and states, not where allowed."""
    watch = SecretWatch()
    password = watch.add("password", marker("pw"))
    token = watch.add("token", marker("tok"), "response")
    logger = logging.getLogger(f"{PACKAGE}.test")
    with watch.watching(hass):
        logger.debug("no secret here: %s", "nothing")
        assert not watch.findings()
        try:
            _fail_with_cause(password)
        except ValueError:
            logger.debug("failed", exc_info=True)
        hass.bus.async_fire("probe", {"url": f"http://h/?t={token}"})
        await hass.async_block_till_done()
    watch.note("response", "action", {"url": token})
    watch.note("state", "sensor.x", f"quoted {password!r}")
    found = {(finding.secret, finding.sink) for finding in watch.findings()}
    assert found == {("password", "log"), ("password", "state"), ("token", "event")}
    with pytest.raises(AssertionError, match="password in log"):
        watch.check()


def test_readme_says_where_home_assistant_logs_a_live_token() -> None:
    """The stream component's records are left out because the README says so."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.partition("## Alibaba Cloud IoT LinkVisual")[2]
    limitations = section.partition("### Known limitations")[2].partition("\n## ")[0]
    text = " ".join(limitations.split())
    assert (
        "Home Assistant's stream component redacts only `auth`, `user` and "
        "`password` query parameters in its own debug log: with "
        "`homeassistant.components.stream` at debug level, the live URL's token "
        "may appear there."
    ) in text
    assert "homeassistant.components.stream" in EXCLUDED_LOGGERS


@pytest.mark.parametrize("pw_form", ["base64", "quoted", "raw", "html", "lowercase"])
def test_the_watch_sees_a_basic_auth_header(pw_form: str) -> None:
    """A password is seen as written, quoted, escaped, and in a Basic auth header."""
    watch = SecretWatch()
    password = watch.add("password", marker("pw"))
    text = {
        "base64": base64.b64encode(f"someone:{password}".encode()).decode(),
        "quoted": quote(password, safe=""),
        "raw": password,
        "html": html.escape(password),
        "lowercase": quote(password, safe="").lower(),
    }[pw_form]
    watch.note("log", "probe", f"Authorization: Basic {text}")
    assert [f.secret for f in watch.findings()] == ["password"]


async def test_web_call_server(
    hass: HomeAssistant,
    scenario: Scenario,
    watch: SecretWatch,
    wcs_sim: WcsSimulator,
    wcs_server: RunningServer,
    wcs_data: dict[str, Any],
) -> None:
    """Basic auth password: set-up, polls, snapshots, live view, faults, reauth."""
    password = watch.add("WCS password", marker("wcs-pw"))
    refused = watch.add("WCS refused password", marker("wcs-refused"))
    wrong = watch.add("WCS wrong password", marker("wcs-wrong"), "flow")
    rotated = watch.add("WCS new password", marker("wcs-new"))
    wcs_sim.auth = ("operator", password)
    entry = await setup_entry(
        hass,
        {**wcs_data, "username": "operator", "password": refused},
        options={"live_protocol": "hls"},
        unique_id=wcs_server.url,
        expect=ConfigEntryState.SETUP_ERROR,
    )
    await scenario.reauth(
        entry,
        {"username": "operator", "password": wrong},
        {"username": "operator", "password": password},
    )
    entry.runtime_data.client.timeout = TIMEOUT
    await scenario.poll(entry)
    await scenario.image("camera.front_door")
    source = await async_get_stream_source(hass, "camera.front_door")
    watch.note("response", "stream source", source)
    wcs_sim.snapshot_error = "snapshot failed"
    await scenario.image("camera.garden", fails=True)
    wcs_sim.snapshot_error = None
    wcs_sim.faults = Faults(drop=True, paths=("snapshot",))
    await scenario.image("camera.garden", fails=True)
    wcs_sim.faults = Faults()
    await scenario.diagnostics(entry)
    await scenario.faulty_polls(entry, wcs_sim, "find_all")
    wcs_sim.auth = ("operator", rotated)
    await scenario.reauth(
        entry,
        {"username": "operator", "password": wrong},
        {"username": "operator", "password": rotated},
    )
    await scenario.poll(entry)
    await scenario.image("camera.front_door")
    await scenario.finish(entry)


@pytest.fixture
def slow_osc_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The integration's THETA clients give up a request after TIMEOUT."""
    monkeypatch.setattr(
        osc_backend,
        "DEFAULT_TUNING",
        replace(osc_fixtures.FAST_TUNING, timeout=TIMEOUT),
    )


@pytest.mark.usefixtures("slow_osc_timeout")
async def test_theta_digest(
    hass: HomeAssistant,
    scenario: Scenario,
    watch: SecretWatch,
    media_ws: MediaWs,
    hass_client_no_auth: ClientSessionGenerator,
    osc_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """Digest password: shots, pictures, preview, Media browser and view, faults."""
    user = "THETAYL10100001"
    password = watch.add("THETA password", marker("osc-pw"))
    refused = watch.add("THETA refused password", marker("osc-refused"))
    wrong = watch.add("THETA wrong password", marker("osc-wrong"), "flow")
    rotated = watch.add("THETA new password", marker("osc-new"))
    osc_sim.auth = (user, password)
    osc_sim.set_archive(3)
    entry = await setup_entry(
        hass,
        {**osc_data, "username": user, "password": refused},
        title="THETA",
        unique_id=osc_sim.serial_number,
        expect=ConfigEntryState.SETUP_ERROR,
    )
    await scenario.reauth(
        entry,
        {"username": user, "password": wrong},
        {"username": user, "password": password},
    )
    await scenario.call("take_picture", {ATTR_ENTITY_ID: "camera.theta_latest_picture"})
    await scenario.call(
        "press",
        {ATTR_ENTITY_ID: "button.theta_take_picture"},
        domain="button",
        response=False,
    )
    await scenario.call(
        "set_options",
        {ATTR_ENTITY_ID: "camera.theta_latest_picture", "options": {"iso": 12345}},
        fails=True,
        response=False,
    )
    await scenario.poll(entry)
    await scenario.image("camera.theta_latest_picture")
    await scenario.image("camera.theta_live_preview")
    folder = await scenario.media(media_ws, "browse_media", f"{ROOT}/{entry.entry_id}")
    item = folder["children"][0]["media_content_id"]
    resolved = await scenario.media(media_ws, "resolve_media", item)
    anonymous = await hass_client_no_auth()
    response = await anonymous.get(resolved["url"])
    assert response.status == 200
    await response.read()
    osc_sim.faults = Faults(status=500, paths=("/files/",))
    response = await anonymous.get(resolved["url"])
    assert response.status == 502
    osc_sim.faults = Faults(status=500, paths=("/osc/commands/",))
    await scenario.call(
        "take_picture", {ATTR_ENTITY_ID: "camera.theta_latest_picture"}, fails=True
    )
    osc_sim.faults = Faults()
    await scenario.diagnostics(entry)
    await scenario.faulty_polls(entry, osc_sim, "/osc/state")
    osc_sim.auth = (user, rotated)
    await scenario.reauth(
        entry,
        {"username": user, "password": wrong},
        {"username": user, "password": rotated},
    )
    await scenario.call("take_picture", {ATTR_ENTITY_ID: "camera.theta_latest_picture"})
    await scenario.finish(entry)


# as tests/vdg_sense/conftest.py's sim: a clock that moves only with advance
@pytest.mark.parametrize(
    "sim", [lambda: VdgSenseSimulator(clock=lambda: 0.0)], indirect=True, ids=["vdg"]
)
async def test_vdg_sense(
    hass: HomeAssistant,
    scenario: Scenario,
    watch: SecretWatch,
    media_ws: MediaWs,
    sim: VdgSenseSimulator,
    vdg_server: RunningServer,
    vdg_data: dict[str, Any],
) -> None:
    """Basic auth password: exports, status, Media browser, faults, reauth."""
    password = watch.add("VDG Sense password", marker("vdg-pw"))
    refused = watch.add("VDG Sense refused password", marker("vdg-refused"))
    wrong = watch.add("VDG Sense wrong password", marker("vdg-wrong"), "flow")
    rotated = watch.add("VDG Sense new password", marker("vdg-new"))
    sim.auth = ("operator", password)
    entry = await setup_entry(
        hass,
        {**vdg_data, "username": "operator", "password": refused},
        title="VDG Sense 127.0.0.1",
        unique_id=f"127.0.0.1:{vdg_server.port}",
        expect=ConfigEntryState.SETUP_ERROR,
    )
    await scenario.reauth(
        entry,
        {"username": "operator", "password": wrong},
        {"username": "operator", "password": password},
    )
    entry.runtime_data.client.timeout = TIMEOUT
    server_device = find_device(hass, entry.entry_id, entry.entry_id)
    assert server_device is not None
    target = {ATTR_DEVICE_ID: server_device.id}
    export = {
        **target,
        "devices": ["Entrance"],
        "start": "2024-07-01 12:00:00",
        "end": "2024-07-01 12:05:00",
        "path": "D:\\exports\\incident",
    }
    started = await scenario.call("export_video", export)
    await scenario.call("get_export_status", {**target, **started})
    sim.advance(3600)
    await scenario.poll(entry)
    folder = await scenario.media(media_ws, "browse_media", f"{ROOT}/{entry.entry_id}")
    assert folder["children"]
    await scenario.media(
        media_ws, "resolve_media", folder["children"][0]["media_content_id"]
    )
    sim.failure = SimFailure(CODE_GENERAL, "General failure", None, 1)
    await scenario.call("get_export_status", target, fails=True)
    sim.faults = Faults(status=500, paths=("/command",))
    await scenario.call("export_video", export, fails=True)
    sim.faults = Faults()
    await scenario.diagnostics(entry)
    await scenario.faulty_polls(entry, sim, "/command")
    sim.auth = ("operator", rotated)
    await scenario.reauth(
        entry,
        {"username": "operator", "password": wrong},
        {"username": "operator", "password": rotated},
    )
    await scenario.call("get_export_status", target)
    await scenario.finish(entry)


class TokenLog:
    """Every token the LinkVisual simulator signs, by the resource it opens."""

    def __init__(self, sim: LinkVisualSimulator) -> None:
        """Record the tokens of ``sim`` from now on."""
        self.tokens: dict[str, set[str]] = {}
        sign = sim.token

        def token(resource: str, expires: int) -> str:
            value = sign(resource, expires)
            kind = resource.partition("/")[0]
            if kind not in ("live", "pictures"):
                kind = "vod"  # a recording's file name
            self.tokens.setdefault(kind, set()).add(value)
            return value

        sim.token = token  # type: ignore[method-assign]

    def secrets(self, watch: SecretWatch) -> int:
        """Give the watch every token: live and picture tokens belong nowhere."""
        count = 0
        for kind, values in self.tokens.items():
            for value in values:
                # a playback URL is the answer of get_recording_url and of
                # resolving a recording, and the sensor's vod_url attribute
                allowed = ("response", "state", "event") if kind == "vod" else ()
                watch.add(f"LinkVisual {kind} token", value, *allowed)
                count += 1
        return count


# as tests/linkvisual/conftest.py's sim: records ready almost at once
@pytest.mark.parametrize(
    "sim", [lambda: LinkVisualSimulator(record_delay=0.05)], indirect=True, ids=["lv"]
)
async def test_linkvisual(
    hass: HomeAssistant,
    scenario: Scenario,
    watch: SecretWatch,
    media_ws: MediaWs,
    sim: LinkVisualSimulator,
    lv_data: dict[str, Any],
) -> None:
    """AccessKey secret and URL tokens: records, live, stills, media, faults, reauth."""
    # The AccessKeyId names the key; it is no secret (the client shows it in
    # its repr, LinkVisual quotes it in a SignatureDoesNotMatch message, it
    # is the entry's unique id and so in a reauth flow's context), but it is
    # kept out of what Home Assistant shows: diagnostics, states, events and
    # responses. Here it is the simulator's own key id (the entry's unique id).
    key_id = watch.add(
        "LinkVisual AccessKeyId",
        lv_data["access_key_id"],
        "repr",
        "log",
        "error",
        "flow",
    )
    secret = watch.add("LinkVisual AccessKeySecret", marker("lv-secret"))
    refused = watch.add("LinkVisual refused AccessKeySecret", marker("lv-refused"))
    wrong = watch.add("LinkVisual wrong AccessKeySecret", marker("lv-wrong"), "flow")
    rotated = watch.add("LinkVisual new AccessKeySecret", marker("lv-new"))
    sim.keys = {key_id: secret}
    tokens = TokenLog(sim)
    entry = await lv_fixtures.setup_account(
        hass,
        {**lv_data, "access_key_secret": refused},
        [lv_fixtures.camera(), lv_fixtures.PORCH_CAMERA],
        expect=ConfigEntryState.SETUP_ERROR,
    )
    await scenario.reauth(
        entry, {"access_key_secret": wrong}, {"access_key_secret": secret}
    )
    coordinator = entry.runtime_data
    coordinator.client.timeout = TIMEOUT

    def make_due() -> None:
        # cameras are asked for their newest recording once per poll interval
        for tracker in entry.runtime_data.trackers.values():
            tracker.next_idle_poll = dt_util.utcnow()

    scenario.make_due = make_due
    garden = {ATTR_ENTITY_ID: "button.garden_record_now"}
    record = await scenario.call("trigger_record", garden)
    await scenario.call(
        "press",
        {ATTR_ENTITY_ID: "button.porch_record_now"},
        domain="button",
        response=False,
    )
    await asyncio.sleep(sim.record_delay * 2)
    await scenario.poll(entry)
    assert hass.states.get("sensor.garden_last_recording").attributes["vod_url"]
    await scenario.call(
        "get_recording_url", {**garden, "record_id": record["record_id"]}
    )
    source = await async_get_stream_source(hass, "camera.garden_live")
    assert source is not None
    await scenario.image("camera.garden_live")
    today = dt_util.now().date().isoformat()
    day = await scenario.media(
        media_ws, "browse_media", f"{ROOT}/{entry.entry_id}/day/garden/{today}"
    )
    await scenario.media(
        media_ws, "resolve_media", day["children"][0]["media_content_id"]
    )
    sim.live_refusals = 2
    coordinator.live.forget("porch")
    with pytest.raises(HomeAssistantError) as refused:
        await async_get_stream_source(hass, "camera.porch_live")
    watch.note("error", "live refused", refused.value)
    sim.faults = Faults(drop=True, paths=("/pictures/",))
    coordinator.stills.max_age = timedelta(0)
    await scenario.image("camera.garden_live", fails=True)
    sim.faults = Faults(status=503, status_body="maintenance")
    await scenario.call("trigger_record", garden, fails=True)
    await scenario.call("get_recording_url", {**garden, "file_name": "x/y"}, fails=True)
    sim.faults = Faults()
    await scenario.diagnostics(entry)
    await scenario.faulty_polls(entry, sim, "/")
    sim.keys = {key_id: rotated}
    await scenario.reauth(
        entry, {"access_key_secret": wrong}, {"access_key_secret": rotated}
    )
    await scenario.call("trigger_record", garden)
    # live, picture and playback URLs were all handed out
    assert set(tokens.tokens) == {"live", "pictures", "vod"}, tokens.tokens
    tokens.secrets(watch)
    await scenario.finish(entry)
