"""A soft tapper's rehearsal on a simulated Polar H10, through a real mosquitto: afterwards
the hub hears their soft taps, and the shipped real motion still makes no false signal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimRadio, SimulatedBangle, SimulatedPolarH10
from hub import BrokerAddress, Hub, SessionSettings, SignalSent, WearerDevice
from hub._tap_calibrations import TapCalibrations
from hub.lab._motion import read_manifest, shipped_motion_folder
from hub.web import create_app, page_access
from signals import SAFE_BOUNDS, ComfortSignal, TapDetectorSettings, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import PAIR, Recorder, times_played
from tests.test_tap_calibration import assert_no_false_signal_on_real_motion

SOFT_PEAK_G = 0.5  # well under what the default thresholds take as a tap
TAP_GAP_S = 0.25
# A soft tap is not seen at all, so each step waits this long before saying "too soft".
STEP_TIMEOUT_S = 3.0


class Room:
    def __init__(self, hub: Hub, strap: SimulatedPolarH10, watch: SimulatedBangle) -> None:
        self.hub, self.strap, self.watch = hub, strap, watch
        self.seen = Recorder()
        self.web: httpx.AsyncClient

    async def api(self, method: str, path: str) -> Any:
        response = await self.web.request(method, f"/api/practice/{path}")
        assert response.status_code == 200, response.text
        return response.json()

    async def soft_taps(self, count: int) -> None:
        for index in range(count):
            if index:
                await asyncio.sleep(TAP_GAP_S)
            assert self.strap.tap(peak_g=SOFT_PEAK_G)


@contextlib.asynccontextmanager
async def strap_room(broker: BrokerAddress, pair_id: str, tmp_path: Path) -> AsyncIterator[Room]:
    """alex wears a Polar H10 at 100 Hz, sam a Bangle.js; calibrations kept in ``tmp_path``."""
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("A0:9E:1A:00:00:0C"))
    watch = radio.add(SimulatedBangle("C0:00:00:00:B0:0C"))
    seen = Recorder()
    hub = Hub(
        pair_id,
        PAIR,
        [
            WearerDevice("alex", strap.address, PolarH10Driver(sample_rate_hz=100)),
            WearerDevice("sam", watch.address, BangleDriver()),
        ],
        broker,
        observer=seen.bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        settings=SessionSettings(
            tap_calibrations=TapCalibrations(tmp_path / "tap-calibrations.json")
        ),
    )
    hub.practice.rehearsal.step_timeout_s = STEP_TIMEOUT_S
    room = Room(hub, strap, watch)
    room.seen = seen
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            await hub.ready()
        watch.resting = True
        strap.resting = True  # the wearer at rest: still acceleration, taps laid in it
        await wait_until(lambda: strap.acc_settings is not None and strap.tap(peak_g=0.0))
        access = page_access(hub)
        transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access))
        # Both wearers' pages (each opened from its printed link): each acts for its own.
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://127.0.0.1:8080",
            cookies={f"comfort_{w}": access.token_for(w) for w in access.wearers},
        ) as web:
            room.web = web
            yield room
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def rehearse_softly(room: Room) -> None:
    """alex's rehearsal: two, three and four soft taps, each when the step asks for them."""
    await room.api("POST", "alex/rehearsal/start")
    drill = room.hub.practice.rehearsal.drill
    assert drill is not None
    for step, count in enumerate((2, 3, 4)):
        await wait_until(lambda: drill.index == step and drill.phase == "performing")  # noqa: B023
        await asyncio.sleep(0.3)  # a moment to read the step
        await room.soft_taps(count)
        await wait_until(lambda: drill.index > step, within_s=STEP_TIMEOUT_S + 5)  # noqa: B023
    assert drill.phase == "finished"


async def test_a_soft_tapper_rehearses_and_is_then_heard_while_real_motion_stays_quiet(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    async with strap_room(mosquitto.address, pair_id, tmp_path) as room:
        # Before: the defaults miss alex's soft taps.
        await room.soft_taps(4)
        await asyncio.sleep(1.5)  # what the detector would have judged by now
        assert room.seen.of(SignalSent) == []

        await rehearse_softly(room)
        state = await room.api("GET", "alex")
        assert [r["hint"] for r in state["rehearsal"]["results"]] == ["too_soft"] * 3
        calibration = state["tap_calibration"]
        assert calibration["calibrated"] is True, calibration["summary"]
        assert calibration["device"] == "Polar H10" and calibration["taps"] == 9
        [strength] = [c for c in calibration["changes"] if c["setting"] == "min_area_gms"]
        low, high = SAFE_BOUNDS.min_area_gms
        assert strength["bounds"] == [low, high] and low <= strength["after"] < high
        store = room.hub.session.settings.tap_calibrations
        assert store is not None
        kept = store.settings_for("alex", "Polar H10")
        assert kept is not None and kept.min_area_gms == strength["after"]

        # After: the same soft taps are signals, at once.
        await asyncio.sleep(1.5)  # reading the page
        await room.soft_taps(4)
        await wait_until(lambda: times_played(room.watch, pattern_for(ComfortSignal.STOP)) == 1)
        sent = room.seen.of(SignalSent)
        assert [e.message.signal for e in sent] == ["slow_down", "pause", "stop"]
        assert {e.message.source for e in sent} == {"tap"}

        # sam's watch finds its own taps: nothing of it can be calibrated, and the page says so.
        assert (await room.api("GET", "sam"))["tap_calibration"] is None

        reset = await room.api("POST", "alex/tap-calibration/reset")
        assert reset["calibrated"] is False and "default" in reset["summary"]
        assert store.settings_for("alex", "Polar H10") is None

    # The calibrated settings on the shipped slice of real body-worn motion: no false signal.
    for entry in read_manifest(shipped_motion_folder()):
        assert_no_false_signal_on_real_motion(entry, kept)
    assert kept != TapDetectorSettings()


async def test_a_watch_with_its_own_tap_engine_is_not_calibrated_and_the_page_says_why(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    async with strap_room(mosquitto.address, pair_id, tmp_path) as room:
        await room.api("POST", "sam/rehearsal/start")
        drill = room.hub.practice.rehearsal.drill
        assert drill is not None
        for step, count in enumerate((2, 3, 4)):  # the tap steps come first
            await wait_until(lambda: drill.index == step and drill.phase == "performing")  # noqa: B023
            for index in range(count):
                if index:
                    await asyncio.sleep(0.2)
                room.watch.tap()
            await wait_until(lambda: drill.phase != "performing" or drill.index > step)  # noqa: B023
            if drill.phase == "waiting_for_partner":
                await room.api("POST", "alex/rehearsal/felt")
        await room.api("POST", "sam/rehearsal/end")  # the taps are what matters here
        calibration = (await room.api("GET", "sam"))["tap_calibration"]
        assert calibration["calibrated"] is False
        assert "finds taps by itself" in calibration["summary"]
