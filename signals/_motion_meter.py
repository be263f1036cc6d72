"""How much the body moves: the context a racing heart is read in (see :mod:`signals._heart`)."""

from __future__ import annotations

import numpy as np


def motion_spread(xyz_g: np.ndarray) -> float:
    """How much acceleration (g, ``(n, 3)``) moves: the standard deviation of its magnitude."""
    samples = np.asarray(xyz_g, dtype=np.float64)
    if len(samples) < 2:
        return 0.0
    return float(np.std(np.sqrt(np.einsum("ij,ij->i", samples, samples))))


class MotionMeter:
    """The body's movement over the last ``window_s``, from acceleration batches of any size
    (a micro:bit sends one sample at a time, a Polar H10 dozens)."""

    def __init__(self, window_s: float = 1.0) -> None:
        if window_s <= 0:
            raise ValueError(f"window_s must be positive, got {window_s}")
        self.window_s = window_s
        # Only the magnitudes are kept: the spread needs nothing else, and each batch then
        # costs a few small numpy calls (a hub meters every strap's frames).
        self._times = np.empty(0)
        self._magnitudes = np.empty(0)

    def feed(self, times: np.ndarray, xyz_g: np.ndarray) -> float:
        """Adds a batch; returns :func:`motion_spread` over the last ``window_s``."""
        samples = np.asarray(xyz_g, dtype=np.float64)
        self._times = np.concatenate([self._times, np.asarray(times, dtype=np.float64)])
        self._magnitudes = np.concatenate(
            [self._magnitudes, np.sqrt(np.einsum("ij,ij->i", samples, samples))]
        )
        if len(self._times):
            recent = self._times > self._times[-1] - self.window_s
            self._times, self._magnitudes = self._times[recent], self._magnitudes[recent]
        if len(self._magnitudes) < 2:
            return 0.0
        return float(self._magnitudes.std())
