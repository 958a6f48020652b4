"""The LinkVisual simulator's gatekeeping, checked with hand-made requests."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
import uuid

import aiohttp
import pytest
import xmltodict

from custom_components.camera_bridge.api.linkvisual import percent_encode, sign
from simulator.common import RunningServer
from simulator.linkvisual import (
    DEFAULT_KEY_ID,
    DEFAULT_KEY_SECRET,
    LinkVisualSimulator,
    add_arguments,
    build,
)

GARDEN_ID = "SimCam0001xyzIotIdA000100"


def _params(action: str = "QueryTimeTemplate", **extra: str) -> dict[str, str]:
    params = {
        "Action": action,
        "Version": "2018-01-20",
        "Format": "JSON",
        "AccessKeyId": DEFAULT_KEY_ID,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": str(uuid.uuid4()),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    params.update(extra)
    return params


async def _send(
    session: aiohttp.ClientSession,
    server: RunningServer,
    params: dict[str, str],
    *,
    method: str = "POST",
    secret: str = DEFAULT_KEY_SECRET,
    signature: str | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, Any]:
    signed = dict(params) | (form or {})
    query = dict(params)
    query["Signature"] = signature or sign(signed, secret, method)
    encoded = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in query.items()
    )
    kwargs: dict[str, Any] = {}
    if form is not None:
        kwargs["data"] = urlencode(form)
        kwargs["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
    async with session.request(method, f"{server.url}/?{encoded}", **kwargs) as resp:
        text = await resp.text()
        if resp.content_type == "application/json":
            return resp.status, await resp.json()
        return resp.status, text


async def test_good_request(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """A correctly signed request succeeds; the answer has the documented shape."""
    status, body = await _send(session, server, _params())
    assert status == 200
    assert body["Success"] is True and body["Code"] == "200" and body["RequestId"]
    assert body["Data"]["List"][0]["TemplateId"] == "sim-all-day"
    assert sim.count("QueryTimeTemplate") == 1


async def test_get_and_form_body_are_signed_too(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """GET requests and parameters in a form body are verified like the rest."""
    status, _ = await _send(session, server, _params(), method="GET")
    assert status == 200
    status, body = await _send(
        session, server, _params(), form={"PageSize": "1", "CurrentPage": "1"}
    )
    assert status == 200, body
    # a form parameter left out of the signature fails
    params = _params()
    signature = sign(params, DEFAULT_KEY_SECRET, "POST")
    status, body = await _send(
        session, server, params, signature=signature, form={"PageSize": "2"}
    )
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


async def test_bad_signature(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """A wrong signature is SignatureDoesNotMatch with the gateway error shape."""
    status, body = await _send(session, server, _params(), secret="wrong")
    assert status == 400
    assert body["Code"] == "SignatureDoesNotMatch"
    assert body["Message"].startswith("Specified signature is not matched")
    assert "server string to sign is:POST&%2F&" in body["Message"]
    assert {"RequestId", "HostId", "Recommend"} <= set(body)
    assert "Success" not in body
    status, body = await _send(
        session,
        server,
        _params(),
        method="GET",
        secret=DEFAULT_KEY_SECRET,
        signature=sign(_params(), DEFAULT_KEY_SECRET, "POST"),
    )
    assert body["Code"] == "SignatureDoesNotMatch"
    assert sim.calls == []


async def test_tampered_parameter(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """Changing any parameter after signing breaks the signature."""
    params = _params("TriggerRecord", IotId=GARDEN_ID, RecordDuration="10")
    signature = sign(params, DEFAULT_KEY_SECRET)
    params["RecordDuration"] = "7200"
    status, body = await _send(session, server, params, signature=signature)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


async def test_nonce_replay(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """A nonce is accepted once."""
    params = _params()
    assert (await _send(session, server, params))[0] == 200
    status, body = await _send(session, server, params)
    assert (status, body["Code"]) == (400, "SignatureNonceUsed")
    assert sim.count("QueryTimeTemplate") == 1


async def test_old_nonces_are_forgotten(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """Nonces older than the replay window are dropped from memory."""
    sim.max_skew = 1
    params = _params()
    assert (await _send(session, server, params))[0] == 200
    assert len(sim._nonces) == 1
    sim.time_offset = 3
    params2 = _params(
        Timestamp=(datetime.now(UTC) + timedelta(seconds=3)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    )
    assert (await _send(session, server, params2))[0] == 200
    assert list(sim._nonces) == [params2["SignatureNonce"]]


@pytest.mark.parametrize(
    ("delta", "ok"), [(-3600, False), (-600, True), (600, True), (3600, False)]
)
async def test_timestamp_window(
    session: aiohttp.ClientSession, server: RunningServer, delta: int, ok: bool
) -> None:
    """Timestamps more than 15 minutes off are refused."""
    stamp = (datetime.now(UTC) + timedelta(seconds=delta)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    status, body = await _send(session, server, _params(Timestamp=stamp))
    if ok:
        assert status == 200
    else:
        assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")


async def test_timestamp_format(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """A timestamp not in the documented format is refused."""
    status, body = await _send(
        session, server, _params(Timestamp="2024-01-01 00:00:00")
    )
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Format")


async def test_unknown_key(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """An unknown AccessKeyId is InvalidAccessKeyId.NotFound (404)."""
    status, body = await _send(session, server, _params(AccessKeyId="nobody"))
    assert (status, body["Code"]) == (404, "InvalidAccessKeyId.NotFound")


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        ({"SignatureMethod": "HMAC-SHA256"}, "InvalidParameter", 400),
        ({"SignatureVersion": "2.0"}, "InvalidParameter", 400),
        ({"Version": "2014-05-26"}, "InvalidVersion", 400),
        ({"Action": "DescribeRegions"}, "InvalidAction.NotFound", 404),
        ({"SignatureNonce": ""}, "MissingParameter", 400),
        ({"Timestamp": ""}, "MissingParameter", 400),
    ],
)
async def test_common_parameter_errors(
    session: aiohttp.ClientSession,
    server: RunningServer,
    change: dict[str, str],
    code: str,
    status: int,
) -> None:
    """Wrong or missing common parameters answer the gateway's errors."""
    got_status, body = await _send(session, server, _params() | change)
    assert (got_status, body["Code"]) == (status, code)


