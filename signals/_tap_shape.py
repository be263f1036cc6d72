"""The tap detector's judgements, each a handful of numpy operations over a buffer of samples:
an impulse's area, its narrowness, its surroundings, the posture around it, whether the wrist
had settled before it. ``signals._taps`` explains the rules; these are the measurements.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from signals._tap_area import ImpulseAreas, measure
from signals._tap_settings import Geometry, TapDetectorSettings

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]

# The median absolute deviation of normal noise, times this, estimates its standard deviation.
_MAD_TO_SIGMA = 1.4826


def judge(
    xyz: FloatArray,
    first: int,
    stop: int,
    geometry: Geometry,
    settings: TapDetectorSettings,
    areas: ImpulseAreas | None = None,
) -> tuple[IndexArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Core start indices in ``[first, stop)`` of tap-shaped impulses in still surroundings,
    in time order; which of them are firm enough to count on their own; and which may start
    a pattern: after a settled stretch, and not ringing. ``areas`` are ``xyz``'s impulse
    areas when they are already known."""
    none = np.empty(0, dtype=np.bool_)
    core, gap = geometry.core, geometry.gap
    if areas is None:
        areas = measure(xyz, core, gap, geometry.sample_ms)
    area = areas.best
    # Candidates anywhere in the buffer: the judged ones, and neighbours whose samples
    # must be ignored when judging the surroundings.
    raw = np.flatnonzero(area >= geometry.pattern_min_area_gms)
    if len(raw) == 0:
        return np.empty(0, dtype=np.intp), none, none
    padded = np.pad(area, (core, core))
    neighbourhood = sliding_window_view(padded, 2 * core + 1)[raw]
    peaks = raw[np.argmax(neighbourhood, axis=1) == core] + gap  # core start, buffer index
    judged: IndexArray = peaks[(peaks >= first) & (peaks < stop)]
    if len(judged) == 0:
        return judged, none, none
    # Only now: most chunks judge nothing, and the mask is only needed for what is judged.
    busy = _impulse_mask(len(xyz), peaks, geometry)
    peak_area = area[judged - gap]
    narrow = _wide_area(xyz, judged, geometry) <= settings.wide_area_ratio * peak_area
    before_idx = judged[:, None] + np.arange(-geometry.before, -gap)
    after_idx = judged[:, None] + np.arange(core + gap, core + gap + geometry.after)
    level_before, spread_before = _surroundings(xyz[before_idx], busy[before_idx], settings)
    level_after, spread_after = _surroundings(xyz[after_idx], busy[after_idx], settings)
    # A side crowded by the pattern's other taps cannot be judged; the other side must be,
    # and a side that can be judged must be still.
    judgeable = np.isfinite(spread_before) | np.isfinite(spread_after)
    spread = np.fmax(
        np.where(np.isfinite(spread_before), spread_before, np.nan),
        np.where(np.isfinite(spread_after), spread_after, np.nan),
    )
    spread = np.where(judgeable, spread, np.inf)
    mean_excess_g = areas.mean_excess(judged - gap, core, geometry.sample_ms)
    still = (spread <= settings.still_g) & (mean_excess_g >= settings.prominence * spread)
    # Within a pattern a weaker impulse is believed in quieter-looking company.
    still_enough = (spread <= settings.pattern_still_g) & (
        mean_excess_g >= settings.pattern_prominence * spread
    )
    posture_change = np.sqrt(np.sum((level_after - level_before) ** 2, axis=1))
    same_posture = posture_change <= settings.max_posture_change_g
    tap_like = narrow & still_enough & same_posture
    taps: IndexArray = judged[tap_like]
    firm: npt.NDArray[np.bool_] = (still & (peak_area >= geometry.min_area_gms))[tap_like]
    settled = _settled(area, taps, peak_area[tap_like], geometry, settings)
    ringing_for = max(1, round(settings.ringing_window_s / geometry.sample_ms * 1000.0))
    rings = np.searchsorted(peaks, taps + ringing_for, "right") > np.searchsorted(
        peaks, taps, "right"
    )
    return taps, firm, settled & ~rings


def _settled(
    area: FloatArray,
    starts: IndexArray,
    peak_area: FloatArray,
    geometry: Geometry,
    settings: TapDetectorSettings,
) -> npt.NDArray[np.bool_]:
    """Whether each impulse is clearly the sharpest in the ``settle_s`` before it.

    Impulse areas are looked at for every core that ends before this impulse's baseline
    begins, so its own shoulders do not count against it.
    """
    core, gap = geometry.core, geometry.gap
    if len(starts) == 0:
        return np.empty(0, dtype=np.bool_)
    # ``area`` index ``i`` is the core starting at buffer index ``i + gap``.
    last = starts - 2 * core - 3 * gap
    window = last[:, None] - np.arange(geometry.settle)[None, :]
    # Before the start of the stream nothing is known, so nothing counts against it.
    earlier = np.where(window >= 0, area[np.clip(window, 0, len(area) - 1)], 0.0).max(axis=1)
    settled: npt.NDArray[np.bool_] = earlier <= settings.settle_ratio * peak_area
    return settled


