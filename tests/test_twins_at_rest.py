"""Simulated twins at rest behave like the real devices: a hub on them does not go stale.

A real Bangle.js (HRM on), Polar H10, heart strap or measuring PineTime sends a heart reading
about once a second, and a streaming accelerometer never stops; a twin that stayed silent
looked like a lost link after the driver's silence limit, and the partner was told to pause.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from firmware_bridge import AccelBatch, HeartReading, LinkState, WearableDriver
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.heart_rate import HeartRateDriver
from firmware_bridge.microbit import MicrobitDriver
from firmware_bridge.pinetime import PineTimeDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import (
    Gesture,
    SimRadio,
    SimulatedBangle,
    SimulatedHeartStrap,
    SimulatedMicrobit,
    SimulatedPeripheral,
    SimulatedPineTime,
    SimulatedPolarH10,
    perform_gesture,
)
from hub import BrokerAddress, SignalSent
from signals import ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import linked, wait_until
from tests.hubs import strap_and_watch, times_played
from tests.simulated_hub import simulated_hub

HEART_TWINS: list[tuple[SimulatedPeripheral, WearableDriver]] = [
    (SimulatedBangle("C0:00:00:00:E0:01"), BangleDriver()),
    (SimulatedPolarH10("C0:00:00:00:E0:02"), PolarH10Driver()),
    (SimulatedHeartStrap("C0:00:00:00:E0:03"), HeartRateDriver()),
    (SimulatedPineTime("C0:00:00:00:E0:04"), PineTimeDriver()),
]


@pytest.mark.parametrize(("twin", "driver"), HEART_TWINS, ids=lambda v: type(v).__name__)
async def test_a_resting_twin_sends_a_heart_reading_about_every_second(
    twin: SimulatedPeripheral, driver: WearableDriver
) -> None:
    radio = SimRadio()
    radio.add(twin)
    twin.resting = True
    async with linked(radio, twin, driver) as device:
        await wait_until(
            lambda: sum(isinstance(e, HeartReading) for e in device.events) >= 3, within_s=10
        )
    bpms = [e.bpm for e in device.events if isinstance(e, HeartReading)]
    assert all(50 <= bpm <= 80 for bpm in bpms), bpms


async def test_a_resting_twin_stays_quiet_when_asked_to() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:E0:05"))
    watch.resting = True
    async with linked(radio, watch, BangleDriver()) as device:
        await wait_until(lambda: bool(device.events), within_s=5)
        watch.resting = False
        heard = len(device.events)
        await asyncio.sleep(1.5)
        assert len(device.events) == heard, "a twin no longer resting sends nothing by itself"


async def test_a_resting_microbit_streams_still_acceleration_and_never_goes_stale() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C0:00:00:00:E0:06"))
    board.resting = True
    limit_s = MicrobitDriver.profile.expected_interval_s  # while acceleration streams
    assert limit_s is not None
    async with linked(radio, board, MicrobitDriver()) as device:
        await asyncio.sleep(limit_s * 2)
    samples = [e for e in device.events if isinstance(e, AccelBatch)]
    assert len(samples) > 10
    assert all(abs(float(s.xyz_g[0][1]) + 0.98) < 0.05 for s in samples), "gravity, at rest"
    assert LinkState.STALE not in [link.state for link in device.links]


async def test_an_idle_simulated_hub_stays_unpaused_past_the_stale_limit(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    profiles = {"alex": "bangle", "sam": "polar_h10"}
    longest_limit_s = max(BangleDriver.profile.expected_interval_s or 0, 5.0)
    async with simulated_hub(tmp_path, mosquitto.address, profiles) as hub:
        await asyncio.sleep(longest_limit_s + 2)
        status = await hub.status()
        assert status["alex"]["partner_level"] is None, hub.output()
        assert status["sam"]["partner_level"] is None, hub.output()
        assert all(w["connected"] for w in status.values())
        output = hub.output()
        assert "STALE" not in output and "PAUSE" not in output
        assert "signals" not in output, "still acceleration makes no taps"


async def test_four_taps_on_a_resting_strap_stop_the_partner(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    broker = BrokerAddress("127.0.0.1", mosquitto.port)
    async with strap_and_watch(broker, pair_id) as (strap, watch, seen):
        strap.resting = True
        await asyncio.sleep(1.0)  # the detector has learnt the stillness
        await perform_gesture(strap, Gesture.TAP, 4)
        await wait_until(lambda: times_played(watch, pattern_for(ComfortSignal.STOP)) == 1)
        sent = seen.of(SignalSent)
        assert [e.message.signal for e in sent] == ["slow_down", "pause", "stop"]
        assert {e.message.source for e in sent} == {"tap"}
