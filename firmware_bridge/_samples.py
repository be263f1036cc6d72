"""Typed samples a driver produces, stamped with the hub's monotonic clock on arrival."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from signals import InputEvent


@dataclass(frozen=True, slots=True)
class HeartReading:
    """One heart-rate report. ``contact`` is None when the device does not say."""

    at: float
    bpm: int
    rr_ms: tuple[float, ...] = ()
    contact: bool | None = None
    confidence: int | None = None


@dataclass(frozen=True, slots=True)
class AccelBatch:
    """Raw acceleration in g: ``xyz_g`` is (n, 3), ``times`` (n,) seconds on the hub's clock."""

    times: npt.NDArray[np.float64]
    xyz_g: npt.NDArray[np.float64]
    rate_hz: float
    sensor_ns: tuple[int, ...] = field(default=())
    # The device family that sent it ("Polar H10"), for messages about its stream.
    device: str = ""


DeviceEvent = InputEvent | HeartReading | AccelBatch