def peak_offset(xyz: FloatArray, starts: IndexArray, geometry: Geometry) -> IndexArray:
    """Where in each core the impulse peaks: a tap is reported at its peak."""
    core, gap = geometry.core, geometry.gap
    if len(starts) == 0:
        return starts
    window = xyz[starts[:, None] + np.arange(core)]
    before, after = xyz[starts - gap], xyz[starts + core - 1 + gap]
    weight = (np.arange(core) + gap) / (core - 1 + 2 * gap)
    line = before[:, None, :] + (after - before)[:, None, :] * weight[None, :, None]
    excess = np.sum((window - line) ** 2, axis=2)
    offset: IndexArray = np.argmax(excess, axis=1)
    return offset


def _impulse_mask(length: int, peaks: IndexArray, geometry: Geometry) -> npt.NDArray[np.bool_]:
    """True on the samples of every candidate impulse, its baseline and its ringing."""
    edges = np.zeros(length + 1, dtype=np.int64)
    starts = np.clip(peaks - geometry.gap - 1, 0, length)
    ends = np.clip(peaks + geometry.core + geometry.gap + geometry.ringing, 0, length)
    np.add.at(edges, starts, 1)
    np.add.at(edges, ends, -1)
    mask: npt.NDArray[np.bool_] = np.cumsum(edges[:length]) > 0
    return mask


def _wide_area(xyz: FloatArray, starts: IndexArray, geometry: Geometry) -> FloatArray:
    """The impulse area over a core three times as wide, centred on the same core."""
    core, gap = geometry.core, geometry.gap
    wide = 3 * core
    wide_start = starts - core
    window = xyz[wide_start[:, None] + np.arange(wide)].sum(axis=1)
    baseline = (xyz[wide_start - gap] + xyz[wide_start + wide - 1 + gap]) * (wide / 2.0)
    area = (window - baseline) * geometry.sample_ms
    result: FloatArray = np.sqrt(np.sum(area * area, axis=1))
    return result


def _surroundings(
    windows: FloatArray, busy: npt.NDArray[np.bool_], settings: TapDetectorSettings
) -> tuple[FloatArray, FloatArray]:
    """Per window of shape (w, 3): the gravity vector (median) and how much the wrist moves.

    The movement is the robust spread around the straight trend through the medians of the
    two halves of the window, so a slow turn of the wrist counts as still while any shaking
    does not. Samples of other impulses are left out; a window that is mostly impulses
    counts as moving.
    """
    width = windows.shape[1]
    half = width // 2
    first = _median(windows[:, :half], skip_nan=False)
    second = _median(windows[:, half:], skip_nan=False)
    # 0 at the middle of the first half, 1 at the middle of the second.
    position = (np.arange(width) - (half - 1) / 2.0) / half
    trend = first[:, None, :] + (second - first)[:, None, :] * position[None, :, None]
    deviation = np.abs(windows - trend)
    deviation[busy] = np.nan
    clear = ~busy
    enough = clear.sum(axis=1) >= settings.min_clear_share * width
    # Rows with nothing clear have no median; they are overruled by ``enough``.
    deviation[~enough] = 0.0
    spread = np.sqrt(np.sum(_median(deviation, skip_nan=True) ** 2, axis=1)) * _MAD_TO_SIGMA
    spread = np.where(enough, spread, np.inf)
    level: FloatArray = (first + second) / 2.0
    return level, spread


def _median(windows: FloatArray, *, skip_nan: bool) -> FloatArray:
    """Per window (axis 1) and channel, the median: exactly what ``np.nanmedian`` (with
    ``skip_nan``) or ``np.median`` (NaN wherever a NaN is) give along axis 1, in a few
    whole-array operations. numpy's own cost more than everything else a 36-sample chunk
    needs (nanmedian goes through masked arrays), and a hub feeds every strap's frames one
    by one."""
    ordered = np.sort(windows, axis=1)  # NaN sorts last
    missing = np.isnan(windows)
    count = windows.shape[1] - np.count_nonzero(missing, axis=1)[:, None, :]
    low = np.take_along_axis(ordered, (count - 1) // 2, axis=1)
    high = np.take_along_axis(ordered, count // 2, axis=1)
    middle: FloatArray = ((low + high) / 2.0)[:, 0, :]
    if not skip_nan:
        middle = np.where(missing.any(axis=1), np.nan, middle)
    return middle
