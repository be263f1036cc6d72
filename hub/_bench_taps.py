"""``comfort-hub bench taps``: the tap detector's throughput, against a bare numpy pass.

Figures, not verdicts: the baseline (the acceleration's magnitude, one vectorised pass over
the same samples) is measured in the same run, so the ratio can be compared between runs
and machines; samples per second show the headroom over a real sensor's few hundred.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from hub.lab._recordings import real_motion
from signals import TapDetector, synthesise_tap_recording

# A Polar H10 sends about 36 samples per notification; one second is a hub-sized batch.
CHUNK_SIZES = (36, 1000)


def run_taps_bench(samples: int, rate_hz: float, say: Callable[[str], None]) -> None:
    motion = max(real_motion(), key=lambda m: m.duration_s)
    recording = synthesise_tap_recording(
        motion.samples_g, motion.rate_hz, rate_hz, np.random.default_rng(0)
    )
    # Real motion with taps in it, repeated to the length asked for.
    repeats = -(-samples // len(recording.samples_g))
    xyz = np.tile(recording.samples_g, (repeats, 1))[:samples]
    times = np.arange(len(xyz)) / rate_hz
    say(f"{len(xyz):,} samples at {rate_hz:g} Hz (synthetic taps over real motion)")
    baseline_s = _best_of(3, lambda: _magnitude(xyz))
    _report(say, "baseline: magnitude, one numpy pass", len(xyz), baseline_s, baseline_s)
    whole_s = _best_of(3, lambda: TapDetector(rate_hz).feed(xyz, times))
    _report(say, "detector, whole recording at once", len(xyz), whole_s, baseline_s)
    for size in CHUNK_SIZES:
        started = time.perf_counter()
        _feed_in_chunks(xyz, times, rate_hz, size)
        chunked_s = time.perf_counter() - started
        _report(say, f"detector, streamed in chunks of {size}", len(xyz), chunked_s, baseline_s)


def _magnitude(xyz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = np.sqrt(np.einsum("ij,ij->i", xyz, xyz))
    return result


def _feed_in_chunks(
    xyz: npt.NDArray[np.float64], times: npt.NDArray[np.float64], rate_hz: float, size: int
) -> None:
    detector = TapDetector(rate_hz)
    for start in range(0, len(xyz), size):
        detector.feed(xyz[start : start + size], times[start : start + size])


def _best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _report(
    say: Callable[[str], None], label: str, count: int, seconds: float, baseline_s: float
) -> None:
    say(
        f"{label:40s} {count / seconds / 1e6:8.2f} M samples/s  "
        f"x{seconds / baseline_s:7.1f} the baseline's time"
    )
