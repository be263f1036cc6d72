"""The tap detector: deliberate taps found in raw acceleration, everyday motion ignored."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.lab._recordings import MotionRecording, real_motion
from signals import (
    VIGOROUS_MOTIONS,
    AccelUnit,
    ComfortSignal,
    SyntheticRecording,
    TapDetector,
    TapDetectorSettings,
    TapPattern,
    detect_taps,
    lay_tap,
    score_recording,
    signals_from_taps,
    synthesise_tap_recording,
    vigorous_motion,
)
from signals._tap_area import bend_gain, measure
from signals._tap_settings import Geometry


def _long_stretches() -> list[MotionRecording]:
    return [recording for recording in real_motion() if recording.duration_s > 60]


def _corpus(rate_hz: float, seeds: tuple[int, ...]) -> list[SyntheticRecording]:
    recordings = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        recordings += [
            synthesise_tap_recording(motion.samples_g, motion.rate_hz, rate_hz, rng)
            for motion in _long_stretches()
        ]
    return recordings


def _still_wrist(rate_hz: float, seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    samples = np.tile([0.05, 0.3, -0.95], (round(rate_hz * seconds), 1))
    return samples + rng.normal(0.0, 0.004, samples.shape)


def _tap(samples: np.ndarray, rate_hz: float, at: float, peak_g: float = 2.5) -> None:
    """A firm 15 ms tap on the watch face, as the sensor sees it."""
    lay_tap(samples, rate_hz, at, width_s=0.015, peak_g=peak_g)


# -- ground truth: synthetic taps over real motion ------------------------------------------


@pytest.mark.parametrize(("rate_hz", "least_recall"), [(50.0, 0.95), (100.0, 0.99), (200.0, 0.99)])
def test_tap_patterns_over_real_motion_are_recognised(rate_hz: float, least_recall: float) -> None:
    patterns = recalled = false_signals = taps_tapped = extra_taps = 0
    for recording in _corpus(rate_hz, seeds=(7, 8, 9)):
        taps = detect_taps(recording.samples_g, rate_hz)
        score = score_recording(taps, recording.patterns, recording.duration_s)
        patterns += score.patterns
        recalled += score.recalled
        false_signals += score.false_signals
        taps_tapped += score.taps
        extra_taps += score.extra_taps
    assert patterns > 200, "the corpus should hold enough patterns to measure"
    assert recalled / patterns >= least_recall
    assert false_signals == 0
    assert extra_taps <= 0.01 * taps_tapped


def test_detected_taps_make_the_signal_their_count_asks_for() -> None:
    rate = 100.0
    samples = _still_wrist(rate, 8.0)
    for at in (2.0, 2.3, 2.6, 2.9):  # four taps: stop
        _tap(samples, rate, at)
    taps = detect_taps(samples, rate)
    assert taps == pytest.approx([2.0, 2.3, 2.6, 2.9], abs=0.015)
    made = [(round(s.at, 1), s.signal) for s in signals_from_taps(taps)]
    # Escalation without waiting: each tap that completes a pattern raises the level.
    assert made == [
        (2.3, ComfortSignal.SLOW_DOWN),
        (2.6, ComfortSignal.PAUSE),
        (2.9, ComfortSignal.STOP),
    ]


# -- everyday motion makes no taps ----------------------------------------------------------


@pytest.mark.parametrize("motion", _long_stretches(), ids=lambda m: m.name)
def test_real_everyday_motion_makes_no_taps(motion: MotionRecording) -> None:
    assert detect_taps(motion.samples_g, motion.rate_hz).tolist() == []


@pytest.mark.parametrize("kind", VIGOROUS_MOTIONS)
@pytest.mark.parametrize("rate_hz", [50.0, 100.0, 200.0])
def test_vigorous_movement_makes_no_taps(kind: str, rate_hz: float) -> None:
    samples = vigorous_motion(kind, rate_hz, 60.0, np.random.default_rng(11))
    assert detect_taps(samples, rate_hz).tolist() == []


@pytest.mark.parametrize("kind", ["jogging", "massage_strokes", "picking_up"])
def test_a_single_threshold_would_fire_on_that_movement(kind: str) -> None:
    """The movement above is not trivially calm: only the shape and surroundings rules
    keep it from being taps."""
    threshold_only = TapDetectorSettings(
        still_g=100.0,
        prominence=1e-9,
        max_posture_change_g=100.0,
        wide_area_ratio=1e9,
        min_clear_share=1e-9,
        pattern_still_g=100.0,
        pattern_prominence=1e-9,
    )
    samples = vigorous_motion(kind, 100.0, 60.0, np.random.default_rng(11))
    assert len(detect_taps(samples, 100.0, settings=threshold_only)) > 5


def test_a_tap_while_the_wrist_swings_is_not_a_deliberate_tap() -> None:
    rate = 100.0
    samples = _still_wrist(rate, 6.0)
    t = np.arange(len(samples)) / rate
    samples[:, 0] += 0.6 * np.sin(2 * np.pi * 2.0 * t)  # arm swinging at 2 Hz
    _tap(samples, rate, 3.0)
    assert detect_taps(samples, rate).tolist() == []


# -- rates and units ------------------------------------------------------------------------


@pytest.mark.parametrize("rate_hz", [50.0, 100.0, 200.0, 400.0, 1000.0])
def test_taps_are_found_at_every_rate_from_50_hz(rate_hz: float) -> None:
    samples = _still_wrist(rate_hz, 6.0)
    for at in (2.0, 2.4):
        lay_tap(samples, rate_hz, at, width_s=0.02, peak_g=2.0)
    # Reported at the impulse's peak, 10 ms in, to within a sample.
    expected = [2.01, 2.41]
    assert detect_taps(samples, rate_hz) == pytest.approx(expected, abs=1.0 / rate_hz + 0.005)


@pytest.mark.parametrize("rate_hz", [25.0, 32.0])
def test_below_50_hz_only_the_firmest_taps_count(rate_hz: float) -> None:
    """A tap fits inside one sample there: only its size tells it from a jolt."""
    rng = np.random.default_rng(0)
    starts = 2.0 + 2.0 * np.arange(10) + rng.uniform(0.0, 1.0 / rate_hz, 10)
    firm, moderate = _still_wrist(rate_hz, 25.0), _still_wrist(rate_hz, 25.0)
    for at in starts:
        lay_tap(firm, rate_hz, at, width_s=0.02, peak_g=4.0)
        lay_tap(moderate, rate_hz, at, width_s=0.015, peak_g=2.0)
    assert len(detect_taps(firm, rate_hz)) >= 5
    assert detect_taps(moderate, rate_hz).tolist() == []


def test_units_are_converted_at_the_edge() -> None:
    rate = 100.0
    samples = _still_wrist(rate, 5.0)
    _tap(samples, rate, 2.0)
    in_g = detect_taps(samples, rate)
    assert len(in_g) == 1
    np.testing.assert_array_equal(detect_taps(samples * 1000, rate, unit="mg"), in_g)
    np.testing.assert_array_equal(
        detect_taps(samples * 9.80665, rate, unit=AccelUnit.METRES_PER_S2), in_g
    )
    # The same numbers read as milli-g are a barely moving wrist: no tap.
    assert detect_taps(samples, rate, unit="mg").tolist() == []


def test_a_glitched_sample_is_not_a_tap() -> None:
    rate = 100.0
    samples = _still_wrist(rate, 8.0)
    _tap(samples, rate, 3.0)
    samples[500] = [np.inf, 0.0, 0.0]
    samples[600] = [np.nan, np.nan, np.nan]
    samples[700, 2] = -np.inf
    assert detect_taps(samples, rate) == pytest.approx([3.01], abs=0.01)


def test_bad_input_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown acceleration unit 'furlongs'"):
        detect_taps(np.zeros((10, 3)), 100.0, unit="furlongs")
    with pytest.raises(ValueError, match=r"rate_hz must be between 25 and 1000 Hz, got 10"):
        TapDetector(10.0)
    with pytest.raises(ValueError, match=r"shape \(n, 3\), got \(10, 2\)"):
        TapDetector(100.0).feed(np.zeros((10, 2)), np.arange(10) / 100)
    with pytest.raises(ValueError, match="one entry per sample: 10 samples"):
        TapDetector(100.0).feed(np.zeros((10, 3)), np.arange(9) / 100)
    with pytest.raises(ValueError, match="still_g must be positive"):
        TapDetectorSettings(still_g=0)


# -- streaming ------------------------------------------------------------------------------


_STREAM_RATE = 100.0
_STREAM = synthesise_tap_recording(
    _still_wrist(32.0, 40.0, seed=3), 32.0, _STREAM_RATE, np.random.default_rng(5)
)


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(0, len(_STREAM.samples_g)), max_size=30))
def test_chunking_never_changes_the_taps(cuts: list[int]) -> None:
    whole = detect_taps(_STREAM.samples_g, _STREAM_RATE)
    assert len(whole) >= 2 * len(_STREAM.patterns)
    detector = TapDetector(_STREAM_RATE)
    bounds = [0, *sorted(cuts), len(_STREAM.samples_g)]
    times = _STREAM.times
    found = [
        detector.feed(_STREAM.samples_g[start:stop], times[start:stop])
        for start, stop in itertools.pairwise(bounds)
    ]
    np.testing.assert_array_equal(np.concatenate(found), whole)


def _rough_stream() -> tuple[np.ndarray, np.ndarray]:
    """Two minutes at 100 Hz of tap patterns over real motion, with a spell of jogging and
    a jolt (impulses that are not taps), glitched samples (inf and NaN, one near a tap)
    and a pause in the samples."""
    rate = 100.0
    motion = max(_long_stretches(), key=lambda m: m.duration_s)
    recording = synthesise_tap_recording(
        motion.samples_g, motion.rate_hz, rate, np.random.default_rng(21)
    )
    samples = recording.samples_g[: round(120 * rate)].copy()
    jogging = vigorous_motion("jogging", rate, 5.0, np.random.default_rng(4))
    samples[3000 : 3000 + len(jogging)] = jogging
    lay_tap(samples, rate, 95.0, width_s=0.05, peak_g=1.5)  # a jolt: too wide for a tap
    # A firm tap and a barely-there one that goes on with its pattern, on a still wrist.
    samples[10_000:10_400] = _still_wrist(rate, 4.0, seed=9)
    lay_tap(samples, rate, 101.5, width_s=0.015, peak_g=2.5)
    lay_tap(samples, rate, 101.8, width_s=0.015, peak_g=0.45)
    first_tap = round(recording.patterns[0].taps[0] * rate)
    samples[first_tap + 20] = [np.inf, 0.0, 0.0]
    samples[[2000, 5000, 7777], [0, 1, 2]] = [np.nan, -np.inf, np.inf]
    samples[9000] = np.nan
    times = np.arange(len(samples)) / rate
    times[6543:] += 2.0  # the strap paused for two seconds
    return samples, times


@pytest.mark.parametrize("size", [1, 7, 36, 1000, None], ids=lambda size: f"chunks of {size}")
def test_the_taps_are_the_same_in_chunks_of_any_size(size: int | None) -> None:
    """The detector skips the judgement of chunks that cannot hold a tap, measures each
    impulse once as its samples arrive and keeps its samples in reused buffers: none of it
    may change a tap, a jolt's verdict, a glitch's or a pause's."""
    samples, times = _rough_stream()
    whole = TapDetector(_STREAM_RATE).feed(samples, times)
    assert len(whole) >= 20, "the stream should hold taps to compare"
    assert (whole < times[6543]).any() and (whole > times[6543]).any(), "taps either side"
    step = size or len(samples)
    detector = TapDetector(_STREAM_RATE)
    found = [
        detector.feed(samples[start : start + step], times[start : start + step])
        for start in range(0, len(samples), step)
    ]
    np.testing.assert_array_equal(np.concatenate(found), whole)


