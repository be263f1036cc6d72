"""A wearer's own taps tune the detector, within bounds that real motion has been checked at."""

from __future__ import annotations

import json
import stat
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge import AccelBatch
from hub._raw_taps import RawTapFinder
from hub._tap_calibrations import CalibrationFileError, TapCalibrations
from hub.lab._motion import MotionEntry, read_manifest, read_recording, shipped_motion_folder
from hub.lab._recordings import real_motion
from signals import (
    SAFE_BOUNDS,
    CorpusSettings,
    MeasuredTap,
    TapDetectorSettings,
    calibrate,
    detect_taps,
    lay_tap,
    measure_taps,
    score_recording,
    signals_from_taps,
    synthesise_tap_recording,
)

SOFT_TAPS = CorpusSettings(peak_g=(0.5, 0.65), width_s=(0.012, 0.02))


def _rehearsal(rate_hz: float, peak_g: float, gap_s: float = 0.45) -> list[MeasuredTap]:
    """Four patterns of three taps on a still wrist, each tap made when asked."""
    rng = np.random.default_rng(11)
    samples = np.tile([0.05, 0.3, -0.95], (round(rate_hz * 30), 1))
    samples = samples + rng.normal(0.0, 0.004, samples.shape)
    prompts = []
    for pattern in range(4):
        asked = [3.0 + 6.0 * pattern + i * gap_s for i in range(3)]
        for at in asked:
            lay_tap(samples, rate_hz, at + 0.08, width_s=0.015, peak_g=peak_g)  # a bit late
        prompts.append(asked)
    return measure_taps(samples, rate_hz, prompts)


@cache
def _soft_settings() -> TapDetectorSettings:
    return calibrate(_rehearsal(100.0, peak_g=0.55))


def _recall(rate_hz: float, settings: TapDetectorSettings | None, corpus: CorpusSettings) -> float:
    patterns = recalled = false_signals = 0
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        for motion in real_motion():
            if motion.duration_s < 30:
                continue
            recording = synthesise_tap_recording(
                motion.samples_g, motion.rate_hz, rate_hz, rng, corpus
            )
            taps = detect_taps(recording.samples_g, rate_hz, settings=settings)
            score = score_recording(
                taps, recording.patterns, recording.duration_s, tolerance_s=max(0.06, 2 / rate_hz)
            )
            patterns += score.patterns
            recalled += score.recalled
            false_signals += score.false_signals
    assert false_signals == 0
    return recalled / patterns


def test_the_rehearsal_measures_each_tap_its_strength_width_and_rhythm() -> None:
    taps = _rehearsal(100.0, peak_g=2.0, gap_s=0.6)
    assert len(taps) == 12
    assert {tap.pattern for tap in taps} == {0, 1, 2, 3}
    assert all(15.0 < tap.area_gms < 30.0 for tap in taps)  # 2 g for 15 ms
    assert all(0.008 < tap.width_s < 0.02 for tap in taps)
    settings = calibrate(taps)
    assert settings.min_area_gms == TapDetectorSettings().min_area_gms  # a firm tapper
    assert settings.pattern_gap_s == pytest.approx(0.7)  # a slow rhythm, at its bound


def test_a_soft_tapper_calibrated_gets_their_soft_taps_recognised() -> None:
    soft = _soft_settings()
    assert soft.min_area_gms == SAFE_BOUNDS.min_area_gms[0]
    default_recall = _recall(100.0, None, SOFT_TAPS)
    calibrated_recall = _recall(100.0, soft, SOFT_TAPS)
    assert default_recall < 0.85  # the defaults miss many of these taps
    assert calibrated_recall >= 0.95


@pytest.mark.parametrize(
    "entry", read_manifest(shipped_motion_folder()), ids=lambda entry: entry.file
)
def test_calibrated_on_soft_taps_real_motion_still_makes_no_false_signal(
    entry: MotionEntry,
) -> None:
    assert_no_false_signal_on_real_motion(entry, _soft_settings())


def assert_no_false_signal_on_real_motion(
    entry: MotionEntry, settings: TapDetectorSettings
) -> None:
    """The shipped slice of real body-worn motion makes no signal with these settings."""
    samples = read_recording(shipped_motion_folder(), entry)
    taps = detect_taps(samples, entry.rate_hz, settings=settings)
    assert signals_from_taps(taps) == [], entry.file


