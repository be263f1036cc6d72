"""The settings of one pair's session: the rules' timings, the gesture vocabulary, and what
the sensors count as taps and as a racing heart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from signals import GestureVocabulary, HeartMonitorSettings, TapDetectorSettings

if TYPE_CHECKING:  # read and written by the shell; the rules never touch it
    from hub._tap_calibrations import TapCalibrations


@dataclass(frozen=True, slots=True)
class SessionSettings:
    # How often an unacknowledged pause or stop is played again (and sounded).
    realert_interval_s: float = 5.0
    # How long a heart-rate sensor may be off the skin (or silent) before the partner is
    # told to pause: long enough to ride out a strap shifting, short enough to matter. This
    # is the heart monitor's one contact rule; it overrides ``heart.contact_timeout_s``.
    contact_timeout_s: float = 10.0
    vocabulary: GestureVocabulary | None = None
    # What counts as a tap in raw acceleration (devices without their own tap events).
    taps: TapDetectorSettings | None = None
    # Each wearer's own tap thresholds per device, fitted in a rehearsal (if kept).
    tap_calibrations: TapCalibrations | None = None
    # When a racing heart asks the partner to check in.
    heart: HeartMonitorSettings | None = None

    def __post_init__(self) -> None:
        for name in ("realert_interval_s", "contact_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
