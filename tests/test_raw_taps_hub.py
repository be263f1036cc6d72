"""Taps in a chest strap's raw acceleration reach the partner like a watch's own taps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from firmware_bridge.sim import SimulatedPolarH10
from hub import BrokerAddress, RawTapsOff, SessionSettings, SignalSent, event_json
from hub._console import describe
from hub._tap_calibrations import TapCalibrations
from signals import (
    ComfortSignal,
    calibrate,
    lay_tap,
    measure_taps,
    pattern_for,
    vigorous_motion,
)
from tests.helpers import wait_until
from tests.hubs import strap_and_watch, times_played

RATE = 100


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
    async with strap_and_watch(broker, pair_id, rate_hz=RATE) as (strap, watch, seen):
        await _stream(strap, samples)
        await wait_until(lambda: times_played(watch, pattern_for(ComfortSignal.STOP)) == 1)
        sent = seen.of(SignalSent)
        assert [e.message.signal for e in sent] == ["slow_down", "pause", "stop"]
        assert {e.message.source for e in sent} == {"tap"}


async def test_jogging_with_the_strap_on_sends_nothing(broker: BrokerAddress, pair_id: str) -> None:
    samples = vigorous_motion("jogging", RATE, 5.0, np.random.default_rng(8))
    async with strap_and_watch(broker, pair_id, rate_hz=RATE) as (strap, watch, seen):
        await _stream(strap, samples)
        await asyncio.sleep(0.6)  # the last samples' judgement
        assert seen.of(SignalSent) == []
        assert watch.buzzes == []


async def test_a_strap_at_25_hz_takes_no_taps_and_the_hub_says_why(
    broker: BrokerAddress, pair_id: str
) -> None:
    rate = 25
    samples = np.tile([0.02, -0.98, 0.1], (rate * 4, 1))
    for at in (1.0, 1.3, 1.6, 1.9):  # firm taps that 25 Hz cannot tell from jolts
        lay_tap(samples, rate, at, width_s=0.02, peak_g=4.0)
    async with strap_and_watch(broker, pair_id, rate_hz=rate) as (strap, watch, seen):
        samples_mg = np.round(samples * 1000).astype(int).tolist()
        for start in range(0, len(samples_mg), 9):
            strap.move([tuple(s) for s in samples_mg[start : start + 9]])
            await asyncio.sleep(9 / rate)
        await wait_until(lambda: seen.of(RawTapsOff) != [])
        await asyncio.sleep(0.6)  # what the detector would have judged by now
        assert seen.of(SignalSent) == []
        assert watch.buzzes == []
    [notice] = seen.of(RawTapsOff)  # said once, for the whole stream
    assert (notice.wearer, notice.device, notice.rate_hz) == ("alex", "Polar H10", 25.0)
    line = describe(notice)
    assert line is not None
    assert line.startswith("alex's Polar H10 streams acceleration at 25 Hz: too slow")
    assert event_json(notice)["type"] == "raw_taps_off"  # what the page shows


async def test_a_soft_tapper_calibrated_on_the_strap_is_heard_by_the_hub(
    broker: BrokerAddress, pair_id: str, tmp_path: Path
) -> None:
    # A rehearsal of soft taps (0.5 g peaks), measured and kept for alex's Polar H10.
    rehearsal = _still_chest(26.0)
    prompts = [[3.0 + 6.0 * n + 0.4 * i for i in range(3)] for n in range(4)]
    for at in (t for pattern in prompts for t in pattern):
        lay_tap(rehearsal, RATE, at + 0.05, width_s=0.015, peak_g=0.5)
    store = TapCalibrations(tmp_path / "tap-calibrations.json")
    store.save("alex", "Polar H10", calibrate(measure_taps(rehearsal, RATE, prompts)), taps=12)
    samples = _still_chest(4.0)
    for at in (1.0, 1.3, 1.6, 1.9):
        lay_tap(samples, RATE, at, width_s=0.015, peak_g=0.5)
    settings = SessionSettings(tap_calibrations=store)
    async with strap_and_watch(broker, pair_id, rate_hz=RATE, settings=settings) as (
        strap,
        watch,
        seen,
    ):
        await _stream(strap, samples)
        await wait_until(lambda: times_played(watch, pattern_for(ComfortSignal.STOP)) == 1)
        assert [e.message.signal for e in seen.of(SignalSent)] == ["slow_down", "pause", "stop"]
