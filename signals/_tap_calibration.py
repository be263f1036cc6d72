"""Fits the tap detector to one wearer's own taps, within bounds that keep it safe.

During a rehearsal the wearer is asked to tap patterns and their device's raw acceleration
is recorded. :func:`measure_taps` finds each asked-for tap in that recording and measures it
(its strength as an impulse area, its width, the rhythm of its pattern); :func:`calibrate`
turns the measured taps into :class:`TapDetectorSettings`:

- **strength**: a soft tapper's taps may count from a lower area, down to the floor where
  6 h of real motion still made no false signal (``SAFE_BOUNDS``). A firm tapper keeps the
  defaults: they may tap softly when it matters, and a missed stop is as bad as a false one.
- **rhythm**: a slow tapper's pattern may have longer gaps between taps (up to 0.7 s, still
  inside the gesture classifier's 0.8 s).
- **width**: a wide tap gets a slightly wider impulse core (up to 25 ms).

Pure and deterministic: the same taps always give the same settings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from signals._tap_area import measure
from signals._tap_settings import Geometry, TapDetectorSettings
from signals._units import AccelUnit, to_g

# Fewer taps than this say too little about a wearer to move any threshold.
MIN_TAPS = 6
# A tap asked for at ``t`` is looked for from ``t - _EARLY_S`` to ``t + search_s``: people
# react to a prompt late, rarely early.
_EARLY_S = 0.1
# An impulse weaker than this (g*ms) is the stillness's noise or a brush, not a tap meant as one.
TAP_FLOOR_GMS = 2.0


@dataclass(frozen=True, slots=True)
class CalibrationBounds:
    """How far calibration may move each setting. Checked on real motion (docs/signals.md)."""

    # Never above the defaults: a wearer who taps firmly in a rehearsal may tap softly when
    # it matters, and a missed stop is as bad as a false one. Never below the floor where
    # 6 h of real motion still made no false signal.
    min_area_gms: tuple[float, float] = (5.0, 6.0)
    # Lower than 3.5 g*ms, jolts at 50 Hz join the end of real patterns and change them.
    pattern_min_area_gms: tuple[float, float] = (3.5, 3.5)
    pattern_gap_s: tuple[float, float] = (0.4, 0.7)
    core_s: tuple[float, float] = (0.02, 0.025)


SAFE_BOUNDS = CalibrationBounds()


@dataclass(frozen=True, slots=True)
class MeasuredTap:
    """One tap the wearer made when asked: when, how strong, how wide, in which pattern."""

    at: float
    area_gms: float
    width_s: float
    pattern: int


def measure_taps(
    samples: npt.ArrayLike,
    rate_hz: float,
    prompts: Sequence[Sequence[float]],
    *,
    unit: AccelUnit | str = AccelUnit.G,
    search_s: float = 0.35,
) -> list[MeasuredTap]:
    """The wearer's taps in a recording (time 0 at the first sample, ``rate_hz``).

    ``prompts`` holds one sequence per pattern, the times each tap was asked for. Each tap
    is the strongest impulse near its prompt; a prompt with no impulse at all (the wearer
    missed it) gives no tap.
    """
    xyz = to_g(samples, unit)
    geometry = Geometry.at(rate_hz, TapDetectorSettings())
    area = measure(xyz, geometry.core, geometry.gap, geometry.sample_ms).best
    found: list[MeasuredTap] = []
    for number, pattern in enumerate(prompts):
        for asked_at in pattern:
            # ``area`` index i is the core starting at sample i + gap.
            first = max(0, round((asked_at - _EARLY_S) * rate_hz) - geometry.gap)
            stop = min(len(area), round((asked_at + search_s) * rate_hz) - geometry.gap)
            if stop <= first or not np.any(area[first:stop] > 0):
                continue
            best = first + int(np.argmax(area[first:stop]))
            strength = float(area[best])
            # The width of a rectangle with the impulse's area and its peak's height.
            width_s = strength / (_peak_excess_g(xyz, best + geometry.gap, geometry) * 1000.0)
            found.append(MeasuredTap((best + geometry.gap) / rate_hz, strength, width_s, number))
    return found


def taps_asked_within(
    samples: npt.ArrayLike,
    rate_hz: float,
    windows: Sequence[tuple[float, float, int]],
    *,
    unit: AccelUnit | str = AccelUnit.G,
    floor_gms: float = TAP_FLOOR_GMS,
    spacing_s: float = 0.12,
) -> list[list[float]]:
    """When the wearer tapped, in windows where they were asked for a number of taps.

    A rehearsal asks for a pattern ("three taps") and leaves the rhythm to the wearer, so
    there is no prompt per tap. Each window ``(start_s, end_s, count)`` (time 0 at the first
    sample) gives the ``count`` strongest impulses in it, at least ``spacing_s`` apart and
    at least ``floor_gms`` strong (fewer when fewer stand out of the stillness), in time
    order: one pattern of prompts for :func:`measure_taps` (with a short ``search_s``).
    """
    xyz = to_g(samples, unit)
    geometry = Geometry.at(rate_hz, TapDetectorSettings())
    area = measure(xyz, geometry.core, geometry.gap, geometry.sample_ms).best
    spacing = max(1, round(spacing_s * rate_hz))
    patterns: list[list[float]] = []
    for start_s, end_s, count in windows:
        first = max(0, round(start_s * rate_hz) - geometry.gap)
        stop = min(len(area), round(end_s * rate_hz) - geometry.gap)
        strength = area[first:stop].copy() if stop > first else np.zeros(0)
        chosen: list[int] = []
        while len(chosen) < count and len(strength) and float(np.max(strength)) >= floor_gms:
            best = int(np.argmax(strength))
            chosen.append(first + best)
            strength[max(0, best - spacing) : best + spacing + 1] = 0.0
        if chosen:
            patterns.append(sorted((index + geometry.gap) / rate_hz for index in chosen))
    return patterns


def calibrate(
    taps: Sequence[MeasuredTap],
    base: TapDetectorSettings | None = None,
    bounds: CalibrationBounds = SAFE_BOUNDS,
) -> TapDetectorSettings:
    """Settings fitted to these taps, every change kept within ``bounds``.

    The firm threshold sits at 70% of the wearer's softer taps (their 20th percentile), so
    nearly all their taps start a pattern; the threshold for the taps that go on with a
    pattern at 45% of them. Raises ValueError with fewer than ``MIN_TAPS`` taps.
    """
    if len(taps) < MIN_TAPS:
        raise ValueError(f"calibration needs at least {MIN_TAPS} taps, got {len(taps)}")
    base = base or TapDetectorSettings()
    areas = np.array([tap.area_gms for tap in taps])
    softer = float(np.percentile(areas, 20))
    min_area = _clamp(0.7 * softer, bounds.min_area_gms)
    pattern_min_area = _clamp(min(0.45 * softer, 0.6 * min_area), bounds.pattern_min_area_gms)
    gaps = _gaps_within_patterns(taps)
    pattern_gap = (
        _clamp(1.3 * float(np.max(gaps)), bounds.pattern_gap_s) if len(gaps) else base.pattern_gap_s
    )
    width = float(np.median([tap.width_s for tap in taps]))
    core = _clamp(1.3 * width, bounds.core_s)
    return replace(
        base,
        min_area_gms=round(min_area, 2),
        pattern_min_area_gms=round(pattern_min_area, 2),
        pattern_gap_s=round(pattern_gap, 3),
        core_s=round(core, 4),
    )


def _peak_excess_g(xyz: npt.NDArray[np.float64], start: int, geometry: Geometry) -> float:
    """The largest excess of one sample of the core over its baseline's straight line."""
    core, gap = geometry.core, geometry.gap
    before, after = xyz[start - gap], xyz[start + core - 1 + gap]
    weight = (np.arange(core) + gap) / (core - 1 + 2 * gap)
    line = before[None, :] + (after - before)[None, :] * weight[:, None]
    excess = np.sqrt(np.sum((xyz[start : start + core] - line) ** 2, axis=1))
    return max(float(np.max(excess)), 1e-9)


def _gaps_within_patterns(taps: Sequence[MeasuredTap]) -> npt.NDArray[np.float64]:
    gaps = [
        later.at - earlier.at
        for earlier, later in itertools.pairwise(taps)
        if earlier.pattern == later.pattern
    ]
    return np.asarray(gaps, dtype=np.float64)


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return min(max(value, low), high)
