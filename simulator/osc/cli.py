"""Command-line options of the fake camera (``python -m simulator``)."""

from __future__ import annotations

import argparse

from .server import OscSimulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the fake camera."""
    group = parser.add_argument_group("OSC 360° camera")
    group.add_argument("--osc-port", type=int, default=0, help="port (0 = off)")
    group.add_argument(
        "--osc-api-level",
        type=int,
        choices=(1, 2),
        default=2,
        help="1: a level 1 only camera with sessions; 2: level 1 and 2, running 2",
    )
    group.add_argument(
        "--osc-shot-seconds", type=float, default=2.0, help="time a picture takes"
    )
    group.add_argument("--osc-username", help="require HTTP Digest auth")
    group.add_argument("--osc-password")
    group.add_argument("--osc-serial", default="10100001")
    group.add_argument(
        "--osc-files",
        type=int,
        default=0,
        help="pictures and videos already on the camera (made on demand)",
    )
    group.add_argument(
        "--osc-preview-header-delay",
        type=float,
        metavar="SECONDS",
        help="send the live preview's HTTP headers one byte per SECONDS",
    )


def build(args: argparse.Namespace) -> OscSimulator | None:
    """The fake camera configured from the command line."""
    if not args.osc_port:
        return None
    level1 = args.osc_api_level == 1
    sim = OscSimulator(
        api_levels=(1,) if level1 else (1, 2),
        client_version=1 if level1 else 2,
        shot_seconds=args.osc_shot_seconds,
        serial_number=args.osc_serial,
        archive_files=args.osc_files,
        preview_header_delay=args.osc_preview_header_delay,
    )
    if level1:
        sim.model = "RICOH THETA S"
        sim.firmware_version = "01.11"
    if args.osc_username:
        sim.auth = (args.osc_username, args.osc_password or "")
    return sim
