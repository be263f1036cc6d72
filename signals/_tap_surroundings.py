"""How still the wrist is around each impulse, and which way gravity points there.

Both sides of every impulse (``before_s`` ahead of it, ``after_s`` behind it) are judged in
one stack of windows: each numpy call costs about a microsecond however little it touches, so
one call over both sides costs half of one per side. The windows are of different widths;
the shorter one is padded, and the padding is left out of every statistic (as +inf in the
halves, whose medians take a fixed rank, and as a busy sample in the deviation).
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
    """Where the two windows around a core start lie, as offsets from it, padded to one
    width; computed once per geometry."""

    offsets: IndexArray  # (2, width): before, after
    padding: BoolArray  # (2, width)
    half_offsets: IndexArray  # (4, half width): each side's first and second half
    half_padding: BoolArray  # (4, half width)
    half_low: IndexArray  # (4,): the rank of each half's lower median
    half_high: IndexArray  # (4,)
    position: FloatArray  # (1, 2, width, 1): 0 at the middle of a first half, 1 of a second
    # More ignored samples than this (busy or padding) and a side cannot be judged.
    most_ignored: IndexArray  # (2,)


@functools.lru_cache(maxsize=32)
def sides(geometry: Geometry, min_clear_share: float) -> Sides:
    before = np.arange(-geometry.before, -geometry.gap)
    start_after = geometry.core + geometry.gap
    after = np.arange(start_after, start_after + geometry.after)
    windows = (before, after)
    width = max(len(before), len(after))
    halves = [
        part
        for window in windows
        for part in (window[: len(window) // 2], window[len(window) // 2 :])
    ]
    half_width = max(len(part) for part in halves)
    positions = np.zeros((2, width))
    for row, window in enumerate(windows):
        half = len(window) // 2
        positions[row, : len(window)] = (np.arange(len(window)) - (half - 1) / 2.0) / half
    return Sides(
        offsets=_padded(windows, width),
        padding=_padding(windows, width),
        half_offsets=_padded(halves, half_width),
        half_padding=_padding(halves, half_width),
        half_low=np.array([(len(part) - 1) // 2 for part in halves]),
        half_high=np.array([len(part) // 2 for part in halves]),
        position=positions[None, :, :, None],
        # A side is judged when at least ``min_clear_share`` of it is clear of impulses.
        most_ignored=np.array(
            [width - math.ceil(min_clear_share * len(window)) for window in windows]
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
    windows = xyz[at]
    ignored = busy[at] | layout.padding
    halves = xyz[starts[:, None, None] + layout.half_offsets]
    halves[:, layout.half_padding] = np.inf  # sorts after every sample, before NaN
    middle = _median_of_full(halves, layout)
    first, second = middle[:, 0::2], middle[:, 1::2]
    trend = first[:, :, None, :] + (second - first)[:, :, None, :] * layout.position
    deviation = np.abs(windows - trend)
    deviation[ignored] = np.nan
    enough = ignored.sum(axis=2) <= layout.most_ignored
    spread = np.sqrt(np.sum(_median_skipping_nan(deviation, count) ** 2, axis=2)) * _MAD_TO_SIGMA
    spread = np.where(enough, spread, np.inf)
    level: FloatArray = (first + second) / 2.0
    return level, spread


def _median_of_full(halves: FloatArray, layout: Sides) -> FloatArray:
    """Each half's median per channel, shape (n, 4, 3): what ``np.median`` gives, NaN where
    the half holds a NaN. Its samples sort first, so the median has a fixed rank."""
    ordered = np.sort(halves, axis=2)  # NaN sorts last
    rows = np.arange(4)
    middle: FloatArray = (
        ordered[:, rows, layout.half_low] + ordered[:, rows, layout.half_high]
    ) / 2.0
    return np.where(np.isnan(ordered[:, :, -1]), np.nan, middle)


def _median_skipping_nan(windows: FloatArray, count: int) -> FloatArray:
    """Per window (axis 2) and channel, what ``np.nanmedian`` gives, shape (n, 2, 3)."""
    ordered = np.sort(windows, axis=2)  # NaN sorts last
    present = windows.shape[2] - np.isnan(windows).sum(axis=2)
    rows, sides_, channels = _grid(count)
    low = ordered[rows, sides_, (present - 1) // 2, channels]
    high = ordered[rows, sides_, present // 2, channels]
    middle: FloatArray = (low + high) / 2.0
    return middle


@functools.lru_cache(maxsize=8)
def _grid(count: int) -> tuple[IndexArray, IndexArray, IndexArray]:
    return (
        np.arange(count)[:, None, None],
        np.arange(2)[None, :, None],
        np.arange(3)[None, None, :],
    )


def _padded(rows: tuple[IndexArray, ...] | list[IndexArray], width: int) -> IndexArray:
    """The rows side by side, each padded with offset 0 (the core start: always in range)."""
    out = np.zeros((len(rows), width), dtype=np.intp)
    for number, row in enumerate(rows):
        out[number, : len(row)] = row
    return out


def _padding(rows: tuple[IndexArray, ...] | list[IndexArray], width: int) -> BoolArray:
    out = np.ones((len(rows), width), dtype=np.bool_)
    for number, row in enumerate(rows):
        out[number, : len(row)] = False
    return out
