"""One wearer's taps found in their device's raw acceleration, as gesture events."""

from __future__ import annotations

import logging

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


class RawTapFinder:
    """Feeds a wearer's acceleration batches to a tap detector made for their sensor's rate.

    The taps come out as ordinary tap events, so the gesture classifier treats them exactly
    as a watch's own tap events. A device that changes its rate (a restarted stream with
    other settings) gets a fresh detector.
    """

    def __init__(self, wearer: str, settings: TapDetectorSettings | None = None) -> None:
        self._wearer = wearer
        self._settings = settings
        self._detector: TapDetector | None = None
        self._refused_rate: float | None = None

    def feed(self, batch: AccelBatch) -> list[InputEvent]:
        detector = self._detector_for(batch.rate_hz)
        if detector is None:
            return []
        taps = detector.feed(batch.xyz_g, batch.times)
        return [InputEvent(InputKind.TAP, at) for at in taps.tolist()]

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
        return self._detector
