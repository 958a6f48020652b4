"""Fake Alibaba Cloud IoT LinkVisual OpenAPI endpoint (RPC style, signature V1).

Every call to ``/`` is authenticated as the real gateway does: the signature
is recomputed here (with an encoder of its own, independent of the client's)
and compared, a nonce is accepted once, a timestamp further than
``max_skew`` seconds from the server clock is refused. Then the action runs
against an in-memory account: cameras, triggered records that become
available ``record_delay`` seconds after the trigger (whatever their
duration: the simulator compresses time), scheduled recordings for
``QueryRecord``, and playback URLs served under ``/vod/``; live streams,
captured pictures and real HLS playback (``live``).

Error shapes follow the documentation: gateway errors (key, signature, nonce,
timestamp, throttling, permissions, parameters) answer an HTTP error status
with ``{RequestId, HostId, Code, Message, Recommend}``; action errors answer
200 with ``{RequestId, Success: false, Code, ErrorMessage}``. The action
error codes (``iot.device.NotExistedDevice``, ...) are made up: the real ones
are only listed in Alibaba's API Error Center.

Inside: ``server`` (the simulator, its knobs, the gateway and the routes),
``actions`` (what each action does), ``live`` (live streams, pictures and
the HLS files), ``state`` (cameras, files, records),
``signature`` (the gateway's own V1 signer), ``errors`` (error answers),
``cli`` (``add_arguments``/``build`` for ``python -m simulator``).
"""

from .cli import add_arguments, build
from .server import LinkVisualSimulator
from .signature import expected_signature, rfc3986, string_to_sign
from .state import (
    API_VERSION,
    DEFAULT_KEY_ID,
    DEFAULT_KEY_SECRET,
    SimCamera,
    SimFile,
    SimRecord,
)

__all__ = [
    "API_VERSION",
    "DEFAULT_KEY_ID",
    "DEFAULT_KEY_SECRET",
    "LinkVisualSimulator",
    "SimCamera",
    "SimFile",
    "SimRecord",
    "add_arguments",
    "build",
    "expected_signature",
    "rfc3986",
    "string_to_sign",
]
