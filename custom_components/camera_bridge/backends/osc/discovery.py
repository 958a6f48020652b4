"""Discovery of RICOH THETA cameras announced over DNS-SD (``_osc._tcp``).

A THETA in client mode (joined to the home Wi-Fi) announces itself as
``THETA`` + its serial number, for example ``THETAYL00101082._osc._tcp.local.``,
without TXT records. Open Sound Control software uses ``_osc._tcp`` too, so the
manifest matches the name and a camera is only offered once ``/osc/info``
answered like an OSC camera.

Whether a THETA in client mode protects ``/osc/info`` with its Digest
credentials is not documented. When it does (HTTP 401), the serial number in
the announced name stands in for the camera's identity until the user gave
the credentials; the flow then checks it against ``/osc/info``.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any, Final

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
import voluptuous as vol

from ...api import AuthenticationFailed, CameraBridgeError, CannotConnect
from ...api.osc import OscClient, OscInfo
from ..schema import password_selector
from .const import DEFAULT_PORT

# The instance name of a THETA: THETA, letters of the model, digits of the serial
THETA_NAME: Final = re.compile(r"THETA([A-Z]*)(\d+)", re.IGNORECASE)
# What the camera is called while /osc/info keeps its model to itself
THETA_MODEL: Final = "RICOH THETA"


class NotDiscoverable(Exception):
    """The announced service is not a camera this integration can offer."""

    def __init__(self, reason: str) -> None:
        """Keep the abort reason (config.abort.<reason>)."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DiscoveredCamera:
    """An OSC camera found on the network, before the user confirmed it."""

    host: str
    port: int
    unique_id: str
    model: str
    serial: str
    # the camera refused /osc/info or /osc/state without Digest credentials
    needs_auth: bool
    # THETA + serial, the default Digest user of a THETA
    username: str | None

    @property
    def address(self) -> dict[str, Any]:
        """Entry data that locate the camera."""
        return {CONF_HOST: self.host, CONF_PORT: self.port}

    @property
    def placeholders(self) -> dict[str, str]:
        """What the discovered flow and its form show of the camera."""
        return {"model": self.model, "serial": self.serial, "host": self.host}

    @property
    def suggested(self) -> dict[str, Any]:
        """Values suggested in the confirmation form."""
        return {CONF_USERNAME: self.username} if self.username else {}

    def confirm_schema(self) -> Any:
        """Digest credentials when the camera wants them, else nothing to fill in.

        Typed loosely like the backends' schema factories: from 2026.9 Home
        Assistant aliases voluptuous to probatio.
        """
        if not self.needs_auth:
            return vol.Schema({})
        return vol.Schema(
            {
                vol.Required(CONF_USERNAME): TextSelector(
                    TextSelectorConfig(autocomplete="username")
                ),
                vol.Required(CONF_PASSWORD): password_selector(),
            }
        )


def _looks_like_osc(info: OscInfo) -> bool:
    """Whether ``/osc/info`` lists the protocol's endpoints, as the spec asks."""
    return any(endpoint.startswith("/osc/") for endpoint in info.api)


async def async_identify(
    hass: HomeAssistant, discovery_info: ZeroconfServiceInfo
) -> DiscoveredCamera:
    """Ask an announced ``_osc._tcp`` service whether it is an OSC camera.

    Raises NotDiscoverable with the reason to abort the flow quietly.
    """
    instance = discovery_info.name.split(".", 1)[0]
    name = THETA_NAME.fullmatch(instance)
    if not instance.upper().startswith("THETA"):
        raise NotDiscoverable("not_osc_camera")
    host = discovery_info.host
    port = discovery_info.port or DEFAULT_PORT
    username = instance.upper() if name else None
    client = OscClient(async_get_clientsession(hass), host, port)
    try:
        info = await client.info()
    except AuthenticationFailed:
        if name is None:
            # no identity to go by: an Open Sound Control app called Theta...
            raise NotDiscoverable("not_osc_camera") from None
        serial = name.group(2)
        return DiscoveredCamera(
            host, port, serial, THETA_MODEL, serial, needs_auth=True, username=username
        )
    except CannotConnect:
        raise NotDiscoverable("cannot_connect") from None
    except CameraBridgeError:
        raise NotDiscoverable("not_osc_camera") from None
    if not _looks_like_osc(info):
        raise NotDiscoverable("not_osc_camera")
    try:
        await client.state()
    except AuthenticationFailed:
        needs_auth = True
    except CameraBridgeError:
        raise NotDiscoverable("cannot_connect") from None
    else:
        needs_auth = False
    return DiscoveredCamera(
        host,
        port,
        info.unique_id,
        info.model or info.manufacturer or THETA_MODEL,
        info.serial_number or info.unique_id,
        needs_auth=needs_auth,
        username=username,
    )
