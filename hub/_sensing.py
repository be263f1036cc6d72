"""One local wearer's sensors, read for the rules: taps found in raw acceleration, the heart
monitor's check-in advisories and its contact rule (the one contact rule of the hub)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from firmware_bridge import AccelBatch, DeviceEvent, HeartReading, LinkState
from hub._events import HeartRate, HubEvent, RawTapsOff
from hub._raw_taps import RawTapFinder
from hub.rules import CheckIn, ContactChanged, Gesture, Input, SessionSettings
from signals import (
    CheckInAdvisory,
    ContactLost,
    ContactRestored,
    HeartEvent,
    HeartMonitorSettings,
    HeartRateMonitor,
    InputEvent,
    MotionMeter,
)


class WearerSensors:
    def __init__(
        self,
        wearer: str,
        settings: SessionSettings,
        notice: Callable[[RawTapsOff], None] = lambda _: None,
    ) -> None:
        self.wearer = wearer
        self._settings = settings
        self._notice = notice
        self._raw_taps: RawTapFinder | None = None
        self._heart: HeartRateMonitor | None = None
        self._motion = MotionMeter()

    def read(self, event: DeviceEvent, now: float) -> tuple[list[Input], list[HubEvent]]:
        """What one device event means for the rules, and what to record of it."""
        if isinstance(event, InputEvent):
            return [Gesture(self.wearer, event, now)], []
        if isinstance(event, AccelBatch):
            if self._raw_taps is None:
                self._raw_taps = RawTapFinder(
                    self.wearer,
                    self._settings.taps,
                    notice=self._notice,
                    calibrations=self._settings.tap_calibrations,
                )
            taps: list[Input] = [Gesture(self.wearer, t, now) for t in self._raw_taps.feed(event)]
            if len(event.times):
                spread = self._motion.feed(event.times, event.xyz_g)
                self._monitor().note_motion(float(event.times[-1]), spread)
            return taps, []
        if isinstance(event, HeartReading):
            found = self._monitor().feed(event.at, event.bpm, event.rr_ms, event.contact)
            return self._inputs(found, now), [HeartRate(self.wearer, event)]
        return [], []

    def recalibrate(self) -> None:
        """Takes up the wearer's new tap calibration (or its reset) from the next batch."""
        if self._raw_taps is not None:
            self._raw_taps.recalibrate()

    def link(self, state: LinkState, now: float) -> None:
        """The wearable's link changed: the heart monitor judges no contact while it is down,
        and counts a silent sensor from its return (readings could not come meanwhile)."""
        if self._heart is None:
            return
        if state in (LinkState.LOST, LinkState.STALE):
            self._heart.radio_lost()
        else:
            self._heart.radio_back(now)

    def tick(self, now: float) -> list[Input]:
        """A sensor silent or off the skin for too long is noticed by the clock too."""
        return self._inputs(self._heart.tick(now), now) if self._heart is not None else []

    def _monitor(self) -> HeartRateMonitor:
        if self._heart is None:
            settings = self._settings.heart or HeartMonitorSettings()
            self._heart = HeartRateMonitor(
                dataclasses.replace(settings, contact_timeout_s=self._settings.contact_timeout_s)
            )
        return self._heart

    def _inputs(self, found: list[HeartEvent], now: float) -> list[Input]:
        inputs: list[Input] = []
        for finding in found:
            if isinstance(finding, CheckInAdvisory):
                # Context, never a decision: heart rate can only ask to check in.
                inputs.append(CheckIn(self.wearer, finding, now))
            elif isinstance(finding, ContactLost | ContactRestored):
                inputs.append(
                    ContactChanged(self.wearer, isinstance(finding, ContactRestored), now)
                )
        return inputs
