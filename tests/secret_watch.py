"""Watches everything Home Assistant shows or keeps for secrets (tests/test_secrets.py).

Also ``Scenario``: the steps every backend's scenario takes the same way.

A test names each secret it hands to the integration (a password, a key, a
token the simulator gave out) and the places where it may appear by design.
The watch collects, while the test runs:

- ``log``: every log record at DEBUG and above: the formatted message, the
  raw message and each argument's repr, the traceback text of ``exc_info``
  (causes and contexts included) and ``stack_info``;
- ``event``: every event fired on the bus (state changes carry the states
  and attributes);
- and what the test hands to ``note``: states, diagnostics, action
  responses, raised errors (message, repr and traceback of the whole
  chain), config flows and repairs, and the reprs of the integration's
  objects reachable from an entry (``note_reprs``).

``check`` then looks for every secret in every sink where it is not allowed,
in the forms a leak would take: as written, URL-quoted, JSON- and
repr-escaped, and base64 at any byte alignment (a Basic ``Authorization``
header holds ``base64(user:password)``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
import json
import logging
import math
import re
import traceback
from types import MethodType
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

from homeassistant.components.camera import async_get_image
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.data_entry_flow import FlowManagerIndexView
from homeassistant.helpers.entity_platform import async_get_platforms
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.backends import BACKENDS
from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults, SimulatorBase
from tests.conftest import MediaWs

PACKAGE = "custom_components.camera_bridge"
# characters no escaping changes
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")

# Loggers turned to DEBUG while a scenario runs. "homeassistant" covers what
# Home Assistant itself logs about the integration (config entries and
# flows, coordinators, cameras, media source, HTTP views); "aiohttp" the HTTP
# client and servers; homeassistant.components.camera_bridge is the name the
# integration would log under as a core integration.
DEBUG_LOGGERS = (
    PACKAGE,
    "homeassistant.components.camera_bridge",
    "homeassistant",
    "aiohttp",
)

# Home Assistant's stream component logs its source URL at debug and redacts
# only ``auth``, ``user`` and ``password`` query parameters: a LinkVisual live
# URL's token may appear there. The README says so (LinkVisual, Known
# limitations: "Home Assistant's stream component redacts only ..."), so its
# records are left out here.
EXCLUDED_LOGGERS = (
    "homeassistant.components.stream",
    # the access log of Home Assistant's own HTTP server writes each request
    # line, a signed path's authSig included; Home Assistant keeps it at
    # WARNING (bootstrap.py: logging.getLogger("aiohttp.access").setLevel)
    "aiohttp.access",
    # the fake devices of the tests know every secret: what they log is not
    # Home Assistant's
    "simulator",
)
# At debug, the websocket API logs each message it sends to the frontend:
# what it shows is what the frontend gets (a Media browser answer holds the
# signed paths it is meant to hold), so it is read as a response
RESPONSE_LOGGERS = ("homeassistant.components.websocket_api",)

SINKS = frozenset(
    {"log", "event", "state", "diagnostics", "response", "error", "repr", "flow"}
)


def _base64_cores(data: bytes) -> set[str]:
    """The base64 characters that encode only ``data``, at each byte alignment.

    Whatever comes before and after ``data`` in an encoded text, these
    characters appear in its base64 (standard or URL-safe alphabet).
    """
    found: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        start = math.ceil(offset * 8 / 6)
        end = (offset + len(data)) * 8 // 6
        core = encoded[start:end]
        found |= {core, core.replace("+", "-").replace("/", "_")}
    return found


def forms(value: str) -> set[str]:
    """The shapes a secret takes when it leaks."""
    shapes = {
        value,
        quote(value, safe=""),
        quote(value, safe="/:"),
        quote_plus(value),
        quote(quote(value, safe=""), safe=""),
        json.dumps(value)[1:-1],
        repr(value)[1:-1],
    }
    shapes |= _base64_cores(value.encode())
    if quote(value, safe="") != value:
        # any escaping (other quoting, HTML, a shell) keeps its plain part
        core = max(_PLAIN.findall(value), key=len, default="")
        if len(core) >= 12:
            shapes.add(core)
    return {shape for shape in shapes if shape}


@dataclass(frozen=True, slots=True)
class Secret:
    """A value that must not leak, and the sinks that show it by design."""

    name: str
    value: str
    allowed: frozenset[str] = frozenset()
    shapes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Finding:
    """A secret seen where it must not be."""

    secret: str
    sink: str
    where: str
    excerpt: str

    def __str__(self) -> str:
        """One line of the failure message."""
        return f"{self.secret} in {self.sink} ({self.where}): …{self.excerpt}…"


class _Collector(logging.Handler):
    """Keeps the text of every record, formatted at once."""

    def __init__(self, watch: SecretWatch) -> None:
        super().__init__(logging.DEBUG)
        self._watch = watch
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(EXCLUDED_LOGGERS):
            return
        self.count += 1
        parts = [record.name, str(record.msg)]
        try:
            parts.append(record.getMessage())
        except Exception as err:  # noqa: BLE001 - a broken record is still read
            parts.append(repr(err))
        if isinstance(record.args, tuple):
            parts.extend(_safe_repr(arg) for arg in record.args)
        elif record.args:
            parts.append(_safe_repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(error_text(record.exc_info[1]))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        sink = "response" if record.name.startswith(RESPONSE_LOGGERS) else "log"
        self._watch.note(sink, f"{record.name}:{record.levelname}", "\n".join(parts))


def _safe_repr(value: Any) -> str:
    try:
        return f"{value!r} {value!s}"
    except Exception as err:  # noqa: BLE001 - what a bad repr raises is kept
        return f"<repr failed: {err!r}>"


def error_text(err: BaseException) -> str:
    """Message, repr, arguments and traceback of an error and its whole chain."""
    parts = ["".join(traceback.format_exception(err))]
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [_safe_repr(current), *(_safe_repr(arg) for arg in current.args)]
        for name in ("translation_placeholders", "message", "code"):
            if (value := getattr(current, name, None)) is not None:
                parts.append(_safe_repr(value))
        todo += [current.__cause__, current.__context__]
        todo += list(getattr(current, "exceptions", ()))
    return "\n".join(parts)


def package_objects(*roots: Any, limit: int = 50_000) -> Iterator[Any]:
    """The integration's objects reachable from ``roots``.

    Follows the attributes of the integration's own objects, containers and
    bound methods (listeners), not the insides of anything else (Home
    Assistant, aiohttp), so the walk stays within what the integration keeps.
    """
    seen: set[int] = set()
    todo = list(roots)
    while todo and len(seen) < limit:
        obj = todo.pop()
        if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int)):
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            todo += list(obj.keys()) + list(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)) or type(obj).__name__ in (
            "deque",
            "OrderedDict",
        ):
            todo += list(obj)
        elif isinstance(obj, MethodType):
            todo.append(obj.__self__)
        elif type(obj).__module__.startswith((PACKAGE, "weakref")):
            if type(obj).__module__.startswith(PACKAGE):
                yield obj
            todo += list(_attributes(obj))


def _attributes(obj: Any) -> Iterable[Any]:
    values = list(getattr(obj, "__dict__", {}).values())
    for cls in type(obj).__mro__:
        values.extend(
            getattr(obj, name)
            for name in getattr(cls, "__slots__", ())
            if isinstance(name, str) and hasattr(obj, name)
        )
    if type(obj).__name__ == "WeakKeyDictionary":
        values.append(dict(obj.items()))
    return values


class SecretWatch:
    """Secrets to look for, and what was seen while a scenario ran."""

    def __init__(self) -> None:
        """Nothing to look for, nothing seen yet."""
        self.secrets: dict[str, Secret] = {}
        self.seen: list[tuple[str, str, str]] = []
        self.events = 0
        self._collector = _Collector(self)

    @property
    def records(self) -> int:
        """How many log records were read."""
        return self._collector.count

    def add(self, name: str, value: str, *allowed: str) -> str:
        """Look for ``value`` everywhere but in the ``allowed`` sinks; returns it."""
        assert value, name
        assert set(allowed) <= SINKS, allowed
        known = self.secrets.get(name)
        if known is not None and known.value != value:
            name = f"{name}#{len(self.secrets)}"
        self.secrets[name] = Secret(
            name, value, frozenset(allowed), frozenset(forms(value))
        )
        return value

    def note(self, sink: str, where: str, obj: Any) -> None:
        """Something shown or kept: text as is, an error as ``error_text``, else repr."""
        assert sink in SINKS, sink
        if isinstance(obj, BaseException):
            text = error_text(obj)
        elif isinstance(obj, str):
            text = obj
        else:
            text = _safe_repr(obj)
        self.seen.append((sink, where, text))

    def note_flow(self, where: str, result: Any) -> None:
        """A flow step as the frontend gets it (a form's fields with their values)."""
        # the JSON of Home Assistant's flow views, made by their own code
        # (self is not used): suggested values of a form's fields included
        shown = (
            FlowManagerIndexView._prepare_result_json(
                None,  # type: ignore[arg-type]
                result,
            )
            if "type" in result  # a step, not an entry of the progress list
            else result
        )
        self.note("flow", where, json.dumps(shown, default=repr))

    def note_reprs(self, where: str, *roots: Any) -> int:
        """The repr of every integration object reachable from ``roots``."""
        count = 0
        for obj in package_objects(*roots):
            self.note("repr", f"{where}: {type(obj).__qualname__}", _safe_repr(obj))
            count += 1
        return count

    def findings(self) -> list[Finding]:
        """Every secret seen outside its allowed sinks."""
        found = []
        for sink, where, text in self.seen:
            for secret in self.secrets.values():
                if sink in secret.allowed:
                    continue
                for shape in secret.shapes:
                    if (at := text.find(shape)) >= 0:
                        excerpt = text[max(0, at - 60) : at + len(shape) + 20]
                        found.append(Finding(secret.name, sink, where, excerpt))
                        break
        return found

    def check(self) -> None:
        """Fail the test, naming each leak, when a secret was seen."""
        if found := self.findings():
            listed = "\n".join(sorted({str(f) for f in found}))
            raise AssertionError(f"{len(found)} secret(s) leaked:\n{listed}")

    @contextmanager
    def watching(self, hass: HomeAssistant) -> Iterator[SecretWatch]:
        """Collect log records (loggers at DEBUG) and bus events meanwhile."""
        # the named loggers and every one below them that exists already (a
        # level of its own would hide its records)
        names = set(DEBUG_LOGGERS) | {
            name
            for name in logging.root.manager.loggerDict
            if name.startswith(tuple(f"{prefix}." for prefix in DEBUG_LOGGERS))
            and not name.startswith(EXCLUDED_LOGGERS)
        }
        loggers = [logging.getLogger(name) for name in sorted(names)]
        levels = [logger.level for logger in loggers]
        root = logging.getLogger()
        root.addHandler(self._collector)
        for logger in loggers:
            logger.setLevel(logging.DEBUG)

        @callback
        def _on_event(event: Event) -> None:
            self.events += 1
            self.note("event", event.event_type, _safe_repr(event))

        unsubscribe = hass.bus.async_listen(MATCH_ALL, _on_event)
        try:
            yield self
        finally:
            unsubscribe()
            root.removeHandler(self._collector)
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)

    def note_home_assistant(self, hass: HomeAssistant) -> None:
        """States, config flows in progress and repairs as they are now."""
        for state in hass.states.async_all():
            self.note(
                "state", state.entity_id, json.dumps(state.as_dict(), default=str)
            )
        for flow in hass.config_entries.flow.async_progress():
            self.note("flow", flow["flow_id"], _safe_repr(flow))
        for issue in ir.async_get(hass).issues.values():
            self.note("flow", f"issue {issue.issue_id}", _safe_repr(issue.to_json()))


