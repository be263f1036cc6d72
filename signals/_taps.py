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
taps count (``low_rate_min_area_gms``). Every step is a handful of numpy operations over the
whole chunk, then over the few candidates; nothing loops per sample.

A sample is judged once the ``after_s`` that follows it has arrived, so a tap is reported
0.35-0.5 s after it happens (``TapDetector.latency_s``), and the result is the same however
the stream is cut into chunks: each judgement depends only on the samples around it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from signals._units import AccelUnit, parse_unit, to_g

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]

LOWEST_RATE_HZ = 25.0
HIGHEST_RATE_HZ = 1000.0
# Below this rate a 20 ms tap fits inside one sample: its shape is invisible.
SHAPE_VISIBLE_RATE_HZ = 50.0
# The median absolute deviation of normal noise, times this, estimates its standard deviation.
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True, slots=True)
class TapDetectorSettings:
    """What counts as a deliberate tap. The defaults are measured by ``comfort-hub eval``."""

    # Smallest impulse area (g*ms) that can be a tap: a 1 g, 10 ms tap is about 6.4 g*ms.
    min_area_gms: float = 6.0
    # Below 50 Hz: a firmer tap is needed, as everyday jolts look the same there.
    low_rate_min_area_gms: float = 35.0
    # A weaker impulse of the right shape, in somewhat less quiet surroundings, counts when
    # it follows a tap of its pattern within ``pattern_gap_s`` (deliberate taps come 150-500
    # ms apart): patterns start with a firm tap. Lone weak impulses never count, so everyday
    # jolts cannot add up to a signal.
    pattern_min_area_gms: float = 3.5
    pattern_gap_s: float = 0.5
    pattern_still_g: float = 0.09
    pattern_prominence: float = 2.5
    # The impulse core and the gap before the samples that serve as its baseline.
    core_s: float = 0.02
    baseline_gap_s: float = 0.01
    # A tap's area over a three-times-wider core may grow by at most this factor.
    wide_area_ratio: float = 1.6
    # How much of the wrist's motion around a tap is looked at, and how still it must be.
    before_s: float = 0.5
    after_s: float = 0.3
    still_g: float = 0.07
    # The impulse's mean excess must be this many times the surroundings' spread.
    prominence: float = 4.0
    # Largest change of the gravity vector between before and after (a posture change).
    max_posture_change_g: float = 0.15
    # A tap's own ringing after the impulse, ignored when judging the surroundings.
    ringing_s: float = 0.03
    # Taps closer than this are one tap (its rebound, or a bounce of the finger).
    min_tap_gap_s: float = 0.1
    # At least this share of the surroundings must be free of other impulses to be judged.
    min_clear_share: float = 0.2
    # A pause in the samples longer than this starts the stream afresh.
    max_sample_gap_s: float = 0.5

    def __post_init__(self) -> None:
        for name in (
            "min_area_gms",
            "low_rate_min_area_gms",
            "pattern_min_area_gms",
            "pattern_gap_s",
            "pattern_still_g",
            "pattern_prominence",
            "core_s",
            "baseline_gap_s",
            "wide_area_ratio",
            "before_s",
            "after_s",
            "still_g",
            "prominence",
            "max_posture_change_g",
            "min_tap_gap_s",
            "max_sample_gap_s",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.ringing_s < 0:
            raise ValueError(f"ringing_s must not be negative, got {self.ringing_s}")
        if not 0 < self.min_clear_share <= 1:
            raise ValueError(f"min_clear_share must be in (0, 1], got {self.min_clear_share}")


@dataclass(frozen=True, slots=True)
class _Geometry:
    """The settings turned into sample counts for one rate."""

    core: int
    gap: int
    before: int
    after: int
    ringing: int
    min_area_gms: float
    pattern_min_area_gms: float
    sample_ms: float

    @classmethod
    def at(cls, rate_hz: float, settings: TapDetectorSettings) -> _Geometry:
        min_area = settings.min_area_gms
        pattern_min_area = min(min_area, settings.pattern_min_area_gms)
        if rate_hz < SHAPE_VISIBLE_RATE_HZ:
            min_area = max(min_area, settings.low_rate_min_area_gms)
            pattern_min_area = min_area
        return cls(
            core=max(2, round(settings.core_s * rate_hz)),
            gap=max(1, round(settings.baseline_gap_s * rate_hz)),
            before=max(4, round(settings.before_s * rate_hz)),
            after=max(4, round(settings.after_s * rate_hz)),
            ringing=math.ceil(settings.ringing_s * rate_hz),
            min_area_gms=min_area,
            pattern_min_area_gms=pattern_min_area,
            sample_ms=1000.0 / rate_hz,
        )

    # The samples on each side of a core start that decide about it: its surroundings, and
    # far enough beyond them to know every neighbouring impulse that reaches into them.
    @property
    def left_context(self) -> int:
        return self.before + 2 * self.core + 2 * self.gap + self.ringing + 2

    @property
    def right_context(self) -> int:
        return self.after + 3 * self.core + 3 * self.gap + 1


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
        self._geometry = _Geometry.at(self.rate_hz, self.settings)
        self._samples: FloatArray = np.empty((0, 3))
        self._times: FloatArray = np.empty(0)
        # Index into the buffer of the first sample not yet judged.
        self._next = 0
        self._last_tap_at = -math.inf

    def feed(self, samples: npt.ArrayLike, times: npt.ArrayLike) -> FloatArray:
        """Adds a chunk; returns the times of the taps judged in it (often none)."""
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
        # A glitch (inf) would look like the sharpest tap there is; as NaN it is no impulse.
        xyz = np.where(np.isfinite(xyz), xyz, np.nan)
        found: list[FloatArray] = []
        for start, stop in self._runs(stamps):
            found.append(self._feed_run(xyz[start:stop], stamps[start:stop]))
        return np.concatenate(found)

    def reset(self) -> None:
        """Forgets the stream (after a reconnect, say); the next chunk starts afresh."""
        self._samples = np.empty((0, 3))
        self._times = np.empty(0)
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
        if len(self._times) and stamps[0] - self._times[-1] > self.settings.max_sample_gap_s:
            self.reset()
        self._samples = np.concatenate([self._samples, xyz])
        self._times = np.concatenate([self._times, stamps])
        geometry = self._geometry
        first = max(self._next, geometry.left_context)
        stop = len(self._times) - geometry.right_context
        if stop <= first:
            return np.empty(0)
        taps, firm = _judge(self._samples, first, stop, geometry, self.settings)
        self._next = stop
        peaks = taps + _peak_offset(self._samples, taps, geometry)
        tap_times = self._accept(self._times[peaks], firm)
        # Keep only what the next judgements can still look at.
        keep_from = max(0, self._next - geometry.left_context)
        self._samples = self._samples[keep_from:]
        self._times = self._times[keep_from:]
        self._next -= keep_from
        return tap_times

    def _accept(self, impulse_times: FloatArray, firm: npt.NDArray[np.bool_]) -> FloatArray:
        """Keeps firm taps, and weak ones that follow a tap of their pattern closely enough;
        one tap per bounce. A handful of impulses per chunk at most, so a plain loop.

        A weak impulse never starts a pattern: a jolt just before a deliberate double tap
        must not turn it into a pause.
        """
        kept: list[float] = []
        for at, is_firm in zip(impulse_times.tolist(), firm.tolist(), strict=True):
            since_last = at - self._last_tap_at
            if since_last < self.settings.min_tap_gap_s:
                continue
            if is_firm or since_last <= self.settings.pattern_gap_s:
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


def _impulse_area(
    xyz: FloatArray, core: int, gap: int, sample_ms: float
) -> tuple[FloatArray, FloatArray]:
    """Per core start ``i``: the impulse's area in g*ms and its mean excess in g.

    The area is the excess over the straight line through the samples ``gap`` before and
    after the core, summed over the core. A tap's recoil can fall inside a full core and
    cancel part of it, so the first half of the core is measured as well and the larger
    of the two counts. Index ``i`` of the result is buffer index ``i + gap``; positions too
    close to the end to be measured are 0.

    Built from shifted slices in a fixed order, so a value depends only on its own samples
    (not on where the buffer starts), which keeps the result independent of chunking.
    """
    count = len(xyz) - (core - 1 + 2 * gap)
    best_area = np.zeros(max(count, 0))
    best_mean = np.zeros(max(count, 0))
    for length in sorted({max(1, core // 2), core}):
        span = length - 1 + 2 * gap
        usable = min(count, len(xyz) - span)
        core_sum = np.zeros((usable, 3))
        for offset in range(length):
            core_sum += xyz[gap + offset : gap + offset + usable]
        baseline = (xyz[:usable] + xyz[span : span + usable]) * (length / 2.0)
        excess = (core_sum - baseline) * sample_ms
        area = np.sqrt(np.einsum("ij,ij->i", excess, excess))
        better = area > best_area
        best_area = np.where(better, area, best_area)
        best_mean = np.where(better, area / (length * sample_ms), best_mean)
    return best_area, best_mean


def _judge(
    xyz: FloatArray,
    first: int,
    stop: int,
    geometry: _Geometry,
    settings: TapDetectorSettings,
) -> tuple[IndexArray, npt.NDArray[np.bool_]]:
    """Core start indices in ``[first, stop)`` of tap-shaped impulses in still surroundings,
    in time order, and which of them are firm enough to count on their own."""
    core, gap = geometry.core, geometry.gap
    area, mean_excess = _impulse_area(xyz, core, gap, geometry.sample_ms)
    # Candidates anywhere in the buffer: the judged ones, and neighbours whose samples
    # must be ignored when judging the surroundings.
    raw = np.flatnonzero(area >= geometry.pattern_min_area_gms)
    if len(raw) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.bool_)
    padded = np.pad(area, (core, core))
    neighbourhood = sliding_window_view(padded, 2 * core + 1)[raw]
    peaks = raw[np.argmax(neighbourhood, axis=1) == core] + gap  # core start, buffer index
    busy = _impulse_mask(len(xyz), peaks, geometry)
    judged: IndexArray = peaks[(peaks >= first) & (peaks < stop)]
    if len(judged) == 0:
        return judged, np.empty(0, dtype=np.bool_)
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
    mean_excess_g = mean_excess[judged - gap]
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
    return taps, firm


def _peak_offset(xyz: FloatArray, starts: IndexArray, geometry: _Geometry) -> IndexArray:
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


def _impulse_mask(length: int, peaks: IndexArray, geometry: _Geometry) -> npt.NDArray[np.bool_]:
    """True on the samples of every candidate impulse, its baseline and its ringing."""
    edges = np.zeros(length + 1, dtype=np.int64)
    starts = np.clip(peaks - geometry.gap - 1, 0, length)
    ends = np.clip(peaks + geometry.core + geometry.gap + geometry.ringing, 0, length)
    np.add.at(edges, starts, 1)
    np.add.at(edges, ends, -1)
    mask: npt.NDArray[np.bool_] = np.cumsum(edges[:length]) > 0
    return mask


def _wide_area(xyz: FloatArray, starts: IndexArray, geometry: _Geometry) -> FloatArray:
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
    first = np.median(windows[:, :half], axis=1)
    second = np.median(windows[:, half:], axis=1)
    # 0 at the middle of the first half, 1 at the middle of the second.
    position = (np.arange(width) - (half - 1) / 2.0) / half
    trend = first[:, None, :] + (second - first)[:, None, :] * position[None, :, None]
    deviation = np.abs(windows - trend)
    deviation[busy] = np.nan
    clear = ~busy
    enough = clear.sum(axis=1) >= settings.min_clear_share * width
    # Rows with nothing clear would make nanmedian warn; they are overruled by ``enough``.
    deviation[~enough] = 0.0
    spread = np.sqrt(np.sum(np.nanmedian(deviation, axis=1) ** 2, axis=1)) * _MAD_TO_SIGMA
    spread = np.where(enough, spread, np.inf)
    level: FloatArray = (first + second) / 2.0
    return level, spread
