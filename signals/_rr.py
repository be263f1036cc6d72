"""Beat-to-beat (RR) intervals: cleaning out ectopic beats and artefacts, and their statistics.

A chest strap's RR intervals are mostly normal-to-normal (NN) beats, with now and then an
ectopic beat (a premature short interval, then a compensatory long one), a missed beat (an
interval twice as long) or an artefact from a strap moving. Those few intervals would swamp
the beat-to-beat variability (RMSSD), so they are found and left out first.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class RrCleaning:
    """Which intervals are believed. The defaults follow common HRV practice."""

    # Outside this range an interval is not a heartbeat (30-200 bpm).
    shortest_ms: float = 300.0
    longest_ms: float = 2000.0
    # An interval further than this share from its neighbours' median is not a normal beat
    # (a missed beat is about 100% long). A healthy heart's single beats can stray 30-40%
    # (the pyhrv recording has several), so this is generous ...
    max_deviation: float = 0.5
    # ... but a short interval right next to a long one, each this far off, is an ectopic
    # beat (premature, 20-40% short) and its compensatory pause; two short ones that add up
    # to one normal interval are a beat split by a spurious detection. A normal heart speeds
    # up and slows down over several beats, not in one short-long jump.
    ectopic_deviation: float = 0.2
    # How many intervals around each one (itself included) make its neighbourhood.
    neighbourhood: int = 11

    def __post_init__(self) -> None:
        if not 0 < self.shortest_ms < self.longest_ms:
            raise ValueError(
                "shortest_ms and longest_ms must satisfy 0 < shortest_ms < longest_ms, got "
                f"{self.shortest_ms} and {self.longest_ms}"
            )
        if not 0 < self.max_deviation < 1:
            raise ValueError(f"max_deviation must be in (0, 1), got {self.max_deviation}")
        if not 0 < self.ectopic_deviation <= self.max_deviation:
            raise ValueError(
                f"ectopic_deviation must be in (0, max_deviation], got {self.ectopic_deviation}"
            )
        if self.neighbourhood < 3 or self.neighbourhood % 2 == 0:
            raise ValueError(f"neighbourhood must be odd and >= 3, got {self.neighbourhood}")


def clean_rr(rr_ms: npt.ArrayLike, cleaning: RrCleaning | None = None) -> BoolArray:
    """Which intervals are normal beats: True to keep, False for ectopic beats, missed
    beats and artefacts.

    Each interval is compared with the median of the in-range intervals around it (its
    ``neighbourhood``, centred, shorter at the ends). Far off it is an artefact or a missed
    beat; a short one next to a long one, both moderately off, is an ectopic beat and its
    pause, and both go. A slow drift in heart rate moves the median along and stays.
    """
    cleaning = cleaning or RrCleaning()
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.ndim != 1:
        raise ValueError(f"RR intervals must be one-dimensional, got shape {rr.shape}")
    if len(rr) == 0:
        return np.zeros(0, dtype=np.bool_)
    plausible = np.isfinite(rr) & (rr >= cleaning.shortest_ms) & (rr <= cleaning.longest_ms)
    half = cleaning.neighbourhood // 2
    padded = np.pad(np.where(plausible, rr, np.nan), half, constant_values=np.nan)
    windows = sliding_window_view(padded, cleaning.neighbourhood)
    with warnings.catch_warnings():
        # A neighbourhood of nothing but artefacts has no median; such intervals are dropped.
        warnings.simplefilter("ignore", RuntimeWarning)
        local = np.nanmedian(windows, axis=1)
    deviation = (rr - local) / local
    far_off = ~(np.abs(deviation) <= cleaning.max_deviation)  # NaN (no median) is far off
    short = deviation < -cleaning.ectopic_deviation
    long = deviation > cleaning.ectopic_deviation
    pair = (short[:-1] & long[1:]) | (long[:-1] & short[1:])
    # A split beat: two short intervals that together make one of the usual length.
    together = (rr[:-1] + rr[1:]) / local[:-1]
    pair |= short[:-1] & short[1:] & (np.abs(together - 1) <= cleaning.ectopic_deviation)
    in_pair = np.zeros(len(rr), dtype=np.bool_)
    in_pair[:-1] |= pair
    in_pair[1:] |= pair
    kept: BoolArray = plausible & ~far_off & ~in_pair
    return kept


@dataclass(frozen=True, slots=True)
class RrStatistics:
    """Time-domain statistics of the believed intervals of a window."""

    mean_nn_ms: float
    rmssd_ms: float | None
    accepted: int
    rejected: int

    @property
    def mean_hr_bpm(self) -> float:
        return 60_000.0 / self.mean_nn_ms


def rr_statistics(rr_ms: npt.ArrayLike, kept: npt.ArrayLike | None = None) -> RrStatistics | None:
    """Mean NN and RMSSD over the ``kept`` intervals (all, if not given); None when none is.

    RMSSD uses only successive differences between two kept intervals that follow each
    other in the original series: differencing across a dropped beat would compare
    intervals that are not neighbours.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    mask = np.ones(len(rr), dtype=np.bool_) if kept is None else np.asarray(kept, dtype=np.bool_)
    if mask.shape != rr.shape:
        raise ValueError(f"kept must match the intervals: {mask.shape} against {rr.shape}")
    accepted = int(mask.sum())
    if accepted == 0:
        return None
    successive = mask[1:] & mask[:-1]
    differences = np.diff(rr)[successive]
    rmssd = math.sqrt(float(np.mean(differences**2))) if len(differences) else None
    return RrStatistics(
        mean_nn_ms=float(np.mean(rr[mask])),
        rmssd_ms=rmssd,
        accepted=accepted,
        rejected=len(rr) - accepted,
    )
