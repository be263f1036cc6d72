"""Synthetic tap recordings with ground truth: deliberate taps laid over real wrist motion.

No public recording of deliberate wrist taps at 50 Hz or more exists, so the detector is
measured on taps made here and laid over real everyday motion. Each tap is a half-sine
impulse (10-20 ms, 1-4 g, along a random direction that leans towards the axis through the
watch face) followed by the wrist's recoil (an opposite lobe about 30% as strong, then a
smaller one). The sensor is modelled as averaging over each sample period, which is what an
accelerometer with a low-pass filter at its output rate does: at 50 Hz a 10 ms tap shows as
one or two samples of a fraction of its peak, as it would on a real device.

Taps come in patterns of 2 to 4 (gaps of 0.15-0.5 s) where the underlying motion is
comparatively still (its spread over the pattern, half a second either side included, is at
most ``still_g``): a deliberate tap is made with the wrist held still. The motion is resampled
to the target rate and gets sensor noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = npt.NDArray[np.float64]

# Sub-samples per sample period when averaging a tap's waveform into samples.
_SUBSAMPLES = 32


@dataclass(frozen=True, slots=True)
class CorpusSettings:
    """How the synthetic taps vary. The defaults follow what a deliberate tap is."""

    peak_g: tuple[float, float] = (1.0, 4.0)
    width_s: tuple[float, float] = (0.010, 0.020)
    taps_per_pattern: tuple[int, int] = (2, 4)
    tap_gap_s: tuple[float, float] = (0.15, 0.5)
    pattern_gap_s: tuple[float, float] = (3.0, 8.0)
    # The recoil's strength relative to the tap.
    recoil: float = 0.3
    # Spread of the real motion (g) under a pattern at most: the wrist held still.
    still_g: float = 0.05
    # Sensor noise added to every sample (g, per axis).
    noise_g: float = 0.004

    def __post_init__(self) -> None:
        for name in ("peak_g", "width_s", "taps_per_pattern", "tap_gap_s", "pattern_gap_s"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be a range 0 < low <= high, got {(low, high)}")
        if self.taps_per_pattern[0] < 1:
            raise ValueError("taps_per_pattern must start at 1 or more")


@dataclass(frozen=True, slots=True)
class TapPattern:
    """One pattern the synthetic wearer tapped: the time of each tap's start, in seconds."""

    taps: tuple[float, ...]

    @property
    def count(self) -> int:
        return len(self.taps)


@dataclass(frozen=True, slots=True)
class SyntheticRecording:
    """Acceleration in g, ``(n, 3)``, sampled at ``rate_hz`` from 0 s, with the taps in it."""

    rate_hz: float
    samples_g: FloatArray
    patterns: tuple[TapPattern, ...]

    @property
    def times(self) -> FloatArray:
        return np.arange(len(self.samples_g)) / self.rate_hz

    @property
    def duration_s(self) -> float:
        return len(self.samples_g) / self.rate_hz


def synthesise_tap_recording(
    motion_g: npt.ArrayLike,
    motion_rate_hz: float,
    rate_hz: float,
    rng: np.random.Generator,
    settings: CorpusSettings | None = None,
) -> SyntheticRecording:
    """Lays tap patterns over ``motion_g`` (a contiguous ``(m, 3)`` recording in g)."""
    settings = settings or CorpusSettings()
    motion = np.asarray(motion_g, dtype=np.float64)
    if motion.ndim != 2 or motion.shape[1] != 3 or len(motion) < 2:
        raise ValueError(f"motion must have shape (m >= 2, 3), got {motion.shape}")
    motion_times = np.arange(len(motion)) / motion_rate_hz
    times = np.arange(0.0, motion_times[-1], 1.0 / rate_hz)
    samples = np.stack([np.interp(times, motion_times, motion[:, axis]) for axis in range(3)], 1)
    samples += rng.normal(0.0, settings.noise_g, samples.shape)
    patterns: list[TapPattern] = []
    cursor = 1.0
    end = times[-1] - 2.0
    while True:
        offsets = _pattern_offsets(rng, settings)
        start = _next_still_start(motion, motion_rate_hz, cursor, offsets[-1], settings.still_g)
        if start is None or start + offsets[-1] > end:
            break
        taps = tuple(float(t) for t in start + offsets)
        for at in taps:
            _add_tap(samples, rate_hz, at, rng, settings)
        patterns.append(TapPattern(taps))
        cursor = taps[-1] + rng.uniform(*settings.pattern_gap_s)
    return SyntheticRecording(float(rate_hz), samples, tuple(patterns))


