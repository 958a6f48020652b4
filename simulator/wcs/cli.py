"""Command line of the fake Web Call Server."""

from __future__ import annotations

import argparse

from aiohttp import web

from .rest import DEFAULT_STREAMS, WcsSimulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the fake server."""
    group = parser.add_argument_group("Flashphoner WCS")
    group.add_argument("--wcs-port", type=int, default=0, help="port (0 = off)")
    group.add_argument(
        "--wcs-hls-port", type=int, default=0, help="HLS server's port (0 = off)"
    )
    group.add_argument(
        "--wcs-ws-port",
        type=int,
        default=0,
        help="WebSocket signaling (WebRTC) port (0 = off)",
    )
    group.add_argument("--wcs-streams", default=",".join(DEFAULT_STREAMS))
    group.add_argument("--wcs-username")
    group.add_argument("--wcs-password")
    group.add_argument("--wcs-snapshot-delay", type=float, default=0.3)
    group.add_argument(
        "--wcs-detailed-snapshot",
        metavar="WIDTHxHEIGHT",
        type=frame_size,
        help="serve random-pixel PNG snapshots of this size (1920x1080: ~6.2 MB)",
    )
    group.add_argument(
        "--wcs-churn-seconds",
        type=float,
        default=60.0,
        help="publish/unpublish a 'visitor' stream this often (0 = never)",
    )


def frame_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` as a pair of positive integers."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"not WIDTHxHEIGHT: {text!r}")
    if not (0 < int(width) <= 16384 and 0 < int(height) <= 16384):
        raise argparse.ArgumentTypeError(f"frame size out of range: {text!r}")
    return int(width), int(height)


def extra_apps(
    sim: WcsSimulator, args: argparse.Namespace
) -> list[tuple[str, web.Application, int]]:
    """The other ports of the fake server: HLS and WebSocket signaling, when set."""
    apps: list[tuple[str, web.Application, int]] = []
    if args.wcs_hls_port:
        apps.append(("HLS", sim.make_hls_app(), args.wcs_hls_port))
    if args.wcs_ws_port:
        apps.append(("WebSocket signaling", sim.make_ws_app(), args.wcs_ws_port))
    return apps


def build(args: argparse.Namespace) -> WcsSimulator | None:
    """The fake server configured from the command line."""
    if not args.wcs_port:
        return None
    sim = WcsSimulator(
        snapshot_delay=args.wcs_snapshot_delay,
        churn_seconds=args.wcs_churn_seconds,
        detailed_snapshot=args.wcs_detailed_snapshot,
    )
    if args.wcs_username:
        sim.auth = (args.wcs_username, args.wcs_password or "")
    for name in filter(None, args.wcs_streams.split(",")):
        sim.publish(name.strip())
    return sim
