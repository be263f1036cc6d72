"""Measures the tap detector: recall of tap patterns, and false signals on everyday motion.

Three parts, each a list of rows:
- the synthetic corpus: tap patterns laid over every stretch of real motion, at 50, 100 and
  200 Hz (and at the real recordings' own 25-32 Hz for comparison), with ground truth;
- the real recordings at their own rate, which hold no deliberate tap: every signal is false;
- synthetic vigorous movement (jogging, brushing teeth, ...) at 50-200 Hz, equally tapless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from hub._motion_corpus import MotionRecording, real_motion
from signals import (
    VIGOROUS_MOTIONS,
    RecordingScore,
    detect_taps,
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
class Evaluation:
    recall: list[RecallRow]
    real_motion: list[MotionRow]
    vigorous: list[MotionRow]

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
    return Evaluation(recall, real, vigorous)


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
