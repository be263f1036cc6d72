"""Finds deliberate taps in raw 3-axis acceleration, streaming, in chunks of any size.

A deliberate tap on a wearable is a short, sharp impulse (10-20 ms, 1-4 g) while the wrist is
comparatively still. Ordinary movement also has jolts, so no single threshold tells them apart.
Each candidate is judged on its shape and on its surroundings:

1. **Impulse**: the acceleration over a short core (20 ms, at least two samples) stands out
   from the straight line through the samples just outside it. Its excess, integrated over
   time, is the impulse's *area* in g*ms, which a sensor's sampling rate does not change
   (a 2 g, 15 ms tap is about 19 g*ms at 50 Hz and at 1 kHz alike). Candidates are the
   largest area within their own core.
2. **Narrow**: the same measure over a core three times as wide must not grow much. A swing
   or a step keeps gaining area as the window widens; a tap does not.
3. **Still surroundings**: before (0.5 s) and after (0.3 s) the impulse, the wrist moves
   little: the robust spread of acceleration around a straight trend, ignoring the samples of
   other impulses (the other taps of a pattern), stays below ``still_g`` and well below the
   impulse itself. Walking, jogging, brushing teeth or a massage stroke fail here.
4. **No change of posture**: the wrist points the same way before and after, so putting a
   hand down or picking something up (which moves gravity between axes) does not count.

Below 50 Hz a tap lasts less than one sample and its shape cannot be seen; there only firmer
taps count (``low_rate_min_area_gms``). Nothing loops per sample.

A sample is judged once the ``after_s`` that follows it has arrived, so a tap is reported
0.35-0.5 s after it happens (``TapDetector.latency_s``), and the result is the same however
the stream is cut into chunks: each judgement depends only on the samples around it.

A hub feeds each strap's samples a frame (about 36) at a time, where every numpy call costs
a microsecond or more however few samples it touches; so the per-chunk path is a dozen
calls. Samples go into reused buffers (``signals._tap_buffer``); a chunk whose sharpest bend
rules out any tap-sized impulse (``signals._tap_area.bend_gain``) stops there, which is most
chunks; otherwise each new position's impulse area is measured once, and only a chunk with an
area large enough to be a tap has its candidates judged (``signals._tap_shape``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt

from signals._tap_buffer import SampleBuffer
from signals._tap_settings import (
    HIGHEST_RATE_HZ,
    LOWEST_RATE_HZ,
    SHAPE_VISIBLE_RATE_HZ,
    Geometry,
    TapDetectorSettings,
)
from signals._tap_shape import judge, peak_offset
from signals._units import AccelUnit, parse_unit, to_g

__all__ = [
    "HIGHEST_RATE_HZ",
    "LOWEST_RATE_HZ",
    "SHAPE_VISIBLE_RATE_HZ",
    "TapDetector",
    "TapDetectorSettings",
    "detect_taps",
]

FloatArray = npt.NDArray[np.float64]


class TapDetector:
    """One wearer's streaming tap detector. Feed chunks in time order; taps come back.

    ``rate_hz`` is the sensor's sampling rate (25 Hz to 1 kHz); chunks are ``(n, 3)`` arrays
    in ``unit`` with ``n`` timestamps in seconds (any clock, the same for the whole stream).
    """

    def __init__(
        self,
        rate_hz: float,
        *,
        unit: AccelUnit | str = AccelUnit.G,
        settings: TapDetectorSettings | None = None,
    ) -> None:
        if not LOWEST_RATE_HZ <= rate_hz <= HIGHEST_RATE_HZ:
            raise ValueError(
                f"rate_hz must be between {LOWEST_RATE_HZ:g} and {HIGHEST_RATE_HZ:g} Hz, "
                f"got {rate_hz:g}"
            )
        self.rate_hz = float(rate_hz)
        self.unit = parse_unit(unit)
        self.settings = settings or TapDetectorSettings()
        self._geometry = Geometry.at(self.rate_hz, self.settings)
        geometry = self._geometry
        self._buffer = SampleBuffer(geometry, geometry.history + geometry.right_context)
        # Read on every chunk: kept as plain numbers.
        self._left_context = geometry.left_context
        self._right_context = geometry.right_context
        self._history = geometry.history
        self._max_gap_s = self.settings.max_sample_gap_s
        # Index into the buffer of the first sample not yet judged.
        self._next = 0
        self._last_tap_at = -math.inf

    def feed(self, samples: npt.ArrayLike, times: npt.ArrayLike) -> FloatArray:
        """Adds a chunk; returns the times of the taps judged in it (often none)."""
        # Already in g: no division (a hub's frames arrive in g, a frame at a time).
        if self.unit is AccelUnit.G:
            xyz = np.asarray(samples, dtype=np.float64)
        else:
            xyz = to_g(samples, self.unit)
        stamps = np.asarray(times, dtype=np.float64)
        if xyz.ndim != 2 or xyz.shape[1] != 3:
            raise ValueError(f"samples must have shape (n, 3), got {xyz.shape}")
        if stamps.shape != (xyz.shape[0],):
            raise ValueError(
                f"times must have one entry per sample: {xyz.shape[0]} samples, "
                f"times of shape {stamps.shape}"
            )
        if len(stamps) == 0:
            return np.empty(0)
        if len(stamps) == 1 or np.maximum.reduce(stamps[1:] - stamps[:-1]) <= self._max_gap_s:
            return self._feed_run(xyz, stamps)  # no pause inside the chunk (the usual case)
        found = [
            self._feed_run(xyz[start:stop], stamps[start:stop])
            for start, stop in self._runs(stamps)
        ]
        return np.concatenate(found)

    def reset(self) -> None:
        """Forgets the stream (after a reconnect, say); the next chunk starts afresh."""
        self._buffer.clear()
        self._next = 0
        self._last_tap_at = -math.inf

    @property
    def latency_s(self) -> float:
        """How long after a tap it is reported: the surroundings that follow must arrive."""
        return self._geometry.right_context / self.rate_hz

    def _runs(self, stamps: FloatArray) -> list[tuple[int, int]]:
        """Splits a chunk where the samples pause, resetting the stream at each pause."""
        cuts = (np.flatnonzero(np.diff(stamps) > self.settings.max_sample_gap_s) + 1).tolist()
        bounds = [0, *cuts, len(stamps)]
        return list(itertools.pairwise(bounds))

    def _feed_run(self, xyz: FloatArray, stamps: FloatArray) -> FloatArray:
        buffer = self._buffer
        if len(buffer) and stamps[0] - buffer.last_time > self._max_gap_s:
            self.reset()
        buffer.append(xyz, stamps)
        geometry = self._geometry
        first = max(self._next, self._left_context)
        stop = len(buffer) - self._right_context
        if stop <= first:
            return np.empty(0)
        # A tap is judged at a core start whose area reaches the smallest a tap may have.
        # On a still wrist no area in this chunk's share does, and nothing is judged: that
        # is most chunks, and they cost a dozen numpy calls instead of a whole judgement.
        gap, least = geometry.gap, geometry.pattern_min_area_gms
        if (
            buffer.may_reach(first - gap, stop - gap, least)
            and buffer.best_area(first - gap, stop - gap) >= least
        ):
            tap_times = self._judge(first, stop)
        else:
            tap_times = np.empty(0)
        self._next = stop
        # Keep only what the next judgements can still look at.
        keep_from = max(0, stop - self._history)
        buffer.forget_before(keep_from)
        self._next -= keep_from
        return tap_times

    def _judge(self, first: int, stop: int) -> FloatArray:
        buffer, geometry = self._buffer, self._geometry
        xyz = buffer.xyz
        taps, firm, settled = judge(xyz, first, stop, geometry, self.settings, buffer.areas())
        if len(taps) == 0:
            return np.empty(0)
        peaks = taps + peak_offset(xyz, taps, geometry)
        return self._accept(buffer.times[peaks], firm, settled)

    def _accept(
        self,
        impulse_times: FloatArray,
        firm: npt.NDArray[np.bool_],
        settled: npt.NDArray[np.bool_],
    ) -> FloatArray:
        """Keeps the taps of patterns: a pattern starts on a firm tap after a settled
        wrist, and goes on with taps (weak ones too) that follow closely enough; one tap per
        bounce. A handful of impulses per chunk at most, so a plain loop.

        A weak impulse never starts a pattern: a jolt just before a deliberate double tap
        must not turn it into a pause. A firm tap soon after an accepted one goes on with
        its pattern even though that earlier tap unsettled the wrist.
        """
        settings = self.settings
        kept: list[float] = []
        for at, is_firm, is_settled in zip(
            impulse_times.tolist(), firm.tolist(), settled.tolist(), strict=True
        ):
            since_last = at - self._last_tap_at
            if since_last < settings.min_tap_gap_s:
                continue
            goes_on = since_last <= settings.pattern_gap_s or (
                is_firm and since_last <= settings.settle_s
            )
            if goes_on or (is_firm and is_settled):
                kept.append(at)
                self._last_tap_at = at
        return np.asarray(kept, dtype=np.float64)


def detect_taps(
    samples: npt.ArrayLike,
    rate_hz: float,
    *,
    times: npt.ArrayLike | None = None,
    unit: AccelUnit | str = AccelUnit.G,
    settings: TapDetectorSettings | None = None,
) -> FloatArray:
    """All taps in a whole recording; ``times`` default to ``index / rate_hz``."""
    xyz = np.asarray(samples, dtype=np.float64)
    stamps = np.arange(len(xyz)) / rate_hz if times is None else times
    return TapDetector(rate_hz, unit=unit, settings=settings).feed(xyz, stamps)