def _pattern_offsets(rng: np.random.Generator, settings: CorpusSettings) -> FloatArray:
    low, high = settings.taps_per_pattern
    count = int(rng.integers(low, high + 1))
    gaps = rng.uniform(*settings.tap_gap_s, size=count - 1)
    return np.concatenate([[0.0], np.cumsum(gaps)])


def _next_still_start(
    motion: FloatArray, rate_hz: float, not_before_s: float, length_s: float, still_g: float
) -> float | None:
    """The first time at or after ``not_before_s`` where a pattern of ``length_s`` fits over
    still motion (half a second of margin either side), or None."""
    margin_s = 0.5
    window = max(2, round((length_s + 2 * margin_s) * rate_hz))
    if window > len(motion):
        return None
    spread = np.sqrt(sliding_window_view(motion, window, axis=0).var(axis=-1).sum(axis=1))
    first = max(0, int(np.ceil((not_before_s - margin_s) * rate_hz)))
    fits = np.flatnonzero(spread[first:] <= still_g)
    if len(fits) == 0:
        return None
    return (first + int(fits[0])) / rate_hz + margin_s


def _add_tap(
    samples: FloatArray,
    rate_hz: float,
    at: float,
    rng: np.random.Generator,
    settings: CorpusSettings,
) -> None:
    direction = rng.normal(0.0, 1.0, 3)
    # Taps land on the watch face: mostly along the axis through it, either way round.
    direction[2] += 2.5 * np.sign(rng.normal())
    lay_tap(
        samples,
        rate_hz,
        at,
        width_s=rng.uniform(*settings.width_s),
        peak_g=rng.uniform(*settings.peak_g),
        direction=direction,
        recoil=settings.recoil,
    )


def lay_tap(
    samples: FloatArray,
    rate_hz: float,
    at: float,
    *,
    width_s: float,
    peak_g: float,
    direction: npt.ArrayLike = (0.0, 0.0, 1.0),
    recoil: float = 0.3,
) -> None:
    """Adds one tap starting at ``at`` seconds (sample ``k`` is at ``k / rate_hz``) to
    ``samples`` in place, as a sensor averaging over each sample period would see it."""
    axis = np.asarray(direction, dtype=np.float64)
    axis = axis / np.linalg.norm(axis)
    recoil_width = 1.2 * width_s
    duration = width_s + 2 * recoil_width
    period = 1.0 / rate_hz
    first = max(0, int(np.floor(at / period)))
    last = min(len(samples) - 1, int(np.ceil((at + duration) / period)) + 1)
    if first > last:
        return
    index = np.arange(first, last + 1)
    # Sample k averages the waveform over the period that ends at its timestamp.
    fine = (index[:, None] - 1 + (np.arange(_SUBSAMPLES) + 0.5)[None, :] / _SUBSAMPLES) * period
    fine -= at
    wave = np.zeros_like(fine)
    tap = (fine >= 0) & (fine < width_s)
    wave[tap] = np.sin(np.pi * fine[tap] / width_s)
    rebound = (fine >= width_s) & (fine < width_s + recoil_width)
    wave[rebound] = -recoil * np.sin(np.pi * (fine[rebound] - width_s) / recoil_width)
    settle = (fine >= width_s + recoil_width) & (fine < duration)
    phase = fine[settle] - width_s - recoil_width
    wave[settle] = 0.3 * recoil * np.sin(np.pi * phase / recoil_width)
    samples[index] += (wave.mean(axis=1) * peak_g)[:, None] * axis[None, :]


VIGOROUS_MOTIONS = ("jogging", "brushing_teeth", "massage_strokes", "picking_up")


