"""The comfort signal vocabulary shared by every part of comfort-hub."""

from __future__ import annotations

from enum import StrEnum


class ComfortSignal(StrEnum):
    """What one partner tells the other without words.

    ``slow_down``, ``pause`` and ``stop`` are levels with a severity that only rises until the
    signaller lifts it with ``resume``. ``check_in`` is an advisory (from heart rate) and never
    a level: it asks the partner to check in, it does not hold anything.
    """

    SLOW_DOWN = "slow_down"
    PAUSE = "pause"
    STOP = "stop"
    RESUME = "resume"
    CHECK_IN = "check_in"

    @property
    def severity(self) -> int:
        """0 for signals that are not levels, then 1 (slow_down) < 2 (pause) < 3 (stop)."""
        return _SEVERITY.get(self, 0)

    @property
    def is_level(self) -> bool:
        """True for the signals that hold until the signaller resumes."""
        return self.severity > 0


_SEVERITY = {ComfortSignal.SLOW_DOWN: 1, ComfortSignal.PAUSE: 2, ComfortSignal.STOP: 3}


class SignalSource(StrEnum):
    """Where a signal came from, as published in the MQTT payload's ``source`` field."""

    TAP = "tap"
    BUTTON = "button"
    HEART = "heart"
    LINK = "link"
    MANUAL = "manual"
    # A gesture practised in a rehearsal: shown and felt, never a real signal, never a level.
    REHEARSAL = "rehearsal"
