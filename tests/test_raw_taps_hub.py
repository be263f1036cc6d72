"""Taps in a chest strap's raw acceleration reach the partner like a watch's own taps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import numpy as np

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimRadio, SimulatedBangle, SimulatedPolarH10
from hub._broker import BrokerAddress
from hub._events import SignalSent
from hub._hub import Hub, WearerDevice
from signals import ComfortSignal, lay_tap, pattern_for, vigorous_motion
from tests.helpers import wait_until
from tests.hubs import PAIR, Recorder, times_played

RATE = 100


@contextlib.asynccontextmanager
async def _strap_and_watch(
    broker: BrokerAddress, pair_id: str
) -> AsyncIterator[tuple[SimulatedPolarH10, SimulatedBangle, Recorder]]:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("A0:9E:1A:00:00:01"))
    watch = radio.add(SimulatedBangle("C0:00:00:00:B0:09"))
    recorder = Recorder()
    hub = Hub(
        pair_id,
        PAIR,
        [
            WearerDevice("alex", strap.address, PolarH10Driver(sample_rate_hz=RATE)),
            WearerDevice("sam", watch.address, BangleDriver()),
        ],
        broker,
        observer=recorder.bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
    )
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            await hub.ready()
        await wait_until(lambda: strap.acc_settings is not None)
        yield strap, watch, recorder
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _stream(strap: SimulatedPolarH10, samples_g: np.ndarray) -> None:
    """Sends the samples as the strap would: a frame's worth at a time, in real time."""
    per_frame = 36
    samples_mg = np.round(samples_g * 1000).astype(int).tolist()
    for start in range(0, len(samples_mg), per_frame):
        strap.move([tuple(s) for s in samples_mg[start : start + per_frame]])
        await asyncio.sleep(per_frame / RATE)


def _still_chest(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(4)
    samples = np.tile([0.02, -0.98, 0.1], (round(RATE * seconds), 1))
    return samples + rng.normal(0.0, 0.004, samples.shape)


async def test_four_taps_on_the_strap_buzz_stop_on_the_partner(
    broker: BrokerAddress, pair_id: str
) -> None:
    samples = _still_chest(4.0)
    for at in (1.0, 1.3, 1.6, 1.9):
        lay_tap(samples, RATE, at, width_s=0.015, peak_g=2.5)
    async with _strap_and_watch(broker, pair_id) as (strap, watch, seen):
        await _stream(strap, samples)
        await wait_until(lambda: times_played(watch, pattern_for(ComfortSignal.STOP)) == 1)
        sent = seen.of(SignalSent)
        assert [e.message.signal for e in sent] == ["slow_down", "pause", "stop"]
        assert {e.message.source for e in sent} == {"tap"}


async def test_jogging_with_the_strap_on_sends_nothing(broker: BrokerAddress, pair_id: str) -> None:
    samples = vigorous_motion("jogging", RATE, 5.0, np.random.default_rng(8))
    async with _strap_and_watch(broker, pair_id) as (strap, watch, seen):
        await _stream(strap, samples)
        await asyncio.sleep(0.6)  # the last samples' judgement
        assert seen.of(SignalSent) == []
        assert watch.buzzes == []
