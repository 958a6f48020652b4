"""Signature V1: the documented vector and a cross-check with the official SDK signer."""

from __future__ import annotations

from typing import Any

from aliyunsdkcore.auth.composer import rpc_signature_composer  # type: ignore[import-untyped]
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.camera_bridge.api.linkvisual import (
    LinkVisualValidationError,
    percent_encode,
    sign,
)
from simulator.linkvisual import expected_signature, rfc3986, string_to_sign

# The SDK's composer functions are module-private (double underscore).
_sdk_string_to_sign: Any = getattr(rpc_signature_composer, "__compose_string_to_sign")
_sdk_signature: Any = getattr(rpc_signature_composer, "__get_signature")

DOCUMENTED = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}
DOCUMENTED_SIGNATURE = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="

# Text without lone surrogates (not encodable as UTF-8, never a real parameter),
# biased towards the characters the encoding rules single out.
_special = st.sampled_from(
    [" ", "*", "~", "/", "+", "%", "&", "=", "é", "中", "😀", "-", "_", "."]
)
_text = st.lists(st.one_of(_special, st.characters(codec="utf-8")), max_size=24).map(
    "".join
)
_names = st.lists(
    st.one_of(_special, st.characters(codec="utf-8")),
    min_size=1,
    max_size=12,
).map("".join)
_params = st.dictionaries(_names, _text, min_size=1, max_size=8)
_secrets = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
_methods = st.sampled_from(["GET", "POST"])
_fuzz = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def test_documented_vector() -> None:
    """The example of the signature documentation signs as documented."""
    assert sign(DOCUMENTED, "testsecret", "GET") == DOCUMENTED_SIGNATURE


def test_documented_vector_sdk_and_simulator() -> None:
    """The SDK and the simulator agree on the documented vector (sanity of the oracles)."""
    sdk = _sdk_signature(_sdk_string_to_sign("GET", dict(DOCUMENTED)), "testsecret")
    assert sdk == DOCUMENTED_SIGNATURE
    assert expected_signature("GET", DOCUMENTED, "testsecret") == DOCUMENTED_SIGNATURE


def test_signature_ignores_signature_param_and_order() -> None:
    """A Signature parameter is left out and the order of the mapping does not matter."""
    reordered = dict(reversed(list(DOCUMENTED.items())))
    reordered["Signature"] = "anything"
    assert sign(reordered, "testsecret", "get") == DOCUMENTED_SIGNATURE
    assert sign(DOCUMENTED, "testsecret", "POST") != DOCUMENTED_SIGNATURE
    assert sign(DOCUMENTED, "othersecret", "GET") != DOCUMENTED_SIGNATURE


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("a b", "a%20b"),
        ("a*b", "a%2Ab"),
        ("a~b", "a~b"),
        ("a/b", "a%2Fb"),
        ("a+b", "a%2Bb"),
        ("AZaz09-_.", "AZaz09-_."),
        ("é", "%C3%A9"),
        ("2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z"),
        ("%", "%25"),
    ],
)
def test_percent_encode(raw: str, encoded: str) -> None:
    """Only unreserved characters stay; the rest is UTF-8 with upper-case hex."""
    assert percent_encode(raw) == encoded
    assert rfc3986(raw) == encoded


@_fuzz
@given(params=_params, secret=_secrets, method=_methods)
def test_sign_matches_official_sdk(
    params: dict[str, str], secret: str, method: str
) -> None:
    """The signer agrees with aliyun-python-sdk-core's RPC composer on random parameters."""
    sdk = _sdk_signature(_sdk_string_to_sign(method, dict(params)), secret)
    assert sign(params, secret, method) == sdk


@_fuzz
@given(params=_params)
def test_simulator_string_to_sign_matches_sdk(params: dict[str, str]) -> None:
    """The simulator's verifier builds the same string to sign as the SDK."""
    assert string_to_sign("POST", params) == _sdk_string_to_sign("POST", dict(params))


@_fuzz
@given(text=_text)
def test_percent_encode_matches_simulator(text: str) -> None:
    """The client's encoder and the simulator's independent one agree."""
    assert percent_encode(text) == rfc3986(text)


def test_sdk_signed_url_is_accepted_by_sign() -> None:
    """A full request signed by the SDK (fresh nonce and time) verifies with sign()."""
    url, _ = rpc_signature_composer.get_signed_url(
        {"Action": "TriggerRecord", "IotId": "a b*c~d/é", "RecordDuration": "60"},
        "keyid",
        "key secret/*~",
        "JSON",
        "POST",
        {},
    )
    from urllib.parse import parse_qsl

    pairs = dict(parse_qsl(url.split("?", 1)[1], keep_blank_values=True))
    assert pairs["IotId"] == "a b*c~d/é"
    assert sign(pairs, "key secret/*~", "POST") == pairs["Signature"]


# Text as an action or a script may hand over: any code point, lone
# surrogates (U+D800-U+DFFF alone, which Python strings may hold) included
_lone = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_any_text = st.lists(st.one_of(_special, _lone, st.characters()), max_size=24).map(
    "".join
)
_any_names = st.lists(
    st.one_of(_special, _lone, st.characters()), min_size=1, max_size=12
).map("".join)


def _is_text(text: str) -> bool:
    return not any(0xD800 <= ord(character) <= 0xDFFF for character in text)


@_fuzz
@given(
    params=st.dictionaries(_any_names, _any_text, min_size=1, max_size=8),
    secret=st.text(max_size=30) | st.builds(str.__add__, st.text(max_size=8), _lone),
    method=_methods,
)
@example(params={"FileName": "bad\udc80name"}, secret="s", method="POST")
@example(params={"\ud800": "x"}, secret="s", method="POST")
@example(params={"a": "b"}, secret="se\udfffcret", method="GET")
def test_sign_refuses_lone_surrogates(
    params: dict[str, str], secret: str, method: str
) -> None:
    """A lone surrogate anywhere is a validation error naming the field; else signed.

    Never a UnicodeEncodeError, and the message never holds the secret.
    """
    signed = {name: value for name, value in params.items() if name != "Signature"}
    texts = [*signed, *signed.values()]
    if all(map(_is_text, texts)) and _is_text(secret):
        sdk = _sdk_signature(_sdk_string_to_sign(method, dict(params)), secret)
        assert sign(params, secret, method) == sdk
        return
    with pytest.raises(LinkVisualValidationError) as err:
        sign(params, secret, method)
    assert _is_text(str(err.value))
    if all(map(_is_text, texts)):
        assert err.value.field == "access_key"
        assert secret not in str(err.value)
    else:
        assert err.value.field in {*signed, "a parameter name"}


@given(text=_any_text)
def test_percent_encode_refuses_lone_surrogates(text: str) -> None:
    if _is_text(text):
        assert percent_encode(text) == rfc3986(text)
    else:
        with pytest.raises(LinkVisualValidationError, match="lone surrogate"):
            percent_encode(text, "FileName")
