"""Heart rate as the store keeps it: one value per second per wearer, and RMSSD windows."""

from __future__ import annotations

from dataclasses import dataclass, field

from signals import clean_rr, rr_statistics

# RMSSD over half-minute windows: long enough for a stable figure, short enough to see a
# change around a signal.
RMSSD_WINDOW_S = 30.0


@dataclass(frozen=True, slots=True)
class HeartSecond:
    at: float
    bpm: float


@dataclass(frozen=True, slots=True)
class RmssdWindow:
    at: float
    window_s: float
    rmssd_ms: float


@dataclass
class HeartSampler:
    """Turns a wearer's readings (often several a second) into what is stored."""

    _second: int | None = None
    _rr: list[float] = field(default_factory=list)
    _window_start: float | None = None

    def feed(
        self, at: float, bpm: float, rr_ms: tuple[float, ...]
    ) -> list[HeartSecond | RmssdWindow]:
        out: list[HeartSecond | RmssdWindow] = []
        second = int(at)
        if second != self._second and bpm > 0:
            self._second = second
            out.append(HeartSecond(at, float(bpm)))
        if self._window_start is None:
            self._window_start = at
        self._rr.extend(rr_ms)
        if at - self._window_start >= RMSSD_WINDOW_S:
            if len(self._rr) >= 3:
                statistics = rr_statistics(self._rr, clean_rr(self._rr))
                if statistics is not None and statistics.rmssd_ms is not None:
                    out.append(RmssdWindow(at, at - self._window_start, statistics.rmssd_ms))
            self._rr = []
            self._window_start = at
        return out
