"""The acceleration `bench scale` streams: a still wrist, and a two-tap gesture to inject.

The gesture's frames are fixed in advance, and a detector fed them frame by frame, as the
hub will be, tells which frame completes the gesture: the benchmark times each signal from
the moment that frame is handed to bleak's callback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signals import TapDetector, lay_tap

Frame = list[tuple[int, int, int]]

RATE_HZ = 100
# A Polar H10 at an ATT MTU of 232 sends 36 raw samples per frame.
SAMPLES_PER_FRAME = 36
# The gesture: two firm taps 0.35 s apart (a slow_down), well inside quiet time.
TAPS_AT_S = (1.2, 1.55)
GESTURE_S = 3.0
# Quiet frames fed before the gesture when finding its trigger frame: the detector's
# surroundings then match a wrist that has been still a while.
LEAD_FRAMES = 20


@dataclass(frozen=True, slots=True)
class TapStream:
    quiet: tuple[Frame, ...]  # cycled while nothing is signalled
    gesture: tuple[Frame, ...]
    # Index into ``gesture`` of the frame after which the detector has both taps.
    trigger: int


def _still_wrist(count: int, rng: np.random.Generator) -> np.ndarray:
    """Gravity on z and a sensor's few mG of noise, in g."""
    samples = rng.normal(0.0, 0.004, (count, 3))
    samples[:, 2] += 1.0
    return samples


def _frames(samples_g: np.ndarray) -> tuple[Frame, ...]:
    mg = np.round(samples_g * 1000).astype(int).tolist()
    return tuple(
        [tuple(s) for s in mg[i : i + SAMPLES_PER_FRAME]]
        for i in range(0, len(mg) - SAMPLES_PER_FRAME + 1, SAMPLES_PER_FRAME)
    )


def build_stream(seed: int = 0) -> TapStream:
    rng = np.random.default_rng(seed)
    quiet = _frames(_still_wrist(SAMPLES_PER_FRAME * 30, rng))
    gesture_g = _still_wrist(round(GESTURE_S * RATE_HZ), rng)
    for at in TAPS_AT_S:
        lay_tap(gesture_g, RATE_HZ, at, width_s=0.015, peak_g=2.5)
    gesture = _frames(gesture_g)
    return TapStream(quiet, gesture, _trigger_frame(quiet, gesture))


def _trigger_frame(quiet: tuple[Frame, ...], gesture: tuple[Frame, ...]) -> int:
    detector = TapDetector(RATE_HZ)
    fed = 0
    found = 0
    frames = [quiet[i % len(quiet)] for i in range(LEAD_FRAMES)] + list(gesture) + list(quiet)
    for index, frame in enumerate(frames):
        xyz = np.asarray(frame, dtype=np.float64) / 1000
        times = (fed + np.arange(len(frame))) / RATE_HZ
        fed += len(frame)
        found += len(detector.feed(xyz, times))
        if found >= len(TAPS_AT_S):
            if index < LEAD_FRAMES:
                break
            return index - LEAD_FRAMES
    raise RuntimeError(f"the benchmark's gesture is not found as {len(TAPS_AT_S)} taps")
