"""``python -m scripts.smoke_ha``: one smoke run (scripts/smoke sets it up)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
import shutil
import signal
import sys
import tempfile
import time

import aiohttp

from . import logscan, voice
from .client import HomeAssistantApi
from .processes import Child, SmokeError, free_ports, start, wait_for_ports
from .steps import LINKVISUAL_KEY_ID, LINKVISUAL_KEY_SECRET, Drive, SimulatorPorts

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "camera_bridge"
CONFIGURATION = """\
# written by scripts/smoke: the integrations Home Assistant always loads
# (frontend, api, websocket_api, onboarding, config, ...) plus these
http:
  server_host: 127.0.0.1
  server_port: {port}

logger:
  default: info
  logs:
    custom_components.camera_bridge: debug
"""


def say(message: str) -> None:
    """One line of progress on stdout."""
    sys.stdout.write(f"smoke: {message}\n")
    sys.stdout.flush()


def _configure(config: Path, port: int) -> None:
    """A fresh configuration directory holding a copy of the integration."""
    (config / "custom_components").mkdir(parents=True)
    shutil.copytree(
        INTEGRATION,
        config / "custom_components" / "camera_bridge",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    voice_lines = voice.configure(config)
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(port=port) + voice_lines
    )


def _simulator_args(ports: SimulatorPorts) -> list[str]:
    """``python -m simulator`` serving the four backends on ``ports``."""
    return [
        "-m",
        "simulator",
        f"--wcs-port={ports.wcs}",
        f"--wcs-ws-port={ports.wcs_ws}",
        "--wcs-churn-seconds=0",
        f"--osc-port={ports.osc}",
        "--osc-shot-seconds=1",
        f"--vdg-port={ports.vdg_sense}",
        "--vdg-exports=3",
        f"--linkvisual-port={ports.linkvisual}",
        f"--linkvisual-key-id={LINKVISUAL_KEY_ID}",
        f"--linkvisual-key-secret={LINKVISUAL_KEY_SECRET}",
    ]


async def _smoke(work: Path, timings: list[tuple[str, float]]) -> Drive:
    """Start everything, drive Home Assistant, stop it cleanly."""
    ha_port, *sim_ports = free_ports(6)
    ports = SimulatorPorts(*sim_ports)
    config = work / "config"
    _configure(config, ha_port)
    children: list[Child] = []
    try:
        sims = await start(
            "simulators", _simulator_args(ports), REPO, work / "simulators.out"
        )
        children.append(sims)
        await wait_for_ports(
            sims,
            [ports.wcs, ports.wcs_ws, ports.osc, ports.vdg_sense, ports.linkvisual],
            30,
        )
        start_time = time.monotonic()
        # run from the work directory: custom_components must come from the
        # config directory's copy, not from the checkout
        hass = await start(
            "Home Assistant",
            ["-m", "homeassistant", "--config", str(config), "--skip-pip"],
            work,
            work / "hass.out",
        )
        children.append(hass)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            api = HomeAssistantApi(session, f"http://127.0.0.1:{ha_port}")
            await api.wait_until_up(hass, 300)
            await api.onboard("Smoke Test", "smoke", "smoke-password-1")
            await api.wait_running(120)
            timings.append(("Home Assistant start", time.monotonic() - start_time))
            say(f"Home Assistant is running on {api.base}")
            async with api.websocket() as ws:
                drive = Drive(api, ws, ports)
                try:
                    await drive.run()
                finally:
                    timings.extend(drive.timings)
        stop_time = time.monotonic()
        code = await hass.stop(signal.SIGTERM, 60)
        timings.append(("Home Assistant stop", time.monotonic() - stop_time))
        if code != 0:
            raise SmokeError(f"Home Assistant exited with {code}:\n{hass.tail()}")
        return drive
    finally:
        for child in reversed(children):
            if child.running:
                with contextlib.suppress(SmokeError):
                    await child.stop(signal.SIGINT, 10)
            child.kill()


def _report_log(log: Path) -> list[logscan.Record]:
    """Print what the log says about camera_bridge; return what fails the run."""
    if not log.exists():
        say(f"no {log.name} was written")
        return []
    ours, others = logscan.problems(logscan.parse(log.read_text(errors="replace")))
    if others:
        say(
            f"{len(others)} warning(s)/error(s) of Home Assistant itself "
            "(not failing the run):"
        )
        for record in others[:15]:
            sys.stdout.write(f"    {record.first_line}\n")
    for record in ours:
        sys.stdout.write(f"{record.text}\n")
    return ours


async def _main() -> int:
    begin = time.monotonic()
    timings: list[tuple[str, float]] = []
    work = Path(tempfile.mkdtemp(prefix="camera-bridge-smoke-"))
    log = work / "config" / "home-assistant.log"
    try:
        try:
            drive = await _smoke(work, timings)
        except SmokeError as err:
            say(f"FAILED: {err}")
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-40:]
                say("last lines of home-assistant.log:\n" + "\n".join(tail))
            _report_log(log)
            return 1
        for name, seconds in timings:
            say(f"  {seconds:6.2f} s  {name}")
        for note in drive.notes:
            say(f"note: {note}")
        if ours := _report_log(log):
            say(
                f"FAILED: home-assistant.log holds {len(ours)} warning(s), "
                "error(s) or deprecation report(s) about camera_bridge (above)"
            )
            return 1
        took = dict(timings)
        steps = sum(seconds for _, seconds in drive.timings)
        say(
            f"passed in {time.monotonic() - begin:.1f} s (Home Assistant start "
            f"{took['Home Assistant start']:.1f} s, {len(drive.timings)} steps "
            f"{steps:.1f} s, stop {took['Home Assistant stop']:.1f} s): 4 config "
            "flows + 1 subentry flow, a camera image, 2 button presses, 3 "
            "actions with a response, the 5 LLM tools and a sentence to Assist, no"
            " warning about camera_bridge in the log"
        )
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    """Run once; exit with the verdict."""
    sys.exit(asyncio.run(_main()))


if __name__ == "__main__":
    main()