@pytest.mark.parametrize(("rate_hz", "least_recall"), [(50.0, 0.95), (100.0, 0.99)])
@pytest.mark.parametrize("peak_g", [0.55, 2.0], ids=["soft tapper", "firm tapper"])
def test_recall_targets_hold_with_calibration_on(
    rate_hz: float, least_recall: float, peak_g: float
) -> None:
    settings = calibrate(_rehearsal(rate_hz, peak_g=peak_g))
    assert _recall(rate_hz, settings, CorpusSettings()) >= least_recall


@given(
    st.lists(
        st.tuples(
            st.floats(0.1, 200.0), st.floats(0.001, 0.1), st.floats(0.05, 2.0), st.integers(0, 3)
        ),
        min_size=6,
        max_size=30,
    )
)
def test_no_taps_can_move_a_threshold_beyond_its_safe_bounds(
    raw: list[tuple[float, float, float, int]],
) -> None:
    at = np.cumsum([gap for _, _, gap, _ in raw])
    taps = [
        MeasuredTap(float(t), area, width, pattern)
        for t, (area, width, _, pattern) in zip(at, raw, strict=True)
    ]
    settings = calibrate(taps)
    for name in ("min_area_gms", "pattern_min_area_gms", "pattern_gap_s", "core_s"):
        low, high = getattr(SAFE_BOUNDS, name)
        assert low <= getattr(settings, name) <= high


def test_too_few_taps_are_refused() -> None:
    with pytest.raises(ValueError, match="calibration needs at least 6 taps, got 2"):
        calibrate(_rehearsal(100.0, peak_g=1.0)[:2])


def test_the_store_keeps_each_wearer_and_device_privately(tmp_path: Path) -> None:
    store = TapCalibrations.beside(tmp_path / "hub" / "state.sqlite")
    assert store.settings_for("alex", "Polar H10") is None
    store.save("alex", "Polar H10", _soft_settings(), taps=12)
    store.save("sam", "micro:bit", TapDetectorSettings(), taps=9)
    again = TapCalibrations(store.path)
    assert again.settings_for("alex", "Polar H10") == _soft_settings()
    assert again.settings_for("alex", "micro:bit") is None
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    again.forget("alex", "Polar H10")
    assert again.settings_for("alex", "Polar H10") is None


def test_an_unsafe_record_is_refused_naming_it(tmp_path: Path) -> None:
    store = TapCalibrations(tmp_path / "tap-calibrations.json")
    store.save("alex", "Polar H10", _soft_settings(), taps=12)
    data = json.loads(store.path.read_text())
    data["alex/Polar H10"]["settings"]["min_area_gms"] = 1.0
    store.path.write_text(json.dumps(data))
    with pytest.raises(
        CalibrationFileError,
        match=r"record 'alex/Polar H10': min_area_gms = 1 is outside the safe bounds 5 to 6",
    ):
        store.settings_for("alex", "Polar H10")


def test_the_hub_uses_the_wearers_calibration_for_that_device(tmp_path: Path) -> None:
    rate = 100.0
    rng = np.random.default_rng(4)
    samples = np.tile([0.02, -0.98, 0.1], (round(rate * 6), 1))
    samples = samples + rng.normal(0.0, 0.004, samples.shape)
    for at in (2.0, 2.4, 2.8):
        lay_tap(samples, rate, at, width_s=0.015, peak_g=0.5)  # soft
    store = TapCalibrations(tmp_path / "tap-calibrations.json")
    store.save("alex", "Polar H10", _soft_settings(), taps=12)

    def taps_found(finder: RawTapFinder, device: str) -> int:
        found = 0
        for start in range(0, len(samples), 36):
            chunk = samples[start : start + 36]
            times = (start + np.arange(len(chunk))) / rate
            found += len(finder.feed(AccelBatch(times, chunk, rate, device=device)))
        return found

    assert taps_found(RawTapFinder("alex", calibrations=store), "Polar H10") == 3
    assert taps_found(RawTapFinder("alex", calibrations=store), "micro:bit") < 3
