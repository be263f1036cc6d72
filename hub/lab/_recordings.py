"""The real recordings shipped with the hub: everyday wrist motion, and an hour of heartbeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# A pause in a recording longer than this splits it into separate stretches.
_MAX_GAP_S = 1.0


@dataclass(frozen=True, slots=True)
class MotionRecording:
    """One contiguous stretch of real motion in g, sampled at ``rate_hz``."""

    name: str
    rate_hz: float
    samples_g: FloatArray

    @property
    def duration_s(self) -> float:
        return len(self.samples_g) / self.rate_hz


def real_motion() -> list[MotionRecording]:
    """Every stretch of the shipped recordings, at its own rate."""
    return [*_garmin(), _empatica()]


def normal_beats_ms() -> FloatArray:
    """One hour of normal-to-normal beat intervals in ms (pyhrv's MIT-BIH NSR sample)."""
    with resources.files("hub.corpus").joinpath("pyhrv-nn.npy").open("rb") as file:
        beats: FloatArray = np.load(file).astype(np.float64)
    return beats


def _read(name: str) -> list[str]:
    return resources.files("hub.corpus").joinpath(name).read_text().splitlines()


def _garmin() -> list[MotionRecording]:
    rows = [line.split(";") for line in _read("garmin-acc.csv") if line.strip()]
    times = np.array([datetime.fromisoformat(row[0]).timestamp() for row in rows])
    samples = np.array([[float(value) for value in row[1:4]] for row in rows]) / 1000.0
    cuts = np.flatnonzero(np.diff(times) > _MAX_GAP_S) + 1
    stretches = np.split(samples, cuts)
    return [
        MotionRecording(f"garmin-acc.csv#{number}", 25.0, stretch)
        for number, stretch in enumerate(stretches, start=1)
    ]


def _empatica() -> MotionRecording:
    lines = _read("empatica-acc.csv")
    rate = float(lines[1].split(",")[0])
    samples = np.array([[float(v) for v in line.split(",")] for line in lines[2:] if line.strip()])
    return MotionRecording("empatica-acc.csv", rate, samples / 64.0)