def vigorous_motion(
    kind: str, rate_hz: float, duration_s: float, rng: np.random.Generator
) -> FloatArray:
    """Synthetic vigorous everyday movement in g, ``(n, 3)``, that holds no deliberate tap.

    The real recordings are mostly calm daily life at 25-32 Hz; these fill in movement with
    sharp parts at the rates taps are looked for:

    - ``jogging``: arm swing (1.4 Hz, about 1 g) with a foot-strike jolt (2-3 g, 30-60 ms)
      every step;
    - ``brushing_teeth``: fast strokes (4-5 Hz, 0.5-1 g) with bristle buzz;
    - ``massage_strokes``: slow pressing strokes (0.5-1 Hz) with knuckle bumps on the way;
    - ``picking_up``: the wrist turns to reach, grabs with a knock (like a tap, 1.5-3 g,
      15 ms) and turns back.
    """
    if kind not in VIGOROUS_MOTIONS:
        raise ValueError(f"unknown motion {kind!r}; use one of {', '.join(VIGOROUS_MOTIONS)}")
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    gravity = np.array([0.0, 0.3, -0.95])
    samples = np.tile(gravity, (len(t), 1)) + rng.normal(0.0, 0.004, (len(t), 3))
    if kind == "jogging":
        swing = 1.4
        samples[:, 0] += 1.0 * np.sin(2 * np.pi * swing * t)
        samples[:, 1] += 0.4 * np.sin(2 * np.pi * swing * t + 0.7)
        for step in np.arange(0.2, duration_s, 1 / (2 * swing)):
            _add_bump(
                samples,
                t,
                step + rng.uniform(-0.02, 0.02),
                rng.uniform(0.03, 0.06),
                rng.uniform(2.0, 3.0),
                np.array([0.2, 0.3, 1.0]),
            )
    elif kind == "brushing_teeth":
        rate = rng.uniform(4.0, 5.0)
        samples[:, 1] += rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * rate * t)
        samples[:, 0] += 0.3 * np.sin(4 * np.pi * rate * t + 0.3)
        samples += rng.normal(0.0, 0.05, samples.shape)
    elif kind == "massage_strokes":
        rate = rng.uniform(0.5, 1.0)
        samples[:, 0] += 0.5 * np.sin(2 * np.pi * rate * t)
        samples[:, 2] += 0.3 * np.abs(np.sin(np.pi * rate * t))
        for bump in rng.uniform(0.2, duration_s - 0.2, size=int(duration_s)):
            _add_bump(
                samples,
                t,
                bump,
                rng.uniform(0.02, 0.05),
                rng.uniform(0.5, 1.5),
                rng.normal(0.0, 1.0, 3),
            )
    else:
        for reach in np.arange(1.0, duration_s - 2.0, 3.0):
            turn = np.clip((t - reach) / 0.5, 0.0, 1.0) - np.clip((t - reach - 1.0) / 0.5, 0, 1)
            samples[:, 0] += 0.8 * turn
            samples[:, 2] += 0.5 * turn
            samples[:, 1] += 0.3 * np.sin(np.pi * np.clip((t - reach) / 0.5, 0.0, 1.0))
            _add_bump(
                samples, t, reach + 0.5, 0.015, rng.uniform(1.5, 3.0), rng.normal(0.0, 1.0, 3)
            )
    return samples


def _add_bump(
    samples: FloatArray, t: FloatArray, at: float, width: float, peak: float, axis: FloatArray
) -> None:
    """A half-sine jolt, averaged over each sample period like a real sensor would."""
    period = t[1] - t[0]
    first = max(0, int(np.floor(at / period)))
    last = min(len(t) - 1, int(np.ceil((at + width) / period)) + 1)
    if first > last:
        return
    index = np.arange(first, last + 1)
    fine = (index[:, None] - 1 + (np.arange(_SUBSAMPLES) + 0.5)[None, :] / _SUBSAMPLES) * period
    fine -= at
    inside = (fine >= 0) & (fine < width)
    wave = np.where(inside, np.sin(np.pi * np.clip(fine, 0.0, width) / width), 0.0)
    samples[index] += (wave.mean(axis=1) * peak)[:, None] * (axis / np.linalg.norm(axis))[None, :]