async def test_duplicate_parameter(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """A parameter given twice is refused."""
    params = _params()
    params["Signature"] = sign(params, DEFAULT_KEY_SECRET)
    query = urlencode(params) + "&Action=QueryRecord"
    async with session.post(f"{server.url}/?{query}") as resp:
        assert resp.status == 400
        assert (await resp.json())["Code"] == "InvalidParameter"


async def test_xml_is_the_default_format(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """Without Format=JSON the answer is XML, as the real service does."""
    params = _params()
    del params["Format"]
    status, text = await _send(session, server, params)
    assert status == 200
    parsed = xmltodict.parse(text)
    assert parsed["QueryTimeTemplateResponse"]["Success"] == "true"
    status, text = await _send(session, server, _params(Format="XML"), secret="bad")
    assert status == 400
    assert xmltodict.parse(text)["Error"]["Code"] == "SignatureDoesNotMatch"


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"IotId": GARDEN_ID}, "MissingParameter"),
        ({"IotId": GARDEN_ID, "RecordDuration": "9"}, "InvalidParameter"),
        ({"IotId": GARDEN_ID, "RecordDuration": "7201"}, "InvalidParameter"),
        ({"IotId": GARDEN_ID, "RecordDuration": "sixty"}, "InvalidParameter"),
        (
            {"IotId": GARDEN_ID, "RecordDuration": "60", "PreRecordDuration": "11"},
            "InvalidParameter",
        ),
        (
            {"IotId": GARDEN_ID, "RecordDuration": "60", "StreamType": "2"},
            "InvalidParameter",
        ),
        ({"RecordDuration": "60"}, "MissingParameter"),
        ({"ProductKey": "a1SimProduct", "RecordDuration": "60"}, "MissingParameter"),
    ],
)
async def test_trigger_record_parameters(
    session: aiohttp.ClientSession,
    server: RunningServer,
    extra: dict[str, str],
    code: str,
) -> None:
    """The service validates TriggerRecord's parameters itself (HTTP 400)."""
    status, body = await _send(session, server, _params("TriggerRecord", **extra))
    assert (status, body["Code"]) == (400, code)


async def test_missing_parameters_of_other_actions(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    """RecordId, FileName, BeginTime are mandatory where documented."""
    for action, extra in (
        ("QueryRecordByRecordId", {}),
        ("StopTriggeredRecord", {}),
        ("QueryRecordUrl", {}),
        ("QueryRecord", {"IotId": GARDEN_ID}),
    ):
        status, body = await _send(session, server, _params(action, **extra))
        assert (status, body["Code"]) == (400, "MissingParameter"), action


async def test_record_of_another_device(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """A record id asked with another camera is not found."""
    status, body = await _send(
        session, server, _params("TriggerRecord", IotId=GARDEN_ID, RecordDuration="10")
    )
    record_id = body["Data"]
    status, body = await _send(
        session,
        server,
        _params(
            "QueryRecordByRecordId",
            RecordId=record_id,
            ProductKey="a1SimProduct",
            DeviceName="porch",
        ),
    )
    assert status == 200
    assert body["Success"] is False and body["Code"] == "iot.vision.RecordNotFound"
    assert body["ErrorMessage"]


async def test_query_record_accepts_milliseconds(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """The simulator reads BeginTime/EndTime in seconds or milliseconds."""
    sim.add_recording(GARDEN_ID, 1_750_000_000, 1_750_000_300)
    for scale in (1, 1000):
        status, body = await _send(
            session,
            server,
            _params(
                "QueryRecord",
                IotId=GARDEN_ID,
                BeginTime=str(1_749_999_000 * scale),
                EndTime=str(1_750_001_000 * scale),
            ),
        )
        assert status == 200
        assert body["Data"]["Total"] == 1
        assert body["Data"]["List"][0]["BeginTime"] == 1_750_000_000_000


def test_seed_recordings() -> None:
    """seed_recordings adds finished scheduled recordings per camera."""
    sim = LinkVisualSimulator(seed_recordings=3)
    assert len(sim.files) == 3 * len(sim.cameras)
    assert all(f.record_type == 0 and f.end <= sim.now() for f in sim.files)


def test_cli() -> None:
    """The command line builds the simulator, or nothing when the port is 0."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert build(parser.parse_args([])) is None
    args = parser.parse_args(
        [
            "--linkvisual-port",
            "8084",
            "--linkvisual-key-id",
            "LTAIcli",
            "--linkvisual-key-secret",
            "cli-secret",
            "--linkvisual-record-delay",
            "1.5",
            "--linkvisual-instance-id",
            "iot-cli",
        ]
    )
    sim = build(args)
    assert sim is not None
    assert sim.keys == {"LTAIcli": "cli-secret"}
    assert sim.record_delay == 1.5
    assert sim.iot_instance_id == "iot-cli"
    assert sim.files  # seeded for a real Home Assistant to list
    defaults = build(parser.parse_args(["--linkvisual-port", "1"]))
    assert defaults is not None
    assert defaults.keys == {DEFAULT_KEY_ID: DEFAULT_KEY_SECRET}
    assert defaults.iot_instance_id is None
