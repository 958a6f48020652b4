"""Constants of the Alibaba Cloud IoT LinkVisual backend."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

# Account (config entry) fields
CONF_ACCESS_KEY_ID: Final = "access_key_id"
CONF_ACCESS_KEY_SECRET: Final = "access_key_secret"  # noqa: S105 - a field name
CONF_REGION: Final = "region"
CONF_ENDPOINT: Final = "endpoint"
CONF_IOT_INSTANCE_ID: Final = "iot_instance_id"

# Camera (config subentry) fields
SUBENTRY_CAMERA: Final = "camera"
CONF_NAME: Final = "name"
CONF_IOT_ID: Final = "iot_id"
CONF_PRODUCT_KEY: Final = "product_key"
CONF_DEVICE_NAME: Final = "device_name"
CONF_DURATION: Final = "duration"
CONF_PRE_RECORD: Final = "pre_record"
CONF_STREAM_TYPE: Final = "stream_type"

# Options (the shared scan_interval is the idle poll)
CONF_PENDING_INTERVAL: Final = "pending_interval"
CONF_READY_MARGIN: Final = "ready_margin"
CONF_LIVE_SCHEME: Final = "live_scheme"

DEFAULT_SCAN_INTERVAL: Final = 300
DEFAULT_PENDING_INTERVAL: Final = 15
DEFAULT_READY_MARGIN: Final = 600
DEFAULT_DURATION: Final = 60
DEFAULT_PRE_RECORD: Final = 0
DEFAULT_STREAM_TYPE: Final = 0
DEFAULT_URL_VALIDITY: Final = 600
DEFAULT_LIVE_SCHEME: Final = "hls"

REGIONS: Final = (
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-east-1",
    "us-west-1",
    "eu-central-1",
)

# How far back the first QueryRecord of a camera looks for its latest file
LOOKBACK: Final = timedelta(hours=24)
# Pages of QueryRecord read per poll at most, to find the newest file
MAX_PAGES: Final = 5
# A record past its deadline is still looked for (at the idle pace) this long
LATE_GIVE_UP: Final = timedelta(hours=24)
# Validity of the playback URL fetched for a ready recording
READY_URL_VALIDITY: Final = 3600

EVENT_STARTED: Final = "recording_started"
EVENT_READY: Final = "recording_ready"
EVENT_FAILED: Final = "recording_failed"

MANUFACTURER: Final = "Alibaba Cloud"
STORAGE_VERSION: Final = 1
