"""A wearer sitting still, as the twins' sensors see them: a resting heart and a still body.

Real devices are never silent while worn: a Bangle.js with its HRM on, a Polar H10, any
heart strap and a PineTime while it measures each send a heart reading about once a second,
and a streaming accelerometer sends gravity and sensor noise. Twins that stay quiet instead
look like a dropped link to the hub's silence supervision, which tells the partner to pause.
"""

from __future__ import annotations

import asyncio
import random
import zlib

import numpy as np
import numpy.typing as npt

from signals import lay_tap

# About one heart reading a second: Bangle.js HRM events, SIG straps, Polar H10, InfiniTime.
HEART_INTERVAL_S = 1.0
# How often a still accelerometer stream is topped up to the present; a tap laid on it
# waits at most this long before it goes out.
STREAM_STEP_S = 0.05
# A deliberate tap on a strap or a board, as the detector is tuned for: short and firm.
TAP_WIDTH_S = 0.015
TAP_PEAK_G = 2.5
# Gravity on a chest or a board lying flat, and an accelerometer's noise at rest.
_STILL_GRAVITY_G = (0.02, -0.98, 0.1)
_NOISE_G = 0.004
_RESTING_BPM = 62
_BPM_WANDER = 3


class RestingHeart:
    """A resting heart rate that wanders a little, reading after reading."""

    def __init__(self, seed: str, bpm: int = _RESTING_BPM) -> None:
        # Not for security: a seeded, repeatable wander, different for each twin.
        self._random = random.Random(seed)
        self._base = bpm
        self._bpm = bpm

    def next_bpm(self) -> int:
        step = self._random.choice((-1, 0, 0, 1))
        self._bpm = min(self._base + _BPM_WANDER, max(self._base - _BPM_WANDER, self._bpm + step))
        return self._bpm

    @staticmethod
    def rr_ms(bpm: int) -> list[float]:
        return [60_000 / bpm]


class StillBody:
    """Acceleration samples of a body at rest, in real time, with taps laid where asked.

    The stream has its own clock (sample count over rate), started at the first call;
    :meth:`tap` lays a tap at the present moment of that clock, so taps keep the rhythm they
    were made in even though samples leave in batches.
    """

    def __init__(self, seed: str) -> None:
        self._rng = np.random.default_rng(zlib.crc32(seed.encode()))
        self._started_at: float | None = None
        self._sent = 0
        self._taps_at: list[tuple[float, float]] = []  # (when, peak in g)

    def tap(self, peak_g: float = TAP_PEAK_G) -> None:
        """A tap now; a ``peak_g`` below the default is a soft tapper's."""
        now = asyncio.get_running_loop().time()
        started = self._started_at if self._started_at is not None else now
        self._taps_at.append((now - started, peak_g))

    def samples_until_now(self, rate_hz: float) -> npt.NDArray[np.float64]:
        """Samples (g) from the last call up to the present; taps due in them laid in."""
        now = asyncio.get_running_loop().time()
        if self._started_at is None:
            self._started_at = now
        due = int((now - self._started_at) * rate_hz)
        count = max(0, due - self._sent)
        samples = np.tile(np.asarray(_STILL_GRAVITY_G), (count, 1))
        samples += self._rng.normal(0.0, _NOISE_G, samples.shape)
        first_s = self._sent / rate_hz
        still_to_come: list[tuple[float, float]] = []
        for at, peak_g in self._taps_at:
            # A tap laid in this batch, or pushed to the next when it would end past it.
            if at + 4 * TAP_WIDTH_S < due / rate_hz:
                start = max(0.0, at - first_s)
                lay_tap(samples, rate_hz, start, width_s=TAP_WIDTH_S, peak_g=peak_g)
            else:
                still_to_come.append((at, peak_g))
        self._taps_at = still_to_come
        self._sent += count
        return samples