# --- the steps of every backend's scenario ------------------------------------

# Requests that get no answer are given up after this long
TIMEOUT = 0.25
# What a backend may answer instead of its data: the faults of every poll
FAULTS = (
    Faults(status=500, status_body={"message": "internal error", "status": 500}),
    Faults(drop=True),
    Faults(malformed=True),
    Faults(truncated=True),
    Faults(latency=4 * TIMEOUT),
)


class Scenario:
    """What every backend's scenario does the same way."""

    def __init__(
        self,
        hass: HomeAssistant,
        watch: SecretWatch,
        hass_client: ClientSessionGenerator,
    ) -> None:
        """Bind the scenario to the test's Home Assistant and watch."""
        self.hass = hass
        self.watch = watch
        self.hass_client = hass_client
        # makes the next poll ask the backend (a backend may skip a poll)
        self.make_due: Callable[[], None] = lambda: None

    async def call(
        self,
        service: str,
        data: dict[str, Any],
        *,
        fails: bool = False,
        domain: str = DOMAIN,
        response: bool = True,
    ) -> Any:
        """Run an action; its response or its error goes to the watch."""
        error: HomeAssistantError | None = None
        answer: Any = None
        try:
            answer = await self.hass.services.async_call(
                domain, service, data, blocking=True, return_response=response
            )
        except HomeAssistantError as err:
            error = err
        self.watch.note("error" if error else "response", service, error or answer)
        assert (error is not None) is fails, error or answer
        return answer

    async def image(self, entity_id: str, *, fails: bool = False) -> None:
        """A camera image; its error goes to the watch."""
        error: HomeAssistantError | None = None
        try:
            await async_get_image(self.hass, entity_id)
        except HomeAssistantError as err:
            error = err
            self.watch.note("error", f"image {entity_id}", err)
        assert (error is not None) is fails, error

    async def poll(self, entry: MockConfigEntry, *, fails: bool = False) -> None:
        """One poll; the coordinator's error goes to the watch."""
        coordinator = entry.runtime_data
        self.make_due()
        await coordinator.async_refresh()
        await self.hass.async_block_till_done()
        if coordinator.last_exception is not None:
            self.watch.note("error", "poll", coordinator.last_exception)
        assert coordinator.last_update_success is not fails

    async def faulty_polls(
        self, entry: MockConfigEntry, sim: SimulatorBase, *paths: str
    ) -> None:
        """Every fault in turn on the poll's requests, then a good poll."""
        for faults in FAULTS:
            sim.faults = replace(faults, paths=paths)
            await self.poll(entry, fails=True)
            sim.faults = Faults()
        await self.poll(entry)

    async def reauth(
        self, entry: MockConfigEntry, wrong: dict[str, Any], right: dict[str, Any]
    ) -> None:
        """The reauth flow of a refused set-up or poll: a wrong secret, then the right one."""
        if entry.state is ConfigEntryState.LOADED:
            await self.poll(entry, fails=True)
        flows = [
            flow
            for flow in self.hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            if flow["context"]["source"] == "reauth"
        ]
        assert len(flows) == 1, flows
        self.watch.note_flow("reauth started", flows[0])
        flow_id = flows[0]["flow_id"]
        result = await self.hass.config_entries.flow.async_configure(flow_id, wrong)
        self.watch.note_flow("reauth refused", result)
        assert result["errors"] == {"base": "invalid_auth"}, result
        result = await self.hass.config_entries.flow.async_configure(flow_id, right)
        self.watch.note_flow("reauth accepted", result)
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reauth_successful"
        await self.hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED

    async def diagnostics(self, entry: MockConfigEntry) -> dict[str, Any]:
        """The entry's diagnostics, to the watch."""
        diagnostics: dict[str, Any] = await get_diagnostics_for_config_entry(
            self.hass, self.hass_client, entry
        )
        self.watch.note("diagnostics", entry.title, diagnostics)
        return diagnostics

    async def media(self, media_ws: MediaWs, command: str, media_id: str) -> Any:
        """A Media browser answer; a signed path in it is a secret elsewhere."""
        answer = await media_ws(command, media_id)
        self.watch.note("response", f"{command} {media_id}", answer)
        if not answer["success"]:
            return None
        result = answer["result"]
        for url in [result.get("url"), result.get("thumbnail")] + [
            child.get("thumbnail") for child in result.get("children") or ()
        ]:
            if url and (signature := parse_qs(urlsplit(url).query).get("authSig")):
                self.watch.add("media view authSig", signature[0], "response")
        return result

    async def finish(self, entry: MockConfigEntry) -> None:
        """Diagnostics, forms, states, flows, reprs; then no secret anywhere."""
        await self.diagnostics(entry)
        flows = self.hass.config_entries
        form = await entry.start_reconfigure_flow(self.hass)
        self.watch.note_flow("reconfigure form", form)
        flows.flow.async_abort(form["flow_id"])
        form = await flows.options.async_init(entry.entry_id)
        self.watch.note_flow("options form", form)
        flows.options.async_abort(form["flow_id"])
        watch = self.watch
        watch.note_home_assistant(self.hass)
        entities = [
            platform.entities
            for platform in async_get_platforms(self.hass, DOMAIN)
            if platform.config_entry is entry
        ]
        assert watch.note_reprs("entry", entry.runtime_data, entities, BACKENDS) > 10
        # the scenario did log at DEBUG and saw the bus
        assert any(
            sink == "log" and where.startswith(PACKAGE) and where.endswith(":DEBUG")
            for sink, where, _ in watch.seen
        ), "no debug record of the integration"
        assert watch.events > 0
        watch.check()
