"""One wearer's heart rate in context: a rolling baseline, beat-to-beat variability, skin
contact, and a ``check_in`` advisory when the heart races while the body is still.

Heart rate is context, never a decision: the only signal this module can produce is
``check_in`` (the partner is asked to check in), and there is no way for it to pause or stop
anything. A racing heart during vigorous movement is expected and says nothing; the same
heart rate while lying still can mean fear or distress, which is worth a gentle question.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from signals._rr import RrCleaning, clean_rr, rr_statistics
from signals._vocabulary import ComfortSignal, SignalSource


@dataclass(frozen=True, slots=True)
class HeartMonitorSettings:
    """How the monitor judges. Times in seconds on the clock readings are stamped with."""

    # Window for mean heart rate, mean NN and RMSSD (the timeline's figures).
    window_s: float = 60.0
    # The "current" heart rate the surge check compares with the baseline.
    surge_window_s: float = 30.0
    # The baseline: median heart rate over this long before the current window...
    baseline_s: float = 300.0
    # ...once at least this much before the current window has been heard (until then there
    # is no baseline and no advisory).
    warmup_s: float = 120.0
    # A surge: at least this many times the baseline AND this many bpm above it.
    surge_ratio: float = 1.3
    surge_bpm: float = 25.0
    # The body moves when acceleration spreads more than this (g) ...
    moving_spread_g: float = 0.05
    # ... and is still after this long without moving (motion reports must keep coming).
    still_for_s: float = 15.0
    # At most one advisory this often, and only after heart rate came back below a surge.
    advisory_interval_s: float = 300.0
    # No skin contact (or no reading at all) for this long means contact is lost.
    contact_timeout_s: float = 10.0
    rr: RrCleaning = field(default_factory=RrCleaning)

    def __post_init__(self) -> None:
        for name in (
            "window_s",
            "surge_window_s",
            "baseline_s",
            "warmup_s",
            "surge_bpm",
            "moving_spread_g",
            "still_for_s",
            "advisory_interval_s",
            "contact_timeout_s",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.surge_ratio <= 1:
            raise ValueError(f"surge_ratio must be above 1, got {self.surge_ratio}")


@dataclass(frozen=True, slots=True)
class CheckInAdvisory:
    """The heart races well above its baseline while the body is still: ask to check in."""

    at: float
    bpm: float
    baseline_bpm: float

    @property
    def signal(self) -> ComfortSignal:
        # The one signal heart rate may produce: never a pause or a stop.
        return ComfortSignal.CHECK_IN

    @property
    def source(self) -> SignalSource:
        return SignalSource.HEART


@dataclass(frozen=True, slots=True)
class ContactLost:
    """The sensor has not been on the skin (or not been heard) since ``since``."""

    at: float
    since: float
    reason: str


@dataclass(frozen=True, slots=True)
class ContactRestored:
    at: float


HeartEvent = CheckInAdvisory | ContactLost | ContactRestored


@dataclass(frozen=True, slots=True)
class HeartWindow:
    """The figures over the last ``window_s``, for the comfort timeline."""

    at: float
    mean_hr_bpm: float
    mean_nn_ms: float | None
    rmssd_ms: float | None
    beats_accepted: int
    beats_rejected: int
    baseline_bpm: float | None


class HeartRateMonitor:
    """One wearer's monitor. Feed readings (and motion, if the device measures it) in time
    order, and call :meth:`tick` now and then so silence is noticed too."""

    def __init__(self, settings: HeartMonitorSettings | None = None) -> None:
        self.settings = settings or HeartMonitorSettings()
        self._readings: deque[tuple[float, float]] = deque()  # (at, bpm) on the skin
        self._beats: deque[tuple[float, float]] = deque()  # (at, rr_ms)
        self._first_reading_at: float | None = None
        self._last_reading_at: float | None = None
        self._off_skin_since: float | None = None
        self._contact_lost = False
        # While the wearable's radio is down no reading can come, so silence says nothing of
        # the skin (the link's own hold tells the partner meanwhile); once it is back,
        # silence is counted from its return, not from the last reading before the drop.
        self._radio_down = False
        self._radio_back_at: float | None = None
        self._motion_heard_at: float | None = None
        self._moved_at: float | None = None
        self._armed = True
        self._last_advisory_at: float | None = None

    # -- input ----------------------------------------------------------------------------

    def feed(
        self,
        at: float,
        bpm: float | None,
        rr_ms: Sequence[float] = (),
        contact: bool | None = None,
    ) -> list[HeartEvent]:
        """One reading: ``contact`` False means the sensor says it is off the skin."""
        events: list[HeartEvent] = []
        self._last_reading_at = at
        if contact is False:
            if self._off_skin_since is None:
                self._off_skin_since = at
            events += self._check_contact(at)
            return events  # off the skin, the numbers mean nothing
        self._off_skin_since = None
        if self._contact_lost:
            self._contact_lost = False
            events.append(ContactRestored(at))
        if self._first_reading_at is None:
            self._first_reading_at = at
        if bpm is not None and bpm > 0:
            self._readings.append((at, float(bpm)))
        if len(rr_ms):
            # The last interval ends at this reading; each earlier one, the following sooner.
            rr = np.asarray(rr_ms, dtype=np.float64)
            following_ms = np.concatenate([np.cumsum(rr[::-1])[::-1][1:], [0.0]])
            ends = at - following_ms / 1000.0
            self._beats.extend(zip(ends.tolist(), rr.tolist(), strict=True))
        self._forget(at)
        events += self._check_surge(at)
        return events

    def note_motion(self, at: float, spread_g: float) -> None:
        """How much the body moved around ``at`` (e.g. :func:`motion_spread` of a batch)."""
        self._motion_heard_at = at
        if spread_g > self.settings.moving_spread_g:
            self._moved_at = at

    def radio_lost(self) -> None:
        """The wearable's radio link dropped (or it went silent): no contact is judged until
        :meth:`radio_back`."""
        self._radio_down = True

    def radio_back(self, at: float) -> None:
        """The wearable's radio link is back at ``at``: a sensor still silent
        ``contact_timeout_s`` after this is lost, not one whose last reading is just old."""
        self._radio_down = False
        self._radio_back_at = at

    def tick(self, at: float) -> list[HeartEvent]:
        """Notices a sensor that went silent or stayed off the skin."""
        return self._check_contact(at)

    # -- looking in -----------------------------------------------------------------------

    @property
    def baseline_bpm(self) -> float | None:
        """The resting heart rate so far, once ``warmup_s`` has been heard; else None."""
        if self._last_reading_at is None:
            return None
        return self._baseline(self._last_reading_at)

    @property
    def current(self) -> HeartWindow | None:
        """Mean HR, mean NN and RMSSD over the last ``window_s``; None before any reading."""
        if self._last_reading_at is None:
            return None
        at = self._last_reading_at
        since = at - self.settings.window_s
        rr = np.array([r for t, r in self._beats if t > since], dtype=np.float64)
        statistics = rr_statistics(rr, clean_rr(rr, self.settings.rr)) if len(rr) else None
        if statistics is not None:
            mean_hr = statistics.mean_hr_bpm
        else:
            recent = [bpm for t, bpm in self._readings if t > since]
            if not recent:
                return None
            mean_hr = float(np.mean(recent))
        return HeartWindow(
            at=at,
            mean_hr_bpm=mean_hr,
            mean_nn_ms=statistics.mean_nn_ms if statistics else None,
            rmssd_ms=statistics.rmssd_ms if statistics else None,
            beats_accepted=statistics.accepted if statistics else 0,
            beats_rejected=statistics.rejected if statistics else len(rr),
            baseline_bpm=self._baseline(at),
        )

    # -- rules ----------------------------------------------------------------------------

    def _check_contact(self, at: float) -> list[HeartEvent]:
        if self._contact_lost or self._radio_down:
            return []
        timeout = self.settings.contact_timeout_s
        if self._off_skin_since is not None and at - self._off_skin_since >= timeout:
            self._contact_lost = True
            return [ContactLost(at, self._off_skin_since, "the sensor is off the skin")]
        last = self._last_reading_at
        if last is not None and self._radio_back_at is not None:
            last = max(last, self._radio_back_at)
        if last is not None and at - last >= timeout:
            self._contact_lost = True
            return [ContactLost(at, last, "no reading from the sensor")]
        return []

    def _check_surge(self, at: float) -> list[HeartEvent]:
        settings = self.settings
        baseline = self._baseline(at)
        recent = [bpm for t, bpm in self._readings if t > at - settings.surge_window_s]
        if baseline is None or len(recent) < 3:
            return []
        current = float(np.mean(recent))
        threshold = max(baseline * settings.surge_ratio, baseline + settings.surge_bpm)
        if current < threshold:
            self._armed = True
            return []
        if not self._armed or not self._still(at):
            return []
        last = self._last_advisory_at
        if last is not None and at - last < settings.advisory_interval_s:
            return []
        self._armed = False
        self._last_advisory_at = at
        return [CheckInAdvisory(at, round(current, 1), round(baseline, 1))]

    def _baseline(self, at: float) -> float | None:
        settings = self.settings
        first = self._first_reading_at
        # The current window is left out, so a surge does not lift its own yardstick, and
        # what is left must cover the warm-up.
        until = at - settings.surge_window_s
        if first is None or until - first < settings.warmup_s:
            return None
        earlier = [bpm for t, bpm in self._readings if t <= until]
        return float(np.median(earlier)) if earlier else None

    def _still(self, at: float) -> bool:
        """Known to be still: motion reports are coming, and none moved lately."""
        heard = self._motion_heard_at
        if heard is None or at - heard > self.settings.still_for_s:
            return False
        return self._moved_at is None or at - self._moved_at >= self.settings.still_for_s

    def _forget(self, at: float) -> None:
        settings = self.settings
        keep_readings = at - settings.baseline_s - settings.surge_window_s
        while self._readings and self._readings[0][0] < keep_readings:
            self._readings.popleft()
        keep_beats = at - settings.window_s
        while self._beats and self._beats[0][0] <= keep_beats:
            self._beats.popleft()
