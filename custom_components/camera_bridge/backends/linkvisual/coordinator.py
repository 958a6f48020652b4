"""Coordinator of a LinkVisual account: triggered records and the latest recording per camera.

Idle, each camera costs one ``QueryRecord`` per scan interval (default
5 minutes). While a triggered record is pending, the coordinator polls
``QueryRecordByRecordId`` at the pending interval until the file is there,
then fires ``recording_ready``. A record still missing at its deadline
(duration + margin) fires ``recording_failed`` (reason ``timeout``) and is
still looked for at the idle pace for a day: a late file fires
``recording_ready`` with ``late: true``. Pending records and the latest
recording are kept in a Store (``store``), so reloads and restarts lose nothing.
What one poll does for a camera is in ``polling``; this module schedules it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api import CameraBridgeError
from ...api.linkvisual import LinkVisualClient, LinkVisualValidationError, Recording
from ...const import CONF_SCAN_INTERVAL, DOMAIN
from ...coordinator import BridgeCoordinator, CameraBridgeConfigEntry
from .const import (
    CONF_LIVE_SCHEME,
    CONF_PENDING_INTERVAL,
    CONF_READY_MARGIN,
    DEFAULT_LIVE_SCHEME,
    DEFAULT_PENDING_INTERVAL,
    DEFAULT_READY_MARGIN,
    DEFAULT_SCAN_INTERVAL,
    EVENT_FAILED,
    EVENT_STARTED,
    MANUFACTURER,
    SUBENTRY_CAMERA,
)
from .live import LiveStreams, Stills
from .polling import CameraPoller
from .settings import CameraConfig, subentry_signature
from .store import CameraTracker, PendingRecord, restore_trackers, stored_form

_LOGGER = logging.getLogger(__name__)

# A camera whose idle poll is due within this slack is polled now
_IDLE_SLACK = timedelta(seconds=5)
# Event attributes holding signed playback URLs: left out of the debug log
_URL_ATTRIBUTES = frozenset({"url", "vod_url"})

type EventListener = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class CameraSnapshot:
    """A camera's state as the entities see it."""

    last: Recording | None
    pending: tuple[str, ...]
    error: str | None


@dataclass(frozen=True, slots=True)
class LinkVisualData:
    """What the entities read: every camera, by subentry id."""

    cameras: Mapping[str, CameraSnapshot]


