"""One wearer's taps found in their device's raw acceleration, as gesture events."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from firmware_bridge import AccelBatch
from hub._events import RawTapsOff
from hub._tap_calibrations import TapCalibrations
from signals import (
    HIGHEST_RATE_HZ,
    LOWEST_RATE_HZ,
    SHAPE_VISIBLE_RATE_HZ,
    InputEvent,
    InputKind,
    TapDetector,
    TapDetectorSettings,
)

log = logging.getLogger(__name__)

# Sample times drifting further than this from arrival times are taken afresh from arrival.
RESYNC_S = 0.5
# Closer than that, each batch pulls the count this share of the way towards its arrival,
# so a sensor whose clock runs a little fast or slow is followed without jumps.
FOLLOW = 0.05


class RawTapFinder:
    """Feeds a wearer's acceleration batches to a tap detector made for their sensor's rate.

    The taps come out as ordinary tap events, so the gesture classifier treats them exactly
    as a watch's own tap events. A device that changes its rate (a restarted stream with
    other settings) gets a fresh detector.

    Samples are timed by counting them at the sensor's rate from the first one's arrival:
    batches arrive with the radio's jitter (two frames can land almost together), and
    stamping each from its arrival could make time run backwards between batches. A sensor
    whose clock is a little off is followed gently (``FOLLOW``); when the count is more than
    ``RESYNC_S`` from the arrivals (samples were lost, the stream restarted), it starts again
    from the arrival.

    Below ``lowest_rate_hz`` (50 Hz by default) a 10-20 ms tap falls inside one sample and
    cannot be told from a jolt, so no taps are looked for: a false stop is worse than a
    missed tap, and the device's own button or tap events serve instead. ``notice`` hears
    it once per rate, naming the device and its rate.

    With ``calibrations``, a wearer calibrated on this device (the rehearsal) gets the
    thresholds fitted to their own taps; anyone else the ``settings`` given.
    """

    def __init__(
        self,
        wearer: str,
        settings: TapDetectorSettings | None = None,
        *,
        notice: Callable[[RawTapsOff], None] = lambda _: None,
        lowest_rate_hz: float = SHAPE_VISIBLE_RATE_HZ,
        calibrations: TapCalibrations | None = None,
    ) -> None:
        self._wearer = wearer
        self._settings = settings
        self._notice = notice
        self._calibrations = calibrations
        self._lowest_rate_hz = max(lowest_rate_hz, LOWEST_RATE_HZ)
        self._detector: TapDetector | None = None
        self._refused_rate: float | None = None
        self._next_sample_at: float | None = None

    def recalibrate(self) -> None:
        """The wearer's calibration changed: the next batch gets a detector made with it."""
        self._detector = None

    def feed(self, batch: AccelBatch) -> list[InputEvent]:
        detector = self._detector_for(batch)
        if detector is None:
            return []
        if len(batch.times) == 0:
            return []
        taps = detector.feed(batch.xyz_g, self._sample_times(batch, detector))
        return [InputEvent(InputKind.TAP, at) for at in taps.tolist()]

    def _sample_times(self, batch: AccelBatch, detector: TapDetector) -> npt.NDArray[np.float64]:
        count = len(batch.times)
        arrived = float(batch.times[0])
        start = self._next_sample_at
        if start is not None and arrived < start - RESYNC_S:
            detector.reset()  # time would run backwards: a new stream as far as it knows
        if start is None or abs(arrived - start) > RESYNC_S:
            start = arrived
        else:
            start += FOLLOW * (arrived - start)
        self._next_sample_at = start + count / batch.rate_hz
        times: npt.NDArray[np.float64] = start + np.arange(count) / batch.rate_hz
        return times

    def _detector_for(self, batch: AccelBatch) -> TapDetector | None:
        rate_hz = batch.rate_hz
        if self._detector is not None and self._detector.rate_hz == rate_hz:
            return self._detector
        if not self._lowest_rate_hz <= rate_hz <= HIGHEST_RATE_HZ:
            if self._refused_rate != rate_hz:
                self._refused_rate = rate_hz
                self._refuse(batch)
            self._detector = None
            return None
        settings = self._settings
        if self._calibrations is not None:
            settings = self._calibrations.settings_for(self._wearer, batch.device) or settings
        self._detector = TapDetector(rate_hz, settings=settings)
        self._next_sample_at = None
        return self._detector

    def _refuse(self, batch: AccelBatch) -> None:
        device = batch.device or "sensor"
        if batch.rate_hz < self._lowest_rate_hz:
            why = (
                f"too slow to tell a tap from a jolt (taps are looked for from "
                f"{self._lowest_rate_hz:g} Hz)"
            )
        else:
            why = f"taps are looked for up to {HIGHEST_RATE_HZ:g} Hz only"
        reason = (
            f"{self._wearer}'s {device} streams acceleration at {batch.rate_hz:g} Hz: {why}; "
            "no taps are taken from it, use its button or its own tap events"
        )
        log.warning("%s", reason)
        self._notice(RawTapsOff(self._wearer, device, batch.rate_hz, reason))
