"""Measures the signal processing against its targets.

- the synthetic corpus: tap patterns laid over every stretch of real motion, at 50, 100 and
  200 Hz (and at the real recordings' own 25-32 Hz for comparison), with ground truth;
- the real recordings at their own rate, which hold no deliberate tap: every signal is false;
- synthetic vigorous movement (jogging, brushing teeth, ...) at 50-200 Hz, equally tapless;
- the detector's throughput on the 100 Hz corpus;
- heart rate: mean NN and RMSSD on five-minute windows of an hour of real beats, against
  neurokit2's when it is installed (it comes with the development tools).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from hub.lab._recordings import MotionRecording, normal_beats_ms, real_motion
from signals import (
    VIGOROUS_MOTIONS,
    RecordingScore,
    clean_rr,
    detect_taps,
    rr_statistics,
    score_recording,
    signals_from_taps,
    synthesise_tap_recording,
    vigorous_motion,
)

CORPUS_RATES_HZ = (25.0, 50.0, 100.0, 200.0)
VIGOROUS_RATES_HZ = (50.0, 100.0, 200.0)
# The targets the detector is held to: pattern recall per rate, false signals per hour.
RECALL_TARGETS = {50.0: 0.95, 100.0: 0.99}
FALSE_SIGNALS_PER_HOUR_TARGET = 0.1
SAMPLES_PER_SECOND_TARGET = 1_000_000
HRV_AGREEMENT_TARGET = 0.01
HRV_WINDOW_S = 300.0
# Stretches shorter than this hold too few patterns to be worth synthesising over.
_SHORTEST_STRETCH_S = 30.0
VIGOROUS_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class RecallRow:
    rate_hz: float
    motion: str
    score: RecordingScore


@dataclass(frozen=True, slots=True)
class MotionRow:
    """A tapless recording: every tap and signal found in it is false."""

    name: str
    rate_hz: float
    duration_s: float
    taps: int
    signals: int

    @property
    def signals_per_hour(self) -> float:
        return self.signals / (self.duration_s / 3600.0)


@dataclass(frozen=True, slots=True)
class HeartRow:
    """One five-minute window: ours, and the reference's where it could be computed."""

    start_s: float
    beats: int
    dropped: int
    mean_nn_ms: float
    rmssd_ms: float
    reference_mean_nn_ms: float | None
    reference_rmssd_ms: float | None

    @property
    def largest_difference(self) -> float | None:
        if self.reference_mean_nn_ms is None or self.reference_rmssd_ms is None:
            return None
        return max(
            abs(self.mean_nn_ms / self.reference_mean_nn_ms - 1),
            abs(self.rmssd_ms / self.reference_rmssd_ms - 1),
        )


@dataclass(frozen=True, slots=True)
class Evaluation:
    recall: list[RecallRow]
    real_motion: list[MotionRow]
    vigorous: list[MotionRow]
    samples_per_second: float
    heart: list[HeartRow]
    # Why there is no reference to compare with, if there is none.
    heart_reference_missing: str | None

    def recall_at(self, rate_hz: float) -> tuple[int, int]:
        """(recalled, tapped) patterns over every stretch at ``rate_hz``."""
        rows = [row for row in self.recall if row.rate_hz == rate_hz]
        return sum(r.score.recalled for r in rows), sum(r.score.patterns for r in rows)


def evaluate(
    seeds: Iterable[int] = (1, 2, 3),
    progress: Callable[[str], None] = lambda _: None,
) -> Evaluation:
    """Runs every part; ``progress`` hears what is being done."""
    motions = real_motion()
    recall: list[RecallRow] = []
    stretches = [m for m in motions if m.duration_s >= _SHORTEST_STRETCH_S]
    for rate in CORPUS_RATES_HZ:
        progress(f"synthetic taps at {rate:g} Hz over {len(stretches)} stretches of real motion")
        for seed in seeds:
            rng = np.random.default_rng(seed)
            for motion in stretches:
                recall.append(RecallRow(rate, motion.name, _score(motion, rate, rng)))
    progress("real everyday motion at its own rate")
    real = [_tapless(m.name, m.rate_hz, m.samples_g) for m in motions]
    vigorous: list[MotionRow] = []
    for rate in VIGOROUS_RATES_HZ:
        progress(f"synthetic vigorous movement at {rate:g} Hz")
        rng = np.random.default_rng(0)
        for kind in VIGOROUS_MOTIONS:
            samples = vigorous_motion(kind, rate, VIGOROUS_SECONDS, rng)
            vigorous.append(_tapless(kind, rate, samples))
    progress("detector throughput at 100 Hz")
    throughput = _throughput(stretches)
    progress("heart rate against the reference library")
    reference, missing = _reference_library()
    return Evaluation(recall, real, vigorous, throughput, _heart(reference), missing)


def _throughput(stretches: list[MotionRecording]) -> float:
    rng = np.random.default_rng(0)
    recordings = [
        synthesise_tap_recording(m.samples_g, m.rate_hz, 100.0, rng).samples_g for m in stretches
    ]
    samples = np.concatenate(recordings)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        detect_taps(samples, 100.0)
        best = min(best, time.perf_counter() - started)
    return len(samples) / best


def _reference_library() -> tuple[Any, str | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its own import-time chatter
            import neurokit2
    except ImportError:
        return None, "neurokit2 is not installed (pip install neurokit2, or the dev extras)"
    return neurokit2, None


def _heart(reference: Any) -> list[HeartRow]:
    rr = normal_beats_ms()
    ends = np.cumsum(rr) / 1000.0
    rows: list[HeartRow] = []
    for start in np.arange(0.0, ends[-1] - HRV_WINDOW_S, HRV_WINDOW_S).tolist():
        window = (ends > start) & (ends <= start + HRV_WINDOW_S)
        kept = clean_rr(rr[window])
        ours = rr_statistics(rr[window], kept)
        if ours is None or ours.rmssd_ms is None:
            continue
        reference_nn = reference_rmssd = None
        if reference is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = reference.hrv_time(
                    {"RRI": rr[window][kept], "RRI_Time": ends[window][kept]}
                )
            reference_nn = float(result["HRV_MeanNN"].iloc[0])
            reference_rmssd = float(result["HRV_RMSSD"].iloc[0])
        rows.append(
            HeartRow(
                start_s=start,
                beats=int(window.sum()),
                dropped=ours.rejected,
                mean_nn_ms=ours.mean_nn_ms,
                rmssd_ms=ours.rmssd_ms,
                reference_mean_nn_ms=reference_nn,
                reference_rmssd_ms=reference_rmssd,
            )
        )
    return rows


def _score(motion: MotionRecording, rate_hz: float, rng: np.random.Generator) -> RecordingScore:
    recording = synthesise_tap_recording(motion.samples_g, motion.rate_hz, rate_hz, rng)
    taps = detect_taps(recording.samples_g, rate_hz)
    # A tap is reported at its peak, within a sample of it at low rates.
    tolerance_s = max(0.06, 2.0 / rate_hz)
    return score_recording(taps, recording.patterns, recording.duration_s, tolerance_s=tolerance_s)


def _tapless(name: str, rate_hz: float, samples: np.ndarray) -> MotionRow:
    taps = detect_taps(samples, rate_hz)
    return MotionRow(
        name=name,
        rate_hz=rate_hz,
        duration_s=len(samples) / rate_hz,
        taps=len(taps),
        signals=len(signals_from_taps(taps)),
    )
