"""The way out of a rehearsal: which of the rehearsing wearer's gestures are real after all.

While a wearer rehearses, their gestures are practice. A real signal still has to get
through, so two gestures cut through (read exactly as the hub reads signals: taps joined up
to ``tap_gap_s`` apart, a press held ``long_press_s`` is a stop):

- a gesture asking for **more than the step rehearses** (three taps or a held button while
  two taps for slow down are rehearsed; any level while a press is rehearsed) is real;
- in a step that rehearses a stop, the **second stop** (four taps again, or the button held)
  is real: the first is the practice the step asked for.

A rehearsal done as the page asks never makes either, so it never sends a real signal.
Pure and clock-free: events in, the events to hand on as real signals out.
"""

from __future__ import annotations

from collections.abc import Sequence

from hub.practice._gestures import Gesture
from signals import ComfortSignal, GestureVocabulary, InputEvent, InputKind


def way_out_words(step: Gesture | None, gestures: Sequence[Gesture]) -> str:
    """What the rehearsal page says about getting out of ``step`` with a real signal, in the
    words of the wearer's own stop gestures."""
    stops = ", or ".join(g.words for g in gestures if g.signal is ComfortSignal.STOP)
    if not stops:
        return "Your device has no stop gesture: say stop, or end the rehearsal here"
    if step is not None and step.signal is ComfortSignal.STOP:
        return (
            f"To stop for real now, make a stop again ({stops}): the second stop in this "
            "step is real, and ends the rehearsal"
        )
    return (
        f"To stop for real with your wrist, make your stop ({stops}): anything stronger "
        "than this step asks for is a real signal, and ends the rehearsal"
    )


class WayOut:
    """Watches one rehearsing wearer's gestures, step by step, for a real signal."""

    def __init__(self, vocabulary: GestureVocabulary) -> None:
        self._vocabulary = vocabulary
        self._burst: list[InputEvent] = []
        self._burst_taps = 0
        self._burst_level: ComfortSignal | None = None
        self._stops = 0

    def next_step(self) -> None:
        """A new step begins: its first stop is practice again."""
        self._stops = 0

    def feed(self, event: InputEvent, step: Gesture) -> tuple[InputEvent, ...]:
        """The events that make a real signal, ending with ``event``; empty while practice.

        A tap burst is handed on whole, so the signal is read from all of its taps."""
        if event.kind is InputKind.BUTTON:
            if event.held_s < self._vocabulary.long_press_s:
                return ()  # short presses lift or acknowledge: never stronger than a level
            return (event,) if self._is_real(ComfortSignal.STOP, step) else ()
        if self._burst and event.at - self._burst[-1].at > self._vocabulary.tap_gap_s:
            self._burst, self._burst_taps, self._burst_level = [], 0, None
        self._burst.append(event)
        self._burst_taps += event.tap_count
        level = self._vocabulary.level_for_taps(self._burst_taps)
        if level is None or level is self._burst_level:
            return ()  # nothing new: more taps of a burst already judged
        self._burst_level = level
        return tuple(self._burst) if self._is_real(level, step) else ()

    def _is_real(self, level: ComfortSignal, step: Gesture) -> bool:
        rehearsed = step.signal.severity if step.signal is not None else 0
        if level.severity > rehearsed:
            return True
        if level is ComfortSignal.STOP and step.signal is ComfortSignal.STOP:
            self._stops += 1
            return self._stops > 1
        return False
