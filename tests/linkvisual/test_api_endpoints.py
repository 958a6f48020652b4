"""The LinkVisual client: secrets kept out of sight, endpoints, regions and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging
from typing import Any

import aiohttp
import pytest

from custom_components.camera_bridge.api import CameraBridgeError
from custom_components.camera_bridge.api.linkvisual import (
    NAIVE_TIME_ZONE,
    Credentials,
    LinkVisualClient,
    LinkVisualValidationError,
    endpoint_for_region,
    normalize_endpoint,
    parse_time,
)
from simulator.common import RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator

from .conftest import GARDEN

# -- secrets ----------------------------------------------------------------


async def test_secret_never_shown(
    session: aiohttp.ClientSession,
    server: RunningServer,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The secret is in no repr, log line or exception."""
    caplog.set_level(logging.DEBUG)
    secret = "S3cr3t-Never-Shown-xyz"
    sim.keys["LTAIother"] = secret
    client = LinkVisualClient(session, "LTAIother", secret, endpoint=server.url)
    assert secret not in repr(client) and "LTAIother" in repr(client)
    credentials = Credentials("LTAIother", secret)
    assert secret not in repr(credentials) and secret not in str(credentials)
    await client.check_credentials()
    await client.trigger_record(GARDEN, 10)
    messages: list[str] = []

    def throttle() -> None:
        sim.throttle = 1

    def forbid() -> None:
        sim.forbidden_actions.add("TriggerRecord")

    def rotate_secret() -> None:
        sim.keys["LTAIother"] = "changed"

    for setup in (throttle, forbid, rotate_secret):
        setup()
        try:
            await client.trigger_record(GARDEN, 10)
        except CameraBridgeError as err:
            messages.extend([str(err), repr(err), str(err.args)])
    assert len(messages) == 9
    assert "LinkVisual TriggerRecord answered" in caplog.text
    assert "LinkVisual TriggerRecord failed: SignatureDoesNotMatch" in caplog.text
    for text in [*messages, caplog.text]:
        assert secret not in text


# -- endpoints, regions, times ----------------------------------------------


def test_endpoints() -> None:
    """The region decides the default host; custom endpoints are normalised."""
    assert (
        endpoint_for_region("cn-shanghai")
        == "https://linkvisual.cn-shanghai.aliyuncs.com"
    )
    assert (
        endpoint_for_region(" AP-Southeast-1 ")
        == "https://linkvisual.ap-southeast-1.aliyuncs.com"
    )
    assert (
        normalize_endpoint("linkvisual.aliyuncs.com")
        == "https://linkvisual.aliyuncs.com"
    )
    assert (
        normalize_endpoint("https://LinkVisual.aliyuncs.com:443/")
        == "https://linkvisual.aliyuncs.com"
    )
    assert normalize_endpoint("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert normalize_endpoint("http://[::1]:80") == "http://[::1]"
    for bad in (
        "ftp://x",
        "https://x/path",
        "https://x/?a=1",
        "https://u:p@x",
        "http://",
        "http://x:99999",
    ):
        with pytest.raises(LinkVisualValidationError) as err:
            normalize_endpoint(bad)
        assert err.value.field == "endpoint"
    for bad_region in ("", "cn shanghai", "a/b"):
        with pytest.raises(LinkVisualValidationError):
            endpoint_for_region(bad_region)


def test_client_construction() -> None:
    """Region and endpoint choose the URL; empty keys are refused."""
    session: Any = object()
    client = LinkVisualClient(session, " id ", "secret", region="cn-beijing")
    assert client.endpoint == "https://linkvisual.cn-beijing.aliyuncs.com"
    assert client.access_key_id == "id"
    assert client.iot_instance_id is None
    custom = LinkVisualClient(
        session,
        "id",
        "secret",
        region="",
        endpoint="linkvisual.aliyuncs.com",
        iot_instance_id="",
    )
    assert custom.endpoint == "https://linkvisual.aliyuncs.com"
    assert custom.region == "cn-shanghai" and custom.iot_instance_id is None
    for key_id, secret in (("", "s"), ("id", ""), ("  ", "s")):
        with pytest.raises(LinkVisualValidationError):
            LinkVisualClient(session, key_id, secret)


async def test_region_id_parameter(
    session: aiohttp.ClientSession, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """RegionId follows the configured region even with a custom endpoint."""
    client = LinkVisualClient(
        session,
        DEFAULT_KEY_ID,
        DEFAULT_KEY_SECRET,
        region=" AP-Southeast-1 ",
        endpoint=server.url,
    )
    await client.check_credentials()
    assert sim.calls[-1]["RegionId"] == "ap-southeast-1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_700_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1_700_000_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000500", datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        (1_700_000_000.25, datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC)),
        ("2023-11-15 06:13:20", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2023-11-14T22:13:20Z", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2023-11-15T00:13:20+02:00", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (99_999_999_999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
        (None, None),
        (True, None),
        ("", None),
        ("  ", None),
        ("soon", None),
        (0, None),
        (-5, None),
        (float("nan"), None),
        (float("inf"), None),
        (10**30, None),
        ([1], None),
    ],
)
def test_parse_time(value: Any, expected: datetime | None) -> None:
    """Seconds, milliseconds, ISO and naive text are all understood; junk is None."""
    assert parse_time(value) == expected
    if expected is not None:
        assert parse_time(value).tzinfo is not None  # type: ignore[union-attr]


def test_naive_time_zone_is_one_constant() -> None:
    """The zone of naive answer times is China Standard Time (documented guess)."""
    assert NAIVE_TIME_ZONE.utcoffset(None) == timedelta(hours=8)
