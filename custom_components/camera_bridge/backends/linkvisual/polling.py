"""What one poll does for the cameras of an account.

Three steps, each for one camera: ``check_deadlines`` says when Home
Assistant stops waiting for a triggered record (and forgets it a day
later), ``poll_pending`` looks for a pending record's file
(``QueryRecordByRecordId``), ``poll_latest`` finds the newest file
(``QueryRecord``). Each returns whether the stored state changed; throttling
and service failures are raised for the coordinator, errors of one camera
are kept on its tracker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
import logging
from typing import Any

from ...api import CameraBridgeError
from ...api.linkvisual import (
    LinkVisualClient,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualUnavailable,
    Recording,
)
from .const import (
    EVENT_FAILED,
    EVENT_READY,
    LATE_GIVE_UP,
    LOOKBACK,
    MAX_PAGES,
    READY_URL_VALIDITY,
)
from .store import CameraTracker, PendingRecord, recording_as_dict

_LOGGER = logging.getLogger(__name__)

_PAGE_SIZE = 50

type Fire = Callable[[CameraTracker, str, dict[str, Any]], None]


def _finished_at(recording: Recording) -> datetime | None:
    return recording.end or recording.begin


def _newer(candidate: Recording, than: Recording | None) -> bool:
    """Tell whether ``candidate`` is another file that finished after ``than``."""
    if than is None:
        return True
    if candidate.file_name == than.file_name:
        return False
    new, old = _finished_at(candidate), _finished_at(than)
    return new is not None and (old is None or new > old)


class CameraPoller:
    """Polls the cameras of one account with its client; events go to ``fire``."""

    def __init__(
        self,
        client: LinkVisualClient,
        fire: Fire,
        *,
        scan_interval: timedelta,
        ready_margin: timedelta,
    ) -> None:
        """Keep the client, the event sink and the intervals the logs name."""
        self.client = client
        self._fire = fire
        self.scan_interval = scan_interval
        self.ready_margin = ready_margin

    def check_deadlines(self, trackers: Iterable[CameraTracker], now: datetime) -> bool:
        """Say when HA stops waiting for a record; forget it after a day."""
        changed = False
        for tracker in trackers:
            for record in list(tracker.pending.values()):
                if not record.late and now > record.deadline:
                    record.late = True
                    changed = True
                    _LOGGER.warning(
                        "%s: record %s has no file %s after it should have ended; "
                        "still looking for it every %s",
                        tracker.config.name,
                        record.record_id,
                        self.ready_margin,
                        self.scan_interval,
                    )
                    self._fire(
                        tracker,
                        EVENT_FAILED,
                        {
                            "record_id": record.record_id,
                            "reason": "timeout",
                            "message": "the file was not uploaded in time",
                        },
                    )
                elif record.late and now - LATE_GIVE_UP > record.deadline:
                    # on now, not on the deadline: a stored one may be year 9999
                    _LOGGER.warning(
                        "%s: giving up on record %s",
                        tracker.config.name,
                        record.record_id,
                    )
                    del tracker.pending[record.record_id]
                    changed = True
        return changed

    def _device_failed(self, tracker: CameraTracker, err: LinkVisualError) -> bool:
        """Errors of one camera (unknown, offline) do not fail the account."""
        message = str(err)
        if tracker.error is None:
            _LOGGER.warning("%s is not available: %s", tracker.config.name, message)
        tracker.error = message
        return False

    def _device_ok(self, tracker: CameraTracker) -> None:
        if tracker.error is not None:
            _LOGGER.info("%s is available again", tracker.config.name)
            tracker.error = None

    async def poll_pending(self, tracker: CameraTracker, record: PendingRecord) -> bool:
        """Look for a pending record's file; True when something changed."""
        try:
            recording = await self.client.query_record_by_record_id(
                record.record_id, tracker.config.device
            )
        except LinkVisualThrottled, LinkVisualUnavailable:
            raise
        except LinkVisualError as err:
            # the service does not know this record (any more)
            del tracker.pending[record.record_id]
            self._fire(
                tracker,
                EVENT_FAILED,
                {
                    "record_id": record.record_id,
                    "reason": "error",
                    "code": str(err.code),
                    "message": err.message or str(err),
                },
            )
            return True
        if recording is None:
            return False
        del tracker.pending[record.record_id]
        url = recording.vod_url or await self._playback_url(recording)
        if _newer(recording, tracker.last) or (
            tracker.last is not None and tracker.last.file_name == recording.file_name
        ):
            tracker.last = recording
        self._fire(
            tracker,
            EVENT_READY,
            {
                **recording_as_dict(recording),
                "url": url,
                "late": record.late,
            },
        )
        return True

    async def _playback_url(self, recording: Recording) -> str | None:
        try:
            return await self.client.query_record_url(
                recording.file_name, READY_URL_VALIDITY
            )
        except CameraBridgeError as err:
            # the URL is a convenience: the file is ready whatever happens here
            _LOGGER.debug("No playback URL for %s: %s", recording.file_name, err)
            return None

    async def poll_latest(self, tracker: CameraTracker, now: datetime) -> bool:
        """Find the camera's newest file (one QueryRecord, more while catching up)."""
        last = tracker.last
        begin = now - LOOKBACK
        if last is not None and (since := last.begin or last.end) is not None:
            # a file dated ahead of our clock must not put the window past now
            begin = max(begin, min(since, now))
        newest: Recording | None = None
        try:
            for page in range(1, MAX_PAGES + 1):
                files = await self.client.query_record(
                    tracker.config.device, begin, now, page=page, page_size=_PAGE_SIZE
                )
                for recording in files:
                    if _newer(recording, newest):
                        newest = recording
                if len(files) < _PAGE_SIZE:
                    break
        except LinkVisualThrottled, LinkVisualUnavailable:
            raise
        except LinkVisualError as err:
            return self._device_failed(tracker, err)
        self._device_ok(tracker)
        if newest is not None and _newer(newest, last):
            tracker.last = newest
            return True
        return False
