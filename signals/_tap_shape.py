"""The tap detector's judgements of the candidates in a buffer of samples: an impulse's
narrowness, its surroundings, the posture around it, whether the wrist had settled before it.
``signals._taps`` explains the rules; these are the measurements.

A candidate is judged in the chunk that brings the last of its surroundings, and a hub feeds
a strap's samples a frame at a time, so each judgement is a fixed, small number of numpy
calls over all of a chunk's candidates at once; the index offsets it needs are worked out once
per geometry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from signals._tap_area import ImpulseAreas, measure
from signals._tap_settings import Geometry, TapDetectorSettings
from signals._tap_surroundings import sides, surroundings

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class _Offsets:
    """Index offsets from a core start, once per geometry."""

    neighbourhood: IndexArray  # the area indices a peak must top: core either side
    wide: IndexArray  # the core three times as wide, from its start
    settle: IndexArray  # the area indices looked at for a settled wrist, backwards
    core: IndexArray  # the core
    core_weight: FloatArray  # where each core sample lies on its baseline's line


@functools.lru_cache(maxsize=32)
def _offsets(geometry: Geometry) -> _Offsets:
    core, gap = geometry.core, geometry.gap
    return _Offsets(
        neighbourhood=np.arange(2 * core + 1),
        wide=np.arange(3 * core),
        settle=np.arange(geometry.settle),
        core=np.arange(core),
        core_weight=(np.arange(core) + gap) / (core - 1 + 2 * gap),
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
    none = np.empty(0, dtype=np.bool_)
    nothing = np.empty(0, dtype=np.intp), none, none
    core, gap = geometry.core, geometry.gap
    if areas is None:
        areas = measure(xyz, core, gap, geometry.sample_ms)
    area = areas.best
    # Candidates anywhere in the buffer: the judged ones, and neighbours whose samples
    # must be ignored when judging the surroundings.
    raw = np.flatnonzero(area >= geometry.pattern_min_area_gms)
    if len(raw) == 0:
        return nothing
    offsets = _offsets(geometry)
    peaks = _peaks(area, raw, offsets.neighbourhood) + gap  # core start, buffer index
    low, high = np.searchsorted(peaks, (first, stop)).tolist()
    judged: IndexArray = peaks[low:high]
    if len(judged) == 0:
        return nothing
    peak_area = area[judged - gap]
    narrow = _wide_area(xyz, judged, geometry, offsets) <= settings.wide_area_ratio * peak_area
    layout = sides(geometry, settings.min_clear_share)
    level, spread = surroundings(xyz, _impulse_mask(len(xyz), peaks, geometry), judged, layout)
    # A side crowded by the pattern's other taps cannot be judged; the other side must be,
    # and a side that can be judged must be still.
    judgeable = np.isfinite(spread)
    worst: FloatArray = np.fmax.reduce(np.where(judgeable, spread, np.nan), axis=1)
    worst = np.where(judgeable.any(axis=1), worst, np.inf)
    mean_excess_g = areas.mean_excess(judged - gap, core, geometry.sample_ms)
    # Within a pattern a weaker impulse is believed in quieter-looking company.
    still_enough = (worst <= settings.pattern_still_g) & (
        mean_excess_g >= settings.pattern_prominence * worst
    )
    posture_change = np.sqrt(np.sum((level[:, 1] - level[:, 0]) ** 2, axis=1))
    tap_like = narrow & still_enough & (posture_change <= settings.max_posture_change_g)
    if not tap_like.any():
        return nothing
    taps: IndexArray = judged[tap_like]
    still = (worst <= settings.still_g) & (mean_excess_g >= settings.prominence * worst)
    firm: BoolArray = (still & (peak_area >= geometry.min_area_gms))[tap_like]
    settled = _settled(area, taps, peak_area[tap_like], geometry, settings, offsets)
    ringing_for = max(1, round(settings.ringing_window_s / geometry.sample_ms * 1000.0))
    # Another candidate within ``ringing_for`` after the tap: it rings.
    rings = np.searchsorted(peaks, taps + ringing_for, "right") > np.searchsorted(
        peaks, taps, "right"
    )
    return taps, firm, settled & ~rings


def _peaks(area: FloatArray, raw: IndexArray, neighbourhood: IndexArray) -> IndexArray:
    """The candidates that are the largest area within a core either side (the first of
    equals); outside the buffer counts as no impulse."""
    core = len(neighbourhood) // 2
    padded = np.concatenate((np.zeros(core), area, np.zeros(core)))
    around = padded[raw[:, None] + neighbourhood]
    peaks: IndexArray = raw[np.argmax(around, axis=1) == core]
    return peaks


def _settled(
    area: FloatArray,
    starts: IndexArray,
    peak_area: FloatArray,
    geometry: Geometry,
    settings: TapDetectorSettings,
    offsets: _Offsets,
) -> BoolArray:
    """Whether each impulse is clearly the sharpest in the ``settle_s`` before it.

    Impulse areas are looked at for every core that ends before this impulse's baseline
    begins, so its own shoulders do not count against it.
    """
    core, gap = geometry.core, geometry.gap
    # ``area`` index ``i`` is the core starting at buffer index ``i + gap``.
    last = starts - 2 * core - 3 * gap
    window = last[:, None] - offsets.settle[None, :]
    if int(last.min()) >= geometry.settle - 1 and int(last.max()) < len(area):
        earlier = area[window].max(axis=1)
    else:
        # Before the start of the stream nothing is known, so nothing counts against it.
        inside = np.clip(window, 0, len(area) - 1)
        earlier = np.where(window >= 0, area[inside], 0.0).max(axis=1)
    settled: BoolArray = earlier <= settings.settle_ratio * peak_area
    return settled


def peak_offset(xyz: FloatArray, starts: IndexArray, geometry: Geometry) -> IndexArray:
    """Where in each core the impulse peaks: a tap is reported at its peak."""
    core, gap = geometry.core, geometry.gap
    if len(starts) == 0:
        return starts
    offsets = _offsets(geometry)
    window = xyz[starts[:, None] + offsets.core]
    before, after = xyz[starts - gap], xyz[starts + core - 1 + gap]
    weight = offsets.core_weight
    line = before[:, None, :] + (after - before)[:, None, :] * weight[None, :, None]
    excess = np.sum((window - line) ** 2, axis=2)
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
    core, gap = geometry.core, geometry.gap
    wide = 3 * core
    wide_start = starts - core
    window = xyz[wide_start[:, None] + offsets.wide].sum(axis=1)
    baseline = (xyz[wide_start - gap] + xyz[wide_start + wide - 1 + gap]) * (wide / 2.0)
    area = (window - baseline) * geometry.sample_ms
    result: FloatArray = np.sqrt(np.sum(area * area, axis=1))
    return result
