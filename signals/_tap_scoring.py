"""Turns detected taps into signals, and scores them against a recording's ground truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from signals._events import InputEvent, InputKind
from signals._gestures import GestureClassifier, GestureVocabulary, SignalIntent
from signals._tap_corpus import TapPattern
from signals._vocabulary import ComfortSignal


@dataclass(frozen=True, slots=True)
class TimedSignal:
    at: float
    signal: ComfortSignal


def signals_from_taps(
    tap_times: npt.ArrayLike, vocabulary: GestureVocabulary | None = None
) -> list[TimedSignal]:
    """The signals a wearer's classifier makes of these taps, each burst on its own.

    The taps go through the same :class:`GestureClassifier` as a device's tap events. A live
    wearer holds a level until they resume it; a recording holds many patterns, so between
    bursts the level is lifted, as if the wearer had resumed, and every pattern is seen.
    """
    vocabulary = vocabulary or GestureVocabulary()
    classifier = GestureClassifier(vocabulary)
    found: list[TimedSignal] = []
    last_tap = -np.inf
    for at in np.asarray(tap_times, dtype=np.float64).tolist():
        if at - last_tap > vocabulary.tap_gap_s:
            classifier.hold(None)
        last_tap = at
        for intent in classifier.feed(InputEvent(InputKind.TAP, at)):
            if isinstance(intent, SignalIntent):
                found.append(TimedSignal(intent.at, intent.signal))
    return found


@dataclass(frozen=True, slots=True)
class RecordingScore:
    """How a recording's detected taps compare with what was tapped."""

    patterns: int
    recalled: int
    taps: int
    taps_found: int
    # Signals that no tapped pattern asked for (false alarms), and taps that match no tap.
    false_signals: int
    extra_taps: int
    duration_s: float

    @property
    def pattern_recall(self) -> float:
        return self.recalled / self.patterns if self.patterns else 1.0

    @property
    def false_signals_per_hour(self) -> float:
        return self.false_signals / (self.duration_s / 3600.0)


def score_recording(
    detected: npt.ArrayLike,
    patterns: tuple[TapPattern, ...],
    duration_s: float,
    *,
    tolerance_s: float = 0.06,
    vocabulary: GestureVocabulary | None = None,
) -> RecordingScore:
    """Scores ``detected`` tap times against the ``patterns`` tapped in a recording.

    A tap is found when a detected tap lies within ``tolerance_s`` of it. A pattern is
    recalled when the strongest signal made during it is the one its tap count asks for
    (a stop tapped as a pause is missed). A signal outside every pattern is a false signal.
    """
    vocabulary = vocabulary or GestureVocabulary()
    taps_at = np.asarray(detected, dtype=np.float64)
    truth = np.array([at for pattern in patterns for at in pattern.taps], dtype=np.float64)
    distance = np.abs(taps_at[:, None] - truth[None, :]) if len(truth) else None
    taps_found = int((distance.min(axis=0) <= tolerance_s).sum()) if distance is not None else 0
    matched = (distance.min(axis=1) <= tolerance_s) if distance is not None else None
    extra_taps = int((~matched).sum()) if matched is not None else len(taps_at)
    made = signals_from_taps(taps_at, vocabulary)
    recalled = 0
    claimed = np.zeros(len(made), dtype=bool)
    for pattern in patterns:
        start, end = pattern.taps[0] - tolerance_s, pattern.taps[-1] + tolerance_s
        during = [i for i, s in enumerate(made) if start <= s.at <= end]
        claimed[during] = True
        strongest = max((made[i].signal for i in during), key=lambda s: s.severity, default=None)
        if strongest is not None and strongest is vocabulary.level_for_taps(pattern.count):
            recalled += 1
    return RecordingScore(
        patterns=len(patterns),
        recalled=recalled,
        taps=len(truth),
        taps_found=taps_found,
        false_signals=int((~claimed).sum()),
        extra_taps=extra_taps,
        duration_s=duration_s,
    )
