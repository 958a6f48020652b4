"""Walking Camera Bridge's config flow the way the frontend does.

Shared by the backends' config-flow and set-up tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults, SimulatorBase
from tests.conftest import advance_time


async def start_user_form(hass: HomeAssistant, kind: str) -> ConfigFlowResult:
    """The user step: the menu of backends, then the form of ``kind``."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert kind in result["menu_options"]
    result = await configure(hass, result, {"next_step_id": kind})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    return result


async def configure(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """The flow's next step once ``user_input`` is sent to the current one."""
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def bug_shows_unknown(
    hass: HomeAssistant,
    result: ConfigFlowResult,
    user_input: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    client_method: tuple[type, str],
) -> None:
    """A bug in the client's check shows 'unknown' on the form, not a crash.

    ``client_method`` (a client class and a method name) raises an unexpected
    error for the first try; the same input then creates the entry.
    """

    async def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("surprise")

    monkeypatch.setattr(*client_method, boom)
    result = await configure(hass, result, user_input)
    assert result["errors"] == {"base": "unknown"}
    monkeypatch.undo()
    result = await configure(hass, result, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY


# What the user forms of servers with HTTP Basic credentials show for the
# usual faults: (how the simulator breaks, what the user typed, the error)
SERVER_FAULTS: list[tuple[Callable[[Any], None], dict[str, Any], dict[str, str]]] = [
    (
        lambda sim: setattr(sim, "faults", Faults(drop=True)),
        {},
        {"base": "cannot_connect"},
    ),
    (lambda sim: setattr(sim, "auth", ("u", "p")), {}, {"base": "invalid_auth"}),
    (
        lambda sim: setattr(sim, "faults", Faults(malformed=True)),
        {},
        {"base": "invalid_response"},
    ),
]


async def reauth_to_new_password(
    hass: HomeAssistant, entry: MockConfigEntry, sim: SimulatorBase
) -> None:
    """The server now asks for admin/n3w: reauth refuses a wrong password, stores the right one."""
    sim.auth = ("admin", "n3w")  # type: ignore[attr-defined]
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await configure(hass, result, {"username": "admin", "password": "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await configure(hass, result, {"username": "admin", "password": "n3w"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["password"] == "n3w"


def assert_reauth_started(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The one flow in progress is the entry's reauth."""
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert flows[0]["context"]["entry_id"] == entry.entry_id


async def refused_then_created(
    hass: HomeAssistant,
    result: ConfigFlowResult,
    refused: dict[str, Any],
    errors: dict[str, str],
    heal: Callable[[], None],
    accepted: dict[str, Any],
) -> None:
    """``refused`` input shows ``errors`` on the form; healed, ``accepted`` creates the entry."""
    result = await configure(hass, result, refused)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    heal()
    result = await configure(hass, result, accepted)
    assert result["type"] is FlowResultType.CREATE_ENTRY


def healed(sim: SimulatorBase, **knobs: Any) -> Callable[[], None]:
    """A call that clears the simulator's faults and sets its ``knobs`` back."""

    def heal() -> None:
        sim.faults.reset()
        for name, value in knobs.items():
            setattr(sim, name, value)

    return heal


async def retried_until_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: SimulatorBase,
    faults: Faults,
    setup: Callable[..., Awaitable[MockConfigEntry]],
) -> MockConfigEntry:
    """Set-up is retried while the simulator shows ``faults``, loaded once it answers."""
    sim.faults = faults
    entry = await setup(expect=ConfigEntryState.SETUP_RETRY)
    sim.faults.reset()
    await advance_time(hass, freezer, 90)
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def outage_logged_once(
    hass: HomeAssistant,
    sim: SimulatorBase,
    caplog: pytest.LogCaptureFixture,
    poll: Callable[[], Awaitable[None]],
    entity_ids: Iterable[str],
    *,
    polls_back: int = 1,
) -> None:
    """The server drops every connection for three polls, then answers again.

    The entities are unavailable after each poll of the outage; the outage
    and the recovery are each logged once.
    """
    sim.faults = Faults(drop=True)
    caplog.set_level(logging.INFO)
    for _ in range(3):
        await poll()
        for entity_id in entity_ids:
            assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert caplog.text.count("Error fetching camera_bridge") == 1
    sim.faults.reset()
    for _ in range(polls_back):
        await poll()
    assert caplog.text.count("data recovered") == 1


async def reauth_at_setup(
    hass: HomeAssistant, setup: Callable[..., Awaitable[MockConfigEntry]]
) -> None:
    """Refused credentials fail the set-up and start the entry's reauth."""
    entry = await setup(expect=ConfigEntryState.SETUP_ERROR)
    assert_reauth_started(hass, entry)
