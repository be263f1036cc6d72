"""One wearer's taps found in their device's raw acceleration, as gesture events."""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from firmware_bridge import AccelBatch
from signals import (
    HIGHEST_RATE_HZ,
    LOWEST_RATE_HZ,
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
    """

    def __init__(self, wearer: str, settings: TapDetectorSettings | None = None) -> None:
        self._wearer = wearer
        self._settings = settings
        self._detector: TapDetector | None = None
        self._refused_rate: float | None = None
        self._next_sample_at: float | None = None

    def feed(self, batch: AccelBatch) -> list[InputEvent]:
        detector = self._detector_for(batch.rate_hz)
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

    def _detector_for(self, rate_hz: float) -> TapDetector | None:
        if self._detector is not None and self._detector.rate_hz == rate_hz:
            return self._detector
        if not LOWEST_RATE_HZ <= rate_hz <= HIGHEST_RATE_HZ:
            if self._refused_rate != rate_hz:
                self._refused_rate = rate_hz
                log.warning(
                    "%s's sensor streams at %g Hz; taps are looked for from %g to %g Hz only",
                    self._wearer,
                    rate_hz,
                    LOWEST_RATE_HZ,
                    HIGHEST_RATE_HZ,
                )
            self._detector = None
            return None
        self._detector = TapDetector(rate_hz, settings=self._settings)
        self._next_sample_at = None
        return self._detector