class LinkVisualCoordinator(BridgeCoordinator[LinkVisualData]):
    """Tracks the cameras (subentries) of one LinkVisual account."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CameraBridgeConfigEntry,
        client: LinkVisualClient,
        store: Store[dict[str, Any]],
        stored: Mapping[str, Any] | None,
    ) -> None:
        """Read options and cameras; restore what the store kept."""
        options = entry.options
        self.scan_interval = timedelta(
            seconds=float(options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL))
        )
        self.pending_interval = timedelta(
            seconds=float(options.get(CONF_PENDING_INTERVAL, DEFAULT_PENDING_INTERVAL))
        )
        self.ready_margin = timedelta(
            seconds=float(options.get(CONF_READY_MARGIN, DEFAULT_READY_MARGIN))
        )
        super().__init__(hass, entry, update_interval=self.scan_interval)
        self.client = client
        # live URLs and stills, shared by every viewer of a camera
        self.live = LiveStreams(
            client, str(options.get(CONF_LIVE_SCHEME, DEFAULT_LIVE_SCHEME))
        )
        self.stills = Stills(client)
        self._poller = CameraPoller(
            client,
            self._fire,
            scan_interval=self.scan_interval,
            ready_margin=self.ready_margin,
        )
        self._store = store
        self._event_listeners: dict[str, EventListener] = {}
        self._signature = subentry_signature(entry)
        self.trackers: dict[str, CameraTracker] = {}
        for subentry in entry.subentries.values():
            if subentry.subentry_type != SUBENTRY_CAMERA:
                continue
            try:
                config = CameraConfig.from_subentry(subentry)
            except LinkVisualValidationError, ValueError, TypeError:
                _LOGGER.warning(
                    "Camera %s has no usable device: skipped", subentry.title
                )
                continue
            self.trackers[subentry.subentry_id] = CameraTracker(config)
        restore_trackers(self.trackers, stored or {})
        self._update_interval_for_pending()
        # Cameras added, edited or removed in the UI: reload to follow
        # (pending records are in the store and survive the reload).
        entry.async_on_unload(
            async_dispatcher_connect(
                hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_entry_changed
            )
        )

    # -- persistence -------------------------------------------------------

    async def _async_save(self) -> None:
        await self._store.async_save(stored_form(self.trackers))

    # -- devices, entities, events ----------------------------------------

    def device_identifier(self, subentry_id: str) -> tuple[str, str]:
        """Device registry identifier of a camera."""
        return (DOMAIN, f"{self.config_entry.entry_id}:{subentry_id}")

    def subentry_id_of(self, identifiers: set[tuple[str, str]]) -> str | None:
        """The camera (subentry id) a device's identifiers belong to."""
        prefix = f"{self.config_entry.entry_id}:"
        for domain, ident in identifiers:
            if domain == DOMAIN and ident.startswith(prefix):
                sub_id = ident[len(prefix) :]
                if sub_id in self.trackers:
                    return sub_id
        return None

    def camera_device(self, config: CameraConfig) -> DeviceInfo:
        """Device info of a camera."""
        return DeviceInfo(
            identifiers={self.device_identifier(config.subentry_id)},
            name=config.name,
            manufacturer=MANUFACTURER,
            model="LinkVisual IP camera",
        )

    @callback
    def _async_entry_changed(
        self, change: ConfigEntryChange, entry: ConfigEntry
    ) -> None:
        if (
            change is not ConfigEntryChange.UPDATED
            or entry.entry_id != self.config_entry.entry_id
        ):
            return
        signature = subentry_signature(entry)
        if signature != self._signature:
            self._signature = signature
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    @callback
    def async_add_event_listener(
        self, subentry_id: str, listener: EventListener
    ) -> CALLBACK_TYPE:
        """Receive a camera's recording events; returns the function that stops it."""
        self._event_listeners[subentry_id] = listener

        @callback
        def remove() -> None:
            if self._event_listeners.get(subentry_id) is listener:
                del self._event_listeners[subentry_id]

        return remove

    def _fire(
        self, tracker: CameraTracker, event_type: str, attributes: dict[str, Any]
    ) -> None:
        _LOGGER.debug(
            "%s: %s %s",
            tracker.config.name,
            event_type,
            # playback URLs carry access tokens: never logged
            {k: v for k, v in attributes.items() if k not in _URL_ATTRIBUTES},
        )
        if (
            listener := self._event_listeners.get(tracker.config.subentry_id)
        ) is not None:
            listener(event_type, attributes)

    # -- polling -----------------------------------------------------------

    def _snapshot(self) -> LinkVisualData:
        return LinkVisualData(
            {
                sub_id: CameraSnapshot(
                    last=t.last, pending=tuple(t.pending), error=t.error
                )
                for sub_id, t in self.trackers.items()
            }
        )

    def _update_interval_for_pending(self) -> None:
        waiting = any(
            not p.late for t in self.trackers.values() for p in t.pending.values()
        )
        self.update_interval = self.pending_interval if waiting else self.scan_interval

    async def _async_fetch(self) -> LinkVisualData:
        now = dt_util.utcnow()
        changed = self._poller.check_deadlines(self.trackers.values(), now)
        try:
            for tracker in list(self.trackers.values()):
                idle_due = now + _IDLE_SLACK >= tracker.next_idle_poll
                for record in list(tracker.pending.values()):
                    if not record.late or idle_due:
                        changed |= await self._poller.poll_pending(tracker, record)
                if idle_due:
                    changed |= await self._poller.poll_latest(tracker, now)
                    tracker.next_idle_poll = now + self.scan_interval
        finally:
            self._update_interval_for_pending()
            if changed:
                await self._async_save()
        return self._snapshot()

    # -- commands ----------------------------------------------------------

    async def async_trigger_record(
        self,
        subentry_id: str,
        *,
        duration: int | None = None,
        pre_record: int | None = None,
        stream_type: int | None = None,
    ) -> str:
        """Make a camera record now; return the record id and follow it up."""
        tracker = self.trackers[subentry_id]
        config = tracker.config
        duration = config.duration if duration is None else duration
        pre_record = config.pre_record if pre_record is None else pre_record
        stream_type = config.stream_type if stream_type is None else stream_type
        try:
            record_id = await self.client.trigger_record(
                config.device, duration, pre_record, stream_type
            )
        except LinkVisualValidationError:
            raise
        except CameraBridgeError as err:
            self._fire(
                tracker,
                EVENT_FAILED,
                {
                    "record_id": None,
                    "reason": "trigger_failed",
                    "code": str(getattr(err, "code", type(err).__name__)),
                    "message": getattr(err, "message", "") or str(err),
                },
            )
            raise
        now = dt_util.utcnow()
        tracker.pending[record_id] = PendingRecord(
            record_id=record_id,
            started=now,
            deadline=now + timedelta(seconds=duration) + self.ready_margin,
            duration=duration,
        )
        self._fire(
            tracker,
            EVENT_STARTED,
            {
                "record_id": record_id,
                "duration": duration,
                "pre_record": pre_record,
                "stream_type": stream_type,
            },
        )
        await self._async_save()
        self._update_interval_for_pending()
        # publish the pending record; the next poll comes at the pending pace
        self.async_set_updated_data(self._snapshot())
        return record_id

    def diagnostics(self) -> dict[str, Any]:
        """Cameras, pending records and the latest files (no keys, no URLs)."""
        live = self.live.diagnostics()
        return {
            "endpoint": self.client.endpoint,
            "region": self.client.region,
            "scan_interval": str(self.scan_interval),
            "pending_interval": str(self.pending_interval),
            "ready_margin": str(self.ready_margin),
            "live_scheme": self.live.scheme,
            "cameras": {
                t.config.name: {
                    "device": t.config.device.key,
                    "duration": t.config.duration,
                    "pre_record": t.config.pre_record,
                    "stream_type": t.config.stream_type,
                    "pending": [p.as_dict() for p in t.pending.values()],
                    "last_file": t.last.file_name if t.last else None,
                    "last_end": t.last.end.isoformat()
                    if t.last and t.last.end
                    else None,
                    "error": t.error,
                    "next_idle_poll": t.next_idle_poll.isoformat(),
                    "live_url_expires": live.get(t.config.subentry_id),
                    "still_image": t.config.subentry_id not in self.stills.unsupported,
                }
                for t in self.trackers.values()
            },
        }
