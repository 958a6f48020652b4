"""Command-line options of the fake VDG Sense server (``python -m simulator``)."""

from __future__ import annotations

import argparse

from .server import VdgSenseSimulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the fake server."""
    group = parser.add_argument_group("TKH Security VDG Sense")
    group.add_argument("--vdg-port", type=int, default=0, help="port (0 = off)")
    group.add_argument("--vdg-username")
    group.add_argument("--vdg-password")
    group.add_argument(
        "--vdg-exports", type=int, default=0, help="exports to seed (load)"
    )
    group.add_argument(
        "--vdg-speed",
        type=float,
        default=5.0,
        help="export progress in percent per second",
    )
    group.add_argument(
        "--vdg-legacy", action="store_true", help="answer /info with 404"
    )
    group.add_argument(
        "--vdg-raw",
        action="store_true",
        help="write values unescaped, like real servers (a path 'a & b' stays bare)",
    )


def build(args: argparse.Namespace) -> VdgSenseSimulator | None:
    """The fake server configured from the command line."""
    if not args.vdg_port:
        return None
    sim = VdgSenseSimulator(
        speed=args.vdg_speed, legacy=args.vdg_legacy, raw_values=args.vdg_raw
    )
    if args.vdg_username:
        sim.auth = (args.vdg_username, args.vdg_password or "")
    if args.vdg_exports:
        sim.seed_exports(args.vdg_exports)
    return sim