@settings(max_examples=60, deadline=None)
@given(
    rate_hz=st.sampled_from([25.0, 50.0, 100.0, 200.0, 1000.0]),
    seed=st.integers(0, 2**32 - 1),
    spikes=st.booleans(),
)
def test_no_impulse_area_exceeds_what_the_sharpest_bend_allows(
    rate_hz: float, seed: int, spikes: bool
) -> None:
    """A chunk is ruled out when its sharpest bend times the gain cannot reach a tap's
    area: that bound must hold for any samples, or taps would be missed. A flat-topped
    impulse one core long along the diagonal is the tightest case (exactly the bound at
    100 Hz), so a gain too small by any margin fails here."""
    geometry = Geometry.at(rate_hz, TapDetectorSettings())
    rng = np.random.default_rng(seed)
    samples = np.cumsum(rng.normal(0.0, 0.001, (300, 3)), axis=0)
    at = int(rng.integers(10, 250))
    samples[at : at + geometry.core] += rng.uniform(0.1, 5.0)
    if spikes:
        samples += rng.standard_cauchy((300, 3)) * 0.01
    areas = measure(samples, geometry.core, geometry.gap, geometry.sample_ms)
    sharpest_bend = np.abs(np.diff(samples, n=2, axis=0)).max()
    gain = bend_gain(geometry.core, geometry.gap, geometry.sample_ms)
    assert areas.best.max() <= sharpest_bend * gain * (1 + 1e-9)


