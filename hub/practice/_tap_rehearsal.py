"""A rehearsal's taps as the wearer made them, fitted into their own tap thresholds.

The drill only sees the taps the detector already found, so the soft taps the defaults miss
would never reach calibration. This keeps the rehearsing wearer's raw acceleration with the
windows in which they were asked for taps; at the end it finds their taps in it
(:func:`signals.taps_asked_within`), measures them (:func:`signals.measure_taps`), fits the
thresholds within ``signals.SAFE_BOUNDS`` (:func:`signals.calibrate`) and keeps them per
wearer and device (:class:`TapCalibrations`). Every outcome says in one line what changed,
or why nothing did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from firmware_bridge import AccelBatch
from hub._tap_calibrations import CALIBRATED, CalibrationFileError, TapCalibrations
from hub.practice._gestures import Gesture, GestureKind
from signals import (
    HIGHEST_RATE_HZ,
    MIN_TAPS,
    SAFE_BOUNDS,
    SHAPE_VISIBLE_RATE_HZ,
    TapDetectorSettings,
    calibrate,
    measure_taps,
    taps_asked_within,
)

# Once a tap is found near its prompt, it is measured right there: its neighbours in the
# pattern are a quarter second away and must not be measured in its place.
MEASURE_SEARCH_S = 0.05
# What each calibrated setting means, for the page.
SETTING_WORDS = {
    "min_area_gms": "strength a tap needs to start a pattern (g·ms)",
    "pattern_min_area_gms": "strength a tap needs to go on with a pattern (g·ms)",
    "pattern_gap_s": "longest pause between taps of one pattern (s)",
    "core_s": "width of a tap (s)",
}


@dataclass(frozen=True, slots=True)
class SettingChange:
    name: str
    before: float
    after: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class CalibrationOutcome:
    """What a rehearsal (or a reset) did to one wearer's tap thresholds, and why."""

    wearer: str
    device: str
    calibrated: bool
    summary: str
    taps: int = 0
    changes: tuple[SettingChange, ...] = ()
    at: datetime | None = None

    def view(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "calibrated": self.calibrated,
            "summary": self.summary,
            "taps": self.taps,
            "at": None if self.at is None else self.at.isoformat(),
            "changes": [
                {
                    "setting": c.name,
                    "means": SETTING_WORDS.get(c.name, c.name),
                    "before": c.before,
                    "after": c.after,
                    "bounds": [c.low, c.high],
                }
                for c in self.changes
            ],
        }


class TapRehearsal:
    """One wearer's raw acceleration during their rehearsal, and the tap steps' windows."""

    def __init__(self, wearer: str, lowest_rate_hz: float = SHAPE_VISIBLE_RATE_HZ) -> None:
        self.wearer = wearer
        self._lowest_rate_hz = lowest_rate_hz
        self._batches: list[AccelBatch] = []
        self._windows: list[tuple[float, float, int]] = []

    def feed(self, batch: AccelBatch) -> None:
        if len(batch.times):
            self._batches.append(batch)

    def asked(self, start: float, end: float, count: int) -> None:
        """The wearer was asked for ``count`` taps from ``start`` to ``end`` (hub clock)."""
        self._windows.append((start, end, count))

    def finish(self, store: TapCalibrations | None) -> CalibrationOutcome:
        if not self._windows:
            return self._unchanged("", "no tap step was performed")
        if not self._batches:
            return self._unchanged(
                "",
                "this device finds taps by itself and sends only the taps it found, so the hub "
                "cannot measure them: its own tap engine is used as it is",
            )
        last = self._batches[-1]
        device, rate_hz = last.device or "sensor", last.rate_hz
        if not self._lowest_rate_hz <= rate_hz <= HIGHEST_RATE_HZ:
            return self._unchanged(
                device,
                f"its acceleration comes at {rate_hz:g} Hz, where the hub takes no taps from it "
                f"(taps are looked for from {self._lowest_rate_hz:g} to {HIGHEST_RATE_HZ:g} Hz)",
            )
        if store is None:
            return self._unchanged(device, "this hub has no data directory to keep it in")
        batches = [b for b in self._batches if b.rate_hz == rate_hz and b.device == last.device]
        samples = np.concatenate([b.xyz_g for b in batches])
        # Counted at the sensor's rate from the first sample, as the detector times them.
        origin = float(batches[0].times[0])
        windows = [(start - origin, end - origin, count) for start, end, count in self._windows]
        prompts = taps_asked_within(samples, rate_hz, windows)
        taps = measure_taps(samples, rate_hz, prompts, search_s=MEASURE_SEARCH_S)
        if len(taps) < MIN_TAPS:
            return self._unchanged(
                device,
                f"only {len(taps)} taps could be measured and at least {MIN_TAPS} are needed: "
                "rehearse again with every tap step",
            )
        try:
            before = store.settings_for(self.wearer, device) or TapDetectorSettings()
        except CalibrationFileError:
            before = TapDetectorSettings()  # unusable, so the defaults were in effect
        fitted = calibrate(taps)
        record = store.save(self.wearer, device, fitted, taps=len(taps))
        changes = tuple(
            SettingChange(name, getattr(before, name), getattr(fitted, name), *_bounds(name))
            for name in CALIBRATED
            if getattr(before, name) != getattr(fitted, name)
        )
        if changes:
            summary = f"fitted to {len(taps)} of your taps on your {device}, within the safe bounds"
        elif fitted == TapDetectorSettings():
            summary = (
                f"your {len(taps)} taps are clear to the default thresholds: "
                "nothing needed changing"
            )
        else:
            summary = f"your {len(taps)} taps confirm your earlier calibration: nothing changed"
        return CalibrationOutcome(
            self.wearer, device, True, summary, len(taps), changes, record.calibrated_at
        )

    def _unchanged(self, device: str, why: str) -> CalibrationOutcome:
        return CalibrationOutcome(self.wearer, device, False, f"not calibrated: {why}")


