"""The samples a streaming tap detector still looks at, and their impulse areas.

A hub feeds each wearer's samples a frame (about 36) at a time, so what costs is not the
arithmetic but the number of numpy calls per frame. The samples go into arrays allocated once
and compacted now and then, instead of two concatenations per chunk; each core start's
impulse area is measured once, when a chunk may hold a tap (``may_reach``), instead of over
the whole buffer at every chunk.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from signals._tap_area import ImpulseAreas, bend_gain, measure_into, reach
from signals._tap_settings import Geometry

FloatArray = npt.NDArray[np.float64]

# Room for this many samples beyond what is kept: a compaction (a copy of what is kept) every
# dozen-odd Polar frames, and about 40 kB per wearer at 100 Hz.
_SPARE = 512


class SampleBuffer:
    """Samples (in g) and their times in stream order, with the impulse area of each core
    start whose samples have all arrived, measured when first asked for. Indices are from
    the oldest sample kept."""

    def __init__(self, geometry: Geometry, keep: int) -> None:
        self._geometry = geometry
        self._reach = reach(geometry.core, geometry.gap)
        self._bend_gain = bend_gain(geometry.core, geometry.gap, geometry.sample_ms)
        self._keep = keep
        self._usual_capacity = keep + _SPARE
        self._allocate(self._usual_capacity)
        # The buffer is storage [_start, _end); areas are measured up to _measured.
        self._start = self._end = self._measured = 0

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def xyz(self) -> FloatArray:
        return self._xyz[self._start : self._end]

    @property
    def times(self) -> FloatArray:
        return self._times[self._start : self._end]

    @property
    def last_time(self) -> float:
        return float(self._times[self._end - 1])

    def areas(self) -> ImpulseAreas:
        """The areas of every core start whose samples are in (index ``i`` is sample
        ``i + gap``)."""
        self._measure()
        start = self._start
        stop = max(self._measured, start)
        return ImpulseAreas(self._half[start:stop], self._full[start:stop], self._best[start:stop])

    def may_reach(self, first: int, stop: int, area: float) -> bool:
        """Whether an impulse area of the core starts ``[first, stop)`` (area indices) may
        reach ``area``; False only when the samples' sharpest bend rules it out.

        Four numpy calls where measuring takes a dozen: on a still wrist, or one moving
        smoothly, a chunk needs nothing more.
        """
        samples = self._xyz[self._start + first : self._start + stop + self._reach]
        step = samples[1:] - samples[:-1]
        bend = step[1:] - step[:-1]
        sharpest = float(np.maximum.reduce(np.abs(bend, out=bend), axis=None))
        # NaN (a glitch) says nothing, so it may; the margin dwarfs any rounding.
        return not sharpest * self._bend_gain < area * (1.0 - 1e-6)

    def best_area(self, first: int, stop: int) -> float:
        """The largest impulse area of the core starts ``[first, stop)`` (area indices)."""
        self._measure()
        return float(np.maximum.reduce(self._best[self._start + first : self._start + stop]))

    def append(self, xyz: FloatArray, stamps: FloatArray) -> None:
        """Adds samples (in g) and their times; their areas are measured when asked for."""
        count = len(stamps)
        if self._end + count > len(self._times):
            self._make_room(count)
        end = self._end
        added = self._xyz[end : end + count]
        added[...] = xyz
        self._times[end : end + count] = stamps
        # A glitch (inf) would look like the sharpest tap there is; as NaN it is no impulse.
        # One sum tells whether there is any (a NaN or inf in it makes it NaN or inf).
        if not math.isfinite(np.add.reduce(added, axis=None)):
            added[~np.isfinite(added)] = np.nan
        self._end = end + count

    def forget_before(self, index: int) -> None:
        """Drops the samples before ``index``; the indices of the rest go down by as much."""
        self._start += index
        if len(self._times) > 4 * self._usual_capacity and len(self) <= self._keep + _SPARE // 2:
            # A big chunk once made the arrays big: give that memory back.
            self._compact(self._usual_capacity)

    def clear(self) -> None:
        self._start = self._end = self._measured = 0

    def _measure(self) -> None:
        measurable = self._end - self._reach
        first = max(self._measured, self._start)
        if measurable <= first:
            return
        geometry = self._geometry
        measure_into(
            self._xyz[first : self._end],
            geometry.core,
            geometry.gap,
            geometry.sample_ms,
            (
                self._half[first:measurable],
                self._full[first:measurable],
                self._best[first:measurable],
            ),
        )
        self._measured = measurable

    def _make_room(self, count: int) -> None:
        needed = len(self) + count
        self._compact(max(self._usual_capacity, needed + _SPARE))

    def _compact(self, capacity: int) -> None:
        """Moves what is kept to the front of arrays of ``capacity`` samples."""
        old = (self._xyz, self._times, self._half, self._full, self._best)
        start, end = self._start, self._end
        measured = max(self._measured, start)
        if capacity != len(self._times):
            self._allocate(capacity)
        self._xyz[: end - start] = old[0][start:end]
        self._times[: end - start] = old[1][start:end]
        for new, previous in zip((self._half, self._full, self._best), old[2:], strict=True):
            new[: measured - start] = previous[start:measured]
        self._start, self._end, self._measured = 0, end - start, measured - start

    def _allocate(self, capacity: int) -> None:
        self._xyz: FloatArray = np.empty((capacity, 3))
        self._times: FloatArray = np.empty(capacity)
        self._half: FloatArray = np.empty(capacity)
        self._full: FloatArray = np.empty(capacity)
        self._best: FloatArray = np.empty(capacity)
