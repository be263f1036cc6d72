"""Latency figures: percentiles of a set of samples, printed and as JSON."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def percentile(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an interpolation."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    """Milliseconds, one per measured signal."""

    samples_ms: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(self.samples_ms, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.samples_ms, 0.99)

    @property
    def max(self) -> float:
        return max(self.samples_ms) if self.samples_ms else math.nan

    def as_json(self) -> dict[str, Any]:
        """No samples give nulls (JSON has no NaN)."""
        empty = not self.samples_ms
        return {
            "n": len(self.samples_ms),
            "p50_ms": None if empty else self.p50,
            "p99_ms": None if empty else self.p99,
            "max_ms": None if empty else self.max,
        }

    def describe(self) -> str:
        return (
            f"p50 {self.p50:7.2f} ms  p99 {self.p99:7.2f} ms  max {self.max:7.2f} ms"
            f"  (n={len(self.samples_ms)})"
        )