def _bounds(name: str) -> tuple[float, float]:
    low, high = getattr(SAFE_BOUNDS, name)
    return float(low), float(high)


class WearerCalibrations:
    """Practice's side of tap calibration: the rehearsal being recorded, and each wearer's
    last outcome (a rehearsal's, or a reset's) for their page."""

    def __init__(self, store: TapCalibrations | None, recalibrate: Callable[[str], None]) -> None:
        self._store = store
        self._recalibrate = recalibrate
        self._recording: TapRehearsal | None = None
        self._step_since: float | None = None
        self._outcomes: dict[str, CalibrationOutcome] = {}

    def start(self, wearer: str, now: float) -> None:
        self._recording, self._step_since = TapRehearsal(wearer), now

    def acceleration(self, wearer: str, batch: AccelBatch) -> None:
        if self._recording is not None and self._recording.wearer == wearer:
            self._recording.feed(batch)

    def performed(self, gesture: Gesture, now: float) -> None:
        """The step asking for ``gesture`` is over for the wearer (judged, or recognised)."""
        if self._recording is None or self._step_since is None:
            return
        if gesture.kind is GestureKind.TAPS:
            self._recording.asked(self._step_since, now, gesture.count)
        self._step_since = None

    def next_step(self, now: float) -> None:
        self._step_since = now

    def finish(self) -> CalibrationOutcome | None:
        """Fits, keeps and applies what the rehearsal recorded (nothing when none ran)."""
        recording, self._recording, self._step_since = self._recording, None, None
        if recording is None:
            return None
        outcome = recording.finish(self._store)
        self._outcomes[recording.wearer] = outcome
        if outcome.calibrated:
            self._recalibrate(recording.wearer)
        return outcome

    def abandon(self) -> None:
        """Drops what the rehearsal recorded: nothing is fitted or changed."""
        self._recording, self._step_since = None, None

    def reset(self, wearer: str) -> CalibrationOutcome:
        """Back to the default thresholds on every device of ``wearer``, at once."""
        devices = self._store.devices_of(wearer) if self._store is not None else []
        for device in devices:
            assert self._store is not None
            self._store.forget(wearer, device)
        self._recalibrate(wearer)
        why = "reset: the default tap thresholds apply again" if devices else "nothing to reset"
        outcome = CalibrationOutcome(wearer, ", ".join(devices), False, why)
        self._outcomes[wearer] = outcome
        return outcome

    def view(self, wearer: str) -> dict[str, Any] | None:
        if wearer in self._outcomes:
            return self._outcomes[wearer].view()
        return self._kept(wearer)

    def _kept(self, wearer: str) -> dict[str, Any] | None:
        """A calibration kept from an earlier run of the hub, as the page shows it."""
        if self._store is None:
            return None
        for device in self._store.devices_of(wearer):
            try:
                record = self._store.load(wearer, device)
            except CalibrationFileError as error:
                return _unusable(wearer, device, str(error)).view()
            if record is None:
                continue
            defaults = TapDetectorSettings()
            changes = tuple(
                SettingChange(
                    name, getattr(defaults, name), getattr(record.settings, name), *_bounds(name)
                )
                for name in CALIBRATED
                if getattr(defaults, name) != getattr(record.settings, name)
            )
            summary = (
                f"fitted to {record.taps} of your taps on your {device}, within the safe bounds"
            )
            return CalibrationOutcome(
                wearer, device, True, summary, record.taps, changes, record.calibrated_at
            ).view()
        return None


def _unusable(wearer: str, device: str, why: str) -> CalibrationOutcome:
    return CalibrationOutcome(wearer, device, False, f"not used, the defaults apply: {why}")
