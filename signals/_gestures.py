"""Turns a wearer's discrete gestures into comfort signals, escalating without waiting.

The tap that completes a pattern emits its signal at once; further taps of the same burst
upgrade it. Nothing waits for a window to close, so a "stop" is never delayed by the chance
that more taps might follow. A wearer's level only rises until they resume it themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from signals._events import InputEvent, InputKind
from signals._vocabulary import ComfortSignal, SignalSource


@dataclass(frozen=True, slots=True)
class GestureVocabulary:
    """Which gestures mean what. The defaults are the documented vocabulary."""

    slow_down_taps: int = 2
    pause_taps: int = 3
    stop_taps: int = 4
    # Longest gap between two taps of one pattern. Deliberate taps come 150-500 ms apart;
    # 0.8 s leaves room for a hesitant hand without merging two separate patterns.
    tap_gap_s: float = 0.8
    # A press held this long means stop: a press that long is never accidental.
    long_press_s: float = 1.0
    # Short presses: one gesture means one thing. A burst of exactly ``ack_presses`` says
    # "I noticed" the partner's signal; exactly ``resume_presses`` lifts one's own level. The
    # smaller count is only known once the burst is over (``press_gap_s`` without a press),
    # so the first press of a resume is never taken for an acknowledgement.
    ack_presses: int = 1
    resume_presses: int = 2
    press_gap_s: float = 0.8

    def __post_init__(self) -> None:
        if not 1 <= self.slow_down_taps < self.pause_taps < self.stop_taps:
            raise ValueError(
                "tap counts must rise: slow_down_taps < pause_taps < stop_taps, got "
                f"{self.slow_down_taps}, {self.pause_taps}, {self.stop_taps}"
            )
        for name in ("tap_gap_s", "long_press_s", "press_gap_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if min(self.ack_presses, self.resume_presses) < 1:
            raise ValueError(
                "ack_presses and resume_presses must be at least 1, got "
                f"{self.ack_presses} and {self.resume_presses}"
            )
        if self.ack_presses == self.resume_presses:
            raise ValueError(
                f"ack_presses and resume_presses are both {self.ack_presses}: "
                "one gesture cannot both acknowledge and resume"
            )

    def level_for_taps(self, taps: int) -> ComfortSignal | None:
        """The level a burst of ``taps`` taps asks for, or None below the smallest pattern."""
        if taps >= self.stop_taps:
            return ComfortSignal.STOP
        if taps >= self.pause_taps:
            return ComfortSignal.PAUSE
        if taps >= self.slow_down_taps:
            return ComfortSignal.SLOW_DOWN
        return None


@dataclass(frozen=True, slots=True)
class SignalIntent:
    """The wearer asks to send ``signal``."""

    signal: ComfortSignal
    at: float
    source: SignalSource


@dataclass(frozen=True, slots=True)
class AckIntent:
    """The wearer acknowledges the partner's latest signal."""

    at: float


Intent = SignalIntent | AckIntent


class _Burst:
    """Counts events that follow each other within ``gap_s``."""

    def __init__(self, gap_s: float) -> None:
        self._gap_s = gap_s
        self._last_at: float | None = None
        self.count = 0

    @property
    def last_at(self) -> float | None:
        return self._last_at

    def add(self, at: float, count: int = 1) -> int:
        if self._last_at is None or at - self._last_at > self._gap_s:
            self.count = 0
        self._last_at = at
        self.count += count
        return self.count

    def reset(self) -> None:
        """Ends the burst: the next event starts a new one."""
        self._last_at = None
        self.count = 0


class GestureClassifier:
    """One wearer's gesture classifier. Feed events in time order; act on what comes back."""

    def __init__(
        self,
        vocabulary: GestureVocabulary | None = None,
        *,
        held: ComfortSignal | None = None,
    ) -> None:
        self.vocabulary = vocabulary or GestureVocabulary()
        self._held: ComfortSignal | None = None
        self.hold(held)
        self._taps = _Burst(self.vocabulary.tap_gap_s)
        self._presses = _Burst(self.vocabulary.press_gap_s)
        self._burst_started_at = 0.0

    @property
    def held(self) -> ComfortSignal | None:
        """The level the wearer currently holds, or None when clear."""
        return self._held

    def hold(self, level: ComfortSignal | None) -> None:
        """Adopt a level from elsewhere (restored state, the wearer's page); None clears it."""
        if level is not None and not level.is_level:
            raise ValueError(f"{level} is not a level a wearer can hold")
        self._held = level

    def feed(self, event: InputEvent) -> list[Intent]:
        """Classify one event; returns what the wearer asked for, usually nothing."""
        if event.kind is InputKind.BUTTON:
            return self._feed_button(event)
        taps = self._taps.add(event.at, event.tap_count)
        level = self.vocabulary.level_for_taps(taps)
        return self._raise_to(level, event.at, SignalSource.TAP)

    def _feed_button(self, event: InputEvent) -> list[Intent]:
        if event.held_s >= self.vocabulary.long_press_s:
            self._presses.reset()
            return self._raise_to(ComfortSignal.STOP, event.at, SignalSource.BUTTON)
        intents = self.tick(event.at)  # a burst that ended before this press counts first
        presses = self._presses.add(event.at)
        self._burst_started_at = event.at if presses == 1 else self._burst_started_at
        vocabulary = self.vocabulary
        if presses == max(vocabulary.ack_presses, vocabulary.resume_presses):
            # No longer gesture exists: this one is complete, and presses that follow start
            # a new one.
            self._presses.reset()
            return intents + self._press_gesture(presses, event.at)
        return intents

    def tick(self, at: float) -> list[Intent]:
        """Ends a burst of presses ``press_gap_s`` after its last press: a burst of the smaller
        count (an acknowledgement, by default) is only complete then."""
        last = self._presses.last_at
        if last is None or at - last <= self.vocabulary.press_gap_s:
            return []
        presses = self._presses.count
        self._presses.reset()
        return self._press_gesture(presses, self._burst_started_at)

    def _press_gesture(self, presses: int, at: float) -> list[Intent]:
        if presses == self.vocabulary.ack_presses:
            return [AckIntent(at)]
        if presses == self.vocabulary.resume_presses and self._held is not None:
            self._held = None
            return [SignalIntent(ComfortSignal.RESUME, at, SignalSource.BUTTON)]
        return []

    def _raise_to(
        self, level: ComfortSignal | None, at: float, source: SignalSource
    ) -> list[Intent]:
        current = self._held.severity if self._held is not None else 0
        if level is None or level.severity <= current:
            return []
        self._held = level
        return [SignalIntent(level, at, source)]
