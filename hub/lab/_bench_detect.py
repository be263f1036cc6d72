"""``comfort-hub bench detect``: samples per second of the tap detector and the heart-rate
monitor, each beside a one-pass numpy baseline over the same data.

Figures, not verdicts: the baselines are measured in the same run, so the ratios can be
compared between runs and machines; samples per second show the headroom over a real
sensor's few hundred (acceleration) or one a second (heart rate).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hub.lab._recordings import normal_beats_ms, real_motion
from signals import HeartRateMonitor, TapDetector, synthesise_tap_recording

FloatArray = npt.NDArray[np.float64]

# A Polar H10 sends about 36 samples per notification; 1000 is a hub-sized batch.
CHUNK_SIZES = (36, 1000)
# The detector's target, in chunks of 36 on one core.
TARGET_SAMPLES_PER_S = 1_000_000


@dataclass(frozen=True, slots=True)
class Throughput:
    label: str
    count: int
    seconds: float
    baseline_s: float

    @property
    def per_s(self) -> float:
        return self.count / self.seconds

    def as_json(self) -> dict[str, Any]:
        return {
            "samples": self.count,
            "seconds": self.seconds,
            "samples_per_s": self.per_s,
            "times_baseline": self.seconds / self.baseline_s,
        }

    def line(self) -> str:
        return (
            f"{self.label:40s} {self.per_s / 1e6:8.2f} M samples/s  "
            f"x{self.seconds / self.baseline_s:7.1f} the baseline's time"
        )


@dataclass(frozen=True, slots=True)
class DetectReport:
    rate_hz: float
    taps: dict[str, Throughput]
    same_taps_whatever_the_chunking: bool
    heart: dict[str, Throughput]

    def as_json(self) -> dict[str, Any]:
        return {
            "rate_hz": self.rate_hz,
            "taps": {key: figures.as_json() for key, figures in self.taps.items()},
            "same_taps_whatever_the_chunking": self.same_taps_whatever_the_chunking,
            "heart": {key: figures.as_json() for key, figures in self.heart.items()},
        }

    def lines(self) -> list[str]:
        out = [figures.line() for figures in self.taps.values()]
        chunked = self.taps["chunks_36"].per_s
        out.append(
            f"Target: >= {TARGET_SAMPLES_PER_S / 1e6:g} M samples/s in chunks of 36: "
            f"{chunked / 1e6:.2f} M samples/s "
            f"({36 / chunked * 1e6:.1f} us per call of 36)"
        )
        out.append(
            "same taps whatever the chunking: "
            + ("yes" if self.same_taps_whatever_the_chunking else "NO")
        )
        out.extend(
            figures.line().replace("samples/s", "readings/s") for figures in self.heart.values()
        )
        return out


def run_detect_bench(samples: int, rate_hz: float, repeats: int = 3) -> DetectReport:
    xyz, times = _acceleration(samples, rate_hz)
    baseline_s = _best_of(repeats, lambda: _magnitude(xyz))
    taps = {
        "baseline": Throughput(
            "baseline: magnitude, one numpy pass", len(xyz), baseline_s, baseline_s
        )
    }
    found: list[list[float]] = []

    def whole() -> None:
        found.append(TapDetector(rate_hz).feed(xyz, times).tolist())

    taps["whole"] = Throughput(
        "detector, whole recording at once", len(xyz), _best_of(repeats, whole), baseline_s
    )
    for size in CHUNK_SIZES:

        def chunked(size: int = size) -> None:
            found.append(_feed_in_chunks(xyz, times, rate_hz, size))

        taps[f"chunks_{size}"] = Throughput(
            f"detector, streamed in chunks of {size}",
            len(xyz),
            _best_of(repeats, chunked),
            baseline_s,
        )
    same = all(result == found[0] for result in found)
    return DetectReport(rate_hz, taps, same, _heart_figures(repeats))


def _acceleration(samples: int, rate_hz: float) -> tuple[FloatArray, FloatArray]:
    """Real motion with synthetic taps in it, repeated to the length asked for."""
    motion = max(real_motion(), key=lambda m: m.duration_s)
    recording = synthesise_tap_recording(
        motion.samples_g, motion.rate_hz, rate_hz, np.random.default_rng(0)
    )
    repeats = -(-samples // len(recording.samples_g))
    xyz = np.ascontiguousarray(np.tile(recording.samples_g, (repeats, 1))[:samples])
    times = np.arange(len(xyz)) / rate_hz
    return xyz, times


def _heart_figures(repeats: int) -> dict[str, Throughput]:
    """The monitor fed one reading per beat (bpm and that beat's RR), as a strap sends."""
    rr_ms = normal_beats_ms()
    at = np.cumsum(rr_ms) / 1000
    readings = list(zip(at.tolist(), (60_000 / rr_ms).tolist(), rr_ms.tolist(), strict=True))

    def monitor() -> None:
        heart = HeartRateMonitor()
        for when, bpm, rr in readings:
            heart.feed(when, bpm, (rr,), True)

    baseline_s = _best_of(repeats, lambda: _rolling_bpm(rr_ms))
    return {
        "baseline": Throughput(
            "baseline: bpm and its mean, one numpy pass", len(readings), baseline_s, baseline_s
        ),
        "monitor": Throughput(
            "heart-rate monitor, a reading at a time",
            len(readings),
            _best_of(repeats, monitor),
            baseline_s,
        ),
    }


def _rolling_bpm(rr_ms: FloatArray) -> float:
    return float(np.mean(60_000 / rr_ms))


def _magnitude(xyz: FloatArray) -> FloatArray:
    result: FloatArray = np.sqrt(np.einsum("ij,ij->i", xyz, xyz))
    return result


def _feed_in_chunks(xyz: FloatArray, times: FloatArray, rate_hz: float, size: int) -> list[float]:
    detector = TapDetector(rate_hz)
    taps: list[float] = []
    for start in range(0, len(xyz), size):
        taps.extend(detector.feed(xyz[start : start + size], times[start : start + size]).tolist())
    return taps


def _best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best
