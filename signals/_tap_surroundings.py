"""How still the wrist is around each impulse, and which way gravity points there.

Both sides of every impulse (``before_s`` ahead of it, ``after_s`` behind it) are judged in
one stack of windows, each side cut in its two halves: each numpy call costs about a
microsecond however little it touches, so one call over all four halves of every candidate
costs a quarter of one per half. The halves are of different lengths; the shorter ones are
padded, and the padding is left out of every statistic (as +inf in the halves, whose medians
then take a fixed rank, and as an ignored sample in the deviation).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from signals._tap_settings import Geometry

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

# The median absolute deviation of normal noise, times this, estimates its standard deviation.
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True, slots=True, eq=False)
class Sides:
    """Where the halves of the two windows around a core start lie, as offsets from it,
    padded to one length; computed once per geometry and clear share."""

    # (4, half length): before's first and second half, then after's.
    offsets: IndexArray
    padding: BoolArray
    padding_3d: BoolArray  # (4, half length, 1), to pad samples
    rows: IndexArray  # 0..3
    low: IndexArray  # (4,): the rank of each half's lower median
    high: IndexArray  # (4,): and of its upper one
    # (1, 2, 2 * half length, 1): 0 at the middle of a side's first half, 1 of its second.
    position: FloatArray
    # (2,): more ignored samples than this (busy or padding) and a side cannot be judged.
    most_ignored: IndexArray


@functools.lru_cache(maxsize=32)
def sides(geometry: Geometry, min_clear_share: float) -> Sides:
    before = np.arange(-geometry.before, -geometry.gap)
    start_after = geometry.core + geometry.gap
    after = np.arange(start_after, start_after + geometry.after)
    windows = (before, after)
    halves = [part for window in windows for part in np.split(window, [len(window) // 2])]
    length = max(len(part) for part in halves)
    offsets = np.zeros((4, length), dtype=np.intp)
    padding = np.ones((4, length), dtype=np.bool_)
    for row, part in enumerate(halves):
        offsets[row, : len(part)] = part  # the padding's offset (0) is always in range
        padding[row, : len(part)] = False
    position = np.zeros((2, 2, length))
    for side, window in enumerate(windows):
        half = len(window) // 2
        along = (np.arange(len(window)) - (half - 1) / 2.0) / half
        position[side, 0, :half] = along[:half]
        position[side, 1, : len(window) - half] = along[half:]
    return Sides(
        offsets=offsets,
        padding=padding,
        padding_3d=padding[:, :, None],
        rows=np.arange(4),
        low=np.array([(len(part) - 1) // 2 for part in halves]),
        high=np.array([len(part) // 2 for part in halves]),
        position=position.reshape(1, 2, 2 * length, 1),
        # A side is judged when at least ``min_clear_share`` of it is clear of impulses.
        most_ignored=np.array(
            [2 * length - math.ceil(min_clear_share * len(window)) for window in windows]
        ),
    )


def surroundings(
    xyz: FloatArray, busy: BoolArray, starts: IndexArray, layout: Sides
) -> tuple[FloatArray, FloatArray]:
    """Per core start, and per side (before, after): the gravity vector (shape (n, 2, 3))
    and how much the wrist moves (shape (n, 2); inf where a side is mostly impulses).

    The movement is the robust spread around the straight trend through the medians of the
    two halves of the window, so a slow turn of the wrist counts as still while any shaking
    does not. Samples of other impulses (``busy``) are left out.
    """
    count = len(starts)
    at = starts[:, None, None] + layout.offsets
    halves = xyz[at]
    np.copyto(halves, np.inf, where=layout.padding_3d)  # sorts after any sample, before NaN
    # Each half's median: what np.median gives, NaN where the half holds a NaN.
    ordered = np.sort(halves, axis=2)
    rows = layout.rows
    middle = (ordered[:, rows, layout.low] + ordered[:, rows, layout.high]) / 2.0
    holds_nan = np.isnan(ordered[:, :, -1])  # NaN sorts last
    any_nan = bool(holds_nan.any())
    if any_nan:
        middle = np.where(holds_nan, np.nan, middle)
    first, second = middle[:, 0::2], middle[:, 1::2]
    # The two halves of a side, side by side (padding still in place).
    windows = halves.reshape(count, 2, -1, 3)
    ignored = (busy[at] | layout.padding).reshape(count, 2, -1)
    ignored_count = np.add.reduce(ignored, axis=2)
    trend = first[:, :, None, :] + (second - first)[:, :, None, :] * layout.position
    deviation = np.abs(windows - trend)
    np.copyto(deviation, np.nan, where=ignored[..., None])
    # Without a NaN sample (every sample is in a half) only the ignored ones are missing,
    # on every channel alike.
    present = None if any_nan else deviation.shape[2] - ignored_count
    spread = np.sqrt(np.add.reduce(_median_skipping_nan(deviation, present) ** 2, axis=2))
    spread = np.where(ignored_count <= layout.most_ignored, spread * _MAD_TO_SIGMA, np.inf)
    level: FloatArray = (first + second) / 2.0
    return level, spread


def _median_skipping_nan(windows: FloatArray, present: npt.NDArray[np.int64] | None) -> FloatArray:
    """Per window (axis 2) and channel, what ``np.nanmedian`` gives, shape (n, 2, 3).
    ``present`` is the count of numbers per window when it is the same on every channel."""
    ordered = np.sort(windows, axis=2)  # NaN sorts last
    rows, sides_, channels = _grid(len(windows))
    if present is not None:
        low = ordered[rows[:, :, 0], sides_[:, :, 0], (present - 1) // 2]
        high = ordered[rows[:, :, 0], sides_[:, :, 0], present // 2]
    else:
        per_channel = windows.shape[2] - np.add.reduce(np.isnan(windows), axis=2)
        low = ordered[rows, sides_, (per_channel - 1) // 2, channels]
        high = ordered[rows, sides_, per_channel // 2, channels]
    middle: FloatArray = (low + high) / 2.0
    return middle


@functools.lru_cache(maxsize=8)
def _grid(count: int) -> tuple[IndexArray, IndexArray, IndexArray]:
    return (
        np.arange(count)[:, None, None],
        np.arange(2)[None, :, None],
        np.arange(3)[None, None, :],
    )
