"""An impulse's area at every core start: the measure every other judgement of a tap starts from.

The area is the excess over the straight line through the samples ``gap`` before and after
the core, summed over the core, in g*ms. A tap's recoil can fall inside a full core and cancel
part of it, so the first half of the core is measured as well and the larger of the two counts.

Each value depends only on its own ``core - 1 + 2 * gap + 1`` samples, computed in a fixed
order of operations, so measuring a buffer's new tail gives exactly the values measuring the
whole buffer would: the streaming detector measures each position once, after its samples arrive,
and its taps stay the same however the stream is cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def core_lengths(core: int) -> tuple[int, int]:
    """The two lengths measured: the first half of the core, and the whole core."""
    return max(1, core // 2), core


def reach(core: int, gap: int) -> int:
    """How many samples past a core start's baseline sample its area needs."""
    return core - 1 + 2 * gap


def bend_gain(core: int, gap: int, sample_ms: float) -> float:
    """How large an area (g*ms) a stretch can hold per g of its sharpest bend.

    An area's excess over its baseline's straight line is a weighted sum of the second
    differences (``x[j-1] - 2 x[j] + x[j+1]``, the bends) inside its window, since the line
    takes away anything straight; the weights are the kernel summed twice. So the largest
    bend component in a stretch, times this, bounds every area there: a cheap way to know
    that no tap can be in it without measuring any. (A vector is at most sqrt(3) times its
    largest component.)
    """
    gain = 0.0
    for length in core_lengths(core):
        span = length - 1 + 2 * gap
        kernel = np.zeros(span + 1)
        kernel[[0, span]] = -length / 2.0
        kernel[gap : gap + length] = 1.0
        weights = np.cumsum(np.cumsum(kernel))
        gain = max(gain, float(np.abs(weights).sum()))
    return gain * sample_ms * math.sqrt(3.0)


@dataclass(frozen=True, slots=True)
class ImpulseAreas:
    """Per core start ``i`` (buffer index ``i + gap``): the area over the first half of the
    core, over the whole core, and the larger of the two (0 where neither is a number)."""

    half: FloatArray
    full: FloatArray
    best: FloatArray


def mean_excess(half: float, full: float, core: int, sample_ms: float) -> float:
    """An impulse's mean excess in g, from its two areas: over the length whose area
    counts (the whole core's when it is the larger, else the first half's)."""
    half_length, full_length = core_lengths(core)
    half_counts = half > 0
    if full > (half if half_counts else 0.0):
        return full / (full_length * sample_ms)
    return half / (half_length * sample_ms) if half_counts else 0.0


def measure_into(
    xyz: FloatArray,
    core: int,
    gap: int,
    sample_ms: float,
    out: tuple[FloatArray, FloatArray, FloatArray],
) -> None:
    """Fills ``out`` (half, full, best; each of length ``len(xyz) - reach(core, gap)``)
    with the areas of every core start in ``xyz``.

    Both lengths' excesses go through one ``einsum``, and the results are written in place:
    a 36-sample chunk costs about a dozen numpy calls, whatever ``core`` is.
    """
    half_out, full_out, best_out = out
    count = len(half_out)
    if count <= 0:
        return
    excess = np.empty((2 * count, 3))
    for row, length in enumerate(core_lengths(core)):
        span = length - 1 + 2 * gap
        # Summed in a fixed order from the first sample on, so a value never depends on
        # where the slice starts (only a zero's sign differs from starting at 0.0, and the
        # excess is squared).
        core_sum = xyz[gap : gap + count]
        for offset in range(1, length):
            core_sum = core_sum + xyz[gap + offset : gap + offset + count]
        baseline = xyz[:count] + xyz[span : span + count]
        if length != 2:  # times 1.0 changes nothing
            baseline *= length / 2.0
        np.subtract(core_sum, baseline, out=excess[row * count : (row + 1) * count])
    excess *= sample_ms
    squared = np.einsum("ij,ij->i", excess, excess)
    np.sqrt(squared[:count], out=half_out)
    np.sqrt(squared[count:], out=full_out)
    # The larger of the two; NaN (a glitch nearby) counts as no impulse at all.
    np.fmax(half_out, 0.0, out=best_out)
    np.fmax(best_out, full_out, out=best_out)


def measure(xyz: FloatArray, core: int, gap: int, sample_ms: float) -> ImpulseAreas:
    """The areas of every core start in ``xyz``, in new arrays."""
    count = max(len(xyz) - reach(core, gap), 0)
    areas = ImpulseAreas(np.empty(count), np.empty(count), np.empty(count))
    measure_into(xyz, core, gap, sample_ms, (areas.half, areas.full, areas.best))
    return areas
