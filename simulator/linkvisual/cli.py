"""Command-line options of the LinkVisual simulator (``python -m simulator``)."""

from __future__ import annotations

import argparse

from .server import LinkVisualSimulator
from .state import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the LinkVisual simulator."""
    group = parser.add_argument_group("LinkVisual")
    group.add_argument(
        "--linkvisual-port",
        type=int,
        default=0,
        help="port of the LinkVisual endpoint (0 = off)",
    )
    group.add_argument(
        "--linkvisual-key-id", default=DEFAULT_KEY_ID, help="accepted AccessKeyId"
    )
    group.add_argument(
        "--linkvisual-key-secret",
        default=DEFAULT_KEY_SECRET,
        help="its AccessKeySecret",
    )
    group.add_argument(
        "--linkvisual-record-delay",
        type=float,
        default=20.0,
        help="seconds until a triggered recording is available",
    )
    group.add_argument(
        "--linkvisual-recordings",
        type=int,
        default=3,
        help="scheduled recordings per camera at start (one every 10 minutes)",
    )
    group.add_argument(
        "--linkvisual-instance-id",
        default="",
        help="IotInstanceId the calls must carry (empty = public instance)",
    )


def build(args: argparse.Namespace) -> LinkVisualSimulator | None:
    """The simulator the command line asks for, or None when its port is 0."""
    if not args.linkvisual_port:
        return None
    return LinkVisualSimulator(
        keys={args.linkvisual_key_id: args.linkvisual_key_secret},
        record_delay=args.linkvisual_record_delay,
        iot_instance_id=args.linkvisual_instance_id or None,
        seed_recordings=args.linkvisual_recordings,
    )
