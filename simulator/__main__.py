"""Run the fake backends: ``python -m simulator --wcs-port 8081 ...``.

Each backend module offers ``add_arguments(parser)`` and ``build(args)``; a
backend whose port is 0 is not started. A backend that listens on more than
one port also offers ``extra_apps(sim, args)``: (label, app, port) triples.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
from types import ModuleType
from typing import Any

from .common import RunningServer, serve

_LOGGER = logging.getLogger("simulator")

BACKENDS = ("wcs", "osc", "vdg_sense", "linkvisual")


def _modules() -> list[ModuleType]:
    modules = []
    for name in BACKENDS:
        try:
            modules.append(importlib.import_module(f"simulator.{name}"))
        except ModuleNotFoundError as err:
            if err.name != f"simulator.{name}":
                raise
    return modules


def _none(sim: object, args: argparse.Namespace) -> list[Any]:
    return []


async def _main(args: argparse.Namespace, modules: list[ModuleType]) -> None:
    servers: list[RunningServer] = []
    for module in modules:
        sim = module.build(args)
        if sim is None:
            continue
        short = module.__name__.rsplit(".", 1)[1]
        port = getattr(args, f"{short}_port", None) or getattr(
            args, f"{short.split('_')[0]}_port"
        )
        server = await serve(sim, port=port, host=args.host)
        servers.append(server)
        _LOGGER.info(
            "%s simulator on http://%s:%s", module.__name__, args.host, server.port
        )
        for label, app, extra_port in getattr(module, "extra_apps", _none)(sim, args):
            server = await serve(sim, port=extra_port, host=args.host, app=app)
            servers.append(server)
            _LOGGER.info(
                "%s %s on http://%s:%s", module.__name__, label, args.host, server.port
            )
    if not servers:
        _LOGGER.error("nothing to serve: give at least one --<backend>-port")
        return
    try:
        await asyncio.Event().wait()
    finally:
        for server in servers:
            await server.stop()


def main() -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    modules = _modules()
    for module in modules:
        module.add_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args, modules))


if __name__ == "__main__":
    main()
