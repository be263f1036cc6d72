"""Acceleration batches as drivers deliver them, with the radio's jitter, become tap events."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pytest

from firmware_bridge import AccelBatch
from hub import RawTapsOff
from hub._raw_taps import RawTapFinder
from signals import InputEvent, InputKind, lay_tap

RATE = 100.0
FRAME = 36


def _pattern(seconds: float = 6.0) -> np.ndarray:
    rng = np.random.default_rng(3)
    samples = np.tile([0.02, -0.98, 0.1], (round(RATE * seconds), 1))
    samples = samples + rng.normal(0.0, 0.004, samples.shape)
    for at in (2.0, 2.17, 2.34, 2.51):  # a quick four-tap stop
        lay_tap(samples, RATE, at, width_s=0.015, peak_g=2.5)
    return samples


def _batches(samples: np.ndarray, delays: list[float]) -> list[AccelBatch]:
    """Frames stamped the way the Polar driver does: back from each frame's arrival."""
    batches = []
    for number, start in enumerate(range(0, len(samples), FRAME)):
        chunk = samples[start : start + FRAME]
        arrival = (start + len(chunk)) / RATE + delays[number % len(delays)]
        back = np.arange(len(chunk) - 1, -1, -1) / RATE
        batches.append(AccelBatch(times=arrival - back, xyz_g=chunk, rate_hz=RATE))
    return batches


@pytest.mark.parametrize(
    "delays",
    [
        [0.0],
        [0.2, 0.0],  # every other frame held up, then two land almost together
        [0.0, 0.3, 0.25, 0.05],
    ],
    ids=["steady", "bunched pairs", "irregular"],
)
def test_jittery_frames_give_every_tap_in_order(delays: list[float]) -> None:
    finder = RawTapFinder("alex")
    taps = [tap for batch in _batches(_pattern(), delays) for tap in finder.feed(batch)]
    assert [tap.kind for tap in taps] == [InputKind.TAP] * 4
    gaps = np.diff([tap.at for tap in taps])
    assert gaps == pytest.approx([0.17, 0.17, 0.17], abs=0.011)


def test_a_stream_that_pauses_is_timed_afresh() -> None:
    finder = RawTapFinder("alex")
    samples = _pattern()
    first = AccelBatch(np.arange(100) / RATE, samples[:100], RATE)
    later = AccelBatch(100.0 + np.arange(len(samples) - 100) / RATE, samples[100:], RATE)
    assert finder.feed(first) == []
    taps = [tap.at for tap in finder.feed(later)]
    # Counted from the later batch's arrival, not on from the first stretch.
    assert taps == pytest.approx([101.01, 101.18, 101.35, 101.52], abs=0.011)


def test_an_unsupported_rate_is_ignored_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notices: list[RawTapsOff] = []
    finder = RawTapFinder("alex", notice=notices.append)
    batch = AccelBatch(np.arange(10) / 2000.0, np.zeros((10, 3)), 2000.0, device="Lab rig")
    with caplog.at_level(logging.WARNING):
        assert finder.feed(batch) == []
        assert finder.feed(batch) == []
    message = (
        "alex's Lab rig streams acceleration at 2000 Hz: taps are looked for up to 1000 Hz "
        "only; no taps are taken from it, use its button or its own tap events"
    )
    assert [r.getMessage() for r in caplog.records] == [message]
    assert [n.reason for n in notices] == [message]
    assert finder.feed(AccelBatch(np.empty(0), np.empty((0, 3)), RATE)) == []


@pytest.mark.parametrize("rate_hz", [32.0, 25.0, 12.5])
def test_below_50_hz_firm_taps_are_not_taken_and_the_wearer_is_told_once(rate_hz: float) -> None:
    """Below 50 Hz a tap fits inside a sample and looks like any jolt: the raw detector is
    off by default, even for a pattern of taps it would otherwise take."""
    rng = np.random.default_rng(2)
    samples = np.tile([0.02, -0.98, 0.1], (round(rate_hz * 6), 1))
    samples = samples + rng.normal(0.0, 0.004, samples.shape)
    for at in (2.0, 2.3, 2.6, 2.9):
        lay_tap(samples, rate_hz, at, width_s=0.02, peak_g=4.0)
    notices: list[RawTapsOff] = []
    finder = RawTapFinder("alex", notice=notices.append)
    assert _feed_slowly(finder, samples, rate_hz) == []
    assert len(notices) == 1
    assert notices[0].device == "Empatica E4" and notices[0].rate_hz == rate_hz
    assert notices[0].reason.startswith(
        f"alex's Empatica E4 streams acceleration at {rate_hz:g} Hz: too slow to tell a tap "
        "from a jolt (taps are looked for from 50 Hz)"
    )
    # Where a deployment accepts the risk, it can look from a lower rate: the same firm
    # taps are then found.
    if rate_hz >= 25.0:
        assert len(_feed_slowly(RawTapFinder("alex", lowest_rate_hz=25.0), samples, rate_hz)) >= 2


def _feed_slowly(finder: RawTapFinder, samples: np.ndarray, rate_hz: float) -> list[InputEvent]:
    taps = []
    for start in range(0, len(samples), 8):
        chunk = samples[start : start + 8]
        times = (start + np.arange(len(chunk))) / rate_hz
        taps += finder.feed(AccelBatch(times, chunk, rate_hz, device="Empatica E4"))
    return taps


def test_a_sensor_slower_than_its_nominal_rate_keeps_its_taps() -> None:
    """Counting runs ahead of the arrivals and is pulled back now and then: no tap is lost
    and time never runs backwards."""
    true_rate = 98.0  # the device says 100 Hz
    rng = np.random.default_rng(6)
    samples = np.tile([0.02, -0.98, 0.1], (round(true_rate * 80), 1))
    samples = samples + rng.normal(0.0, 0.004, samples.shape)
    starts = [10.0, 30.0, 50.0, 70.0]
    for start in starts:
        for offset in (0.0, 0.3, 0.6, 0.9):
            lay_tap(samples, true_rate, start + offset, width_s=0.015, peak_g=2.5)
    finder = RawTapFinder("alex")
    taps = []
    for begin in range(0, len(samples), FRAME):
        chunk = samples[begin : begin + FRAME]
        arrival = (begin + len(chunk)) / true_rate
        back = np.arange(len(chunk) - 1, -1, -1) / RATE
        taps += finder.feed(AccelBatch(arrival - back, chunk, RATE))
    times = [tap.at for tap in taps]
    assert len(times) == 16
    assert all(later > earlier for earlier, later in itertools.pairwise(times))
    for number, start in enumerate(starts):
        assert times[4 * number] == pytest.approx(start, abs=0.6)
