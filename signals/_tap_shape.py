"""The tap detector's judgements of the candidates in a buffer of samples: an impulse's
narrowness, its surroundings, the posture around it, whether the wrist had settled before it.
``signals._taps`` explains the rules; these are the measurements.

A candidate is judged in the chunk that brings the last of its surroundings, and a hub feeds
a strap's samples a frame at a time, so each judgement is a fixed, small number of numpy
calls over all of a chunk's candidates at once; the index offsets it needs are worked out once
per geometry.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from signals._tap_area import ImpulseAreas, mean_excess, measure
from signals._tap_settings import Geometry, TapDetectorSettings
from signals._tap_surroundings import sides, surroundings

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class _Offsets:
    """Index offsets from a core start, once per geometry."""

    neighbourhood: IndexArray  # the area indices a peak must top: core either side
    # The core three times as wide (centred on the core) and the core itself, each with
    # the samples a baseline gap outside it first and last.
    wide_and_baseline: IndexArray
    core_and_baseline: IndexArray
    core_weight: FloatArray  # where each core sample lies on its baseline's line


@functools.lru_cache(maxsize=32)
def _offsets(geometry: Geometry) -> _Offsets:
    core, gap = geometry.core, geometry.gap
    return _Offsets(
        neighbourhood=np.arange(-core, core + 1),
        wide_and_baseline=_with_baseline(-core, 3 * core, gap),
        core_and_baseline=_with_baseline(0, core, gap),
        core_weight=(np.arange(core) + gap) / (core - 1 + 2 * gap),
    )


def _with_baseline(first: int, length: int, gap: int) -> IndexArray:
    return np.concatenate(
        ([first - gap], np.arange(first, first + length), [first + length - 1 + gap])
    )


def judge(
    xyz: FloatArray,
    first: int,
    stop: int,
    geometry: Geometry,
    settings: TapDetectorSettings,
    areas: ImpulseAreas | None = None,
) -> tuple[IndexArray, BoolArray, BoolArray]:
    """Core start indices in ``[first, stop)`` of tap-shaped impulses in still surroundings,
    in time order; which of them are firm enough to count on their own; and which may start
    a pattern: after a settled stretch, and not ringing. ``areas`` are ``xyz``'s impulse
    areas when they are already known."""
    core, gap = geometry.core, geometry.gap
    if areas is None:
        areas = measure(xyz, core, gap, geometry.sample_ms)
    area = areas.best
    # Candidates anywhere in the buffer: the judged ones, and neighbours whose samples
    # must be ignored when judging the surroundings.
    raw = np.flatnonzero(area >= geometry.pattern_min_area_gms)
    if len(raw) == 0:
        return _verdicts([], [], [])
    offsets = _offsets(geometry)
    peaks = _peaks(area, raw, offsets.neighbourhood) + gap  # core start, buffer index
    low, high = np.searchsorted(peaks, (first, stop)).tolist()
    judged: IndexArray = peaks[low:high]
    if len(judged) == 0:
        return _verdicts([], [], [])
    # The measurements, a few numpy calls over all the judged candidates at once...
    at = judged - gap
    wide = _wide_area(xyz, judged, geometry, offsets)
    layout = sides(geometry, settings.min_clear_share)
    level, spread = surroundings(xyz, _impulse_mask(len(xyz), peaks, geometry), judged, layout)
    posture_change = np.sqrt(np.add.reduce((level[:, 1] - level[:, 0]) ** 2, axis=1))
    # ...and the verdicts, a few comparisons each: plain floats cost far less than numpy
    # calls on arrays of one or two.
    taps: list[int] = []
    firm: list[bool] = []
    may_start: list[bool] = []
    peak_starts = peaks.tolist()
    ringing_for = max(1, round(settings.ringing_window_s / geometry.sample_ms * 1000.0))
    for start, peak_area, half, full, wide_area, (before, after), change in zip(
        judged.tolist(),
        area[at].tolist(),
        areas.half[at].tolist(),
        areas.full[at].tolist(),
        wide.tolist(),
        spread.tolist(),
        posture_change.tolist(),
        strict=True,
    ):
        # A side crowded by the pattern's other taps cannot be judged; the other side must
        # be, and a side that can be judged must be still.
        judgeable = [side for side in (before, after) if math.isfinite(side)]
        worst = max(judgeable) if judgeable else math.inf
        mean_excess_g = mean_excess(half, full, core, geometry.sample_ms)
        # Within a pattern a weaker impulse is believed in quieter-looking company.
        still_enough = (
            worst <= settings.pattern_still_g
            and mean_excess_g >= settings.pattern_prominence * worst
        )
        narrow = wide_area <= settings.wide_area_ratio * peak_area
        if not (narrow and still_enough and change <= settings.max_posture_change_g):
            continue
        still = worst <= settings.still_g and mean_excess_g >= settings.prominence * worst
        taps.append(start)
        firm.append(still and peak_area >= geometry.min_area_gms)
        # Another candidate soon after it: it rings like a knock on a hard thing.
        rings = bisect.bisect_right(peak_starts, start + ringing_for) > bisect.bisect_right(
            peak_starts, start
        )
        settled = _sharpest_before(area, start, geometry) <= settings.settle_ratio * peak_area
        may_start.append(settled and not rings)
    return _verdicts(taps, firm, may_start)


def _verdicts(
    taps: list[int], firm: list[bool], may_start: list[bool]
) -> tuple[IndexArray, BoolArray, BoolArray]:
    return (
        np.array(taps, dtype=np.intp),
        np.array(firm, dtype=np.bool_),
        np.array(may_start, dtype=np.bool_),
    )


def _peaks(area: FloatArray, raw: IndexArray, neighbourhood: IndexArray) -> IndexArray:
    """The candidates that are the largest area within a core either side (the first of
    equals); outside the buffer counts as no impulse."""
    core = len(neighbourhood) // 2
    if int(raw[0]) >= core and int(raw[-1]) < len(area) - core:
        around = area[raw[:, None] + neighbourhood]
    else:  # near an end of the buffer
        padded = np.concatenate((np.zeros(core), area, np.zeros(core)))
        around = padded[raw[:, None] + (neighbourhood + core)]
    peaks: IndexArray = raw[np.argmax(around, axis=1) == core]
    return peaks


def _sharpest_before(area: FloatArray, start: int, geometry: Geometry) -> float:
    """The largest impulse area in the ``settle_s`` before the impulse at ``start``: of
    every core that ends before its baseline begins, so its own shoulders do not count."""
    # ``area`` index ``i`` is the core starting at buffer index ``i + gap``.
    last = start - 2 * geometry.core - 3 * geometry.gap
    earliest = last - geometry.settle + 1
    if earliest >= 0 and last < len(area):
        return float(np.maximum.reduce(area[earliest : last + 1]))
    # Before the start of the stream nothing is known, so nothing counts against it.
    candidates = [0.0] if earliest < 0 else []
    inside_from, inside_to = max(earliest, 0), min(last, len(area) - 1)
    if inside_from <= inside_to:
        candidates.append(float(area[inside_from : inside_to + 1].max()))
    if last >= len(area) and last >= 0:
        candidates.append(float(area[-1]))  # past the end: the last one measured
    return max(candidates)


def peak_offset(xyz: FloatArray, starts: IndexArray, geometry: Geometry) -> IndexArray:
    """Where in each core the impulse peaks: a tap is reported at its peak."""
    if len(starts) == 0:
        return starts
    offsets = _offsets(geometry)
    # One gather: the sample before the baseline gap, the core, the sample after it.
    around = xyz[starts[:, None] + offsets.core_and_baseline]
    window, before, after = around[:, 1:-1], around[:, 0], around[:, -1]
    weight = offsets.core_weight
    line = before[:, None, :] + (after - before)[:, None, :] * weight[None, :, None]
    excess = np.add.reduce((window - line) ** 2, axis=2)
    offset: IndexArray = np.argmax(excess, axis=1)
    return offset


def _impulse_mask(length: int, peaks: IndexArray, geometry: Geometry) -> BoolArray:
    """True on the samples of every candidate impulse, its baseline and its ringing. A
    buffer holds a handful of candidates, so a slice each."""
    mask = np.zeros(length, dtype=np.bool_)
    reach_before = geometry.gap + 1
    reach_after = geometry.core + geometry.gap + geometry.ringing
    for peak in peaks.tolist():
        mask[max(peak - reach_before, 0) : max(peak + reach_after, 0)] = True
    return mask


def _wide_area(
    xyz: FloatArray, starts: IndexArray, geometry: Geometry, offsets: _Offsets
) -> FloatArray:
    """The impulse area over a core three times as wide, centred on the same core."""
    wide = 3 * geometry.core
    # One gather: the wide core and its two baseline samples, a gap either side.
    around = xyz[starts[:, None] + offsets.wide_and_baseline]
    window = np.add.reduce(around[:, 1:-1], axis=1)
    baseline = (around[:, 0] + around[:, -1]) * (wide / 2.0)
    area = (window - baseline) * geometry.sample_ms
    result: FloatArray = np.sqrt(np.add.reduce(area * area, axis=1))
    return result