def test_a_pause_in_the_samples_starts_afresh_without_inventing_taps() -> None:
    rate = 100.0
    detector = TapDetector(rate)
    before = _still_wrist(rate, 3.0)
    after = _still_wrist(rate, 3.0, seed=1) + np.array([0.5, -0.4, 0.3])  # worn differently
    _tap(after, rate, 1.5)
    times = np.arange(len(before)) / rate
    assert detector.feed(before, times).tolist() == []
    taps = detector.feed(after, times + 60.0)
    assert taps == pytest.approx([61.5], abs=0.02)


def test_taps_come_out_within_half_a_second() -> None:
    assert TapDetector(50.0).latency_s <= 0.5
    assert TapDetector(1000.0).latency_s <= 0.5


def test_score_counts_a_stop_tapped_as_pause_as_missed() -> None:
    pattern = TapPattern((1.0, 1.3, 1.6, 1.9))
    assert score_recording([1.0, 1.3, 1.6], (pattern,), 60.0).recalled == 0
    assert score_recording([1.0, 1.3, 1.6, 1.9], (pattern,), 60.0).recalled == 1
    stray = score_recording([1.0, 1.3, 1.6, 1.9, 30.0, 30.2], (pattern,), 60.0)
    assert stray.false_signals == 1
    assert stray.extra_taps == 2
