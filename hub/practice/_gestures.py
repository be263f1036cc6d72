"""The gestures a wearer's own device offers, in words, with what each one means.

Read from the device's capabilities and the pair's :class:`GestureVocabulary`, so the agreement
and the rehearsal show exactly what the hub will recognise on that wrist, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from firmware_bridge import Capability
from signals import CONFIRMATION, ComfortSignal, GestureVocabulary, HapticPattern, pattern_for


class GestureKind(StrEnum):
    TAPS = "taps"
    HOLD = "hold"
    PRESSES = "presses"


@dataclass(frozen=True, slots=True)
class Gesture:
    kind: GestureKind
    count: int
    words: str
    meaning: str
    # The signal the gesture sends; None for "I noticed", which acknowledges instead.
    signal: ComfortSignal | None

    @property
    def felt_by_partner(self) -> HapticPattern:
        """What the partner feels for it: the signal's pattern, or the short confirmation."""
        return pattern_for(self.signal) if self.signal is not None else CONFIRMATION

    def describe(self) -> str:
        return f"{self.words}: {self.meaning}"


def _number(count: int, thing: str) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    plural = {"tap": "taps", "press": "presses"}[thing]
    return f"{words.get(count, str(count))} {thing if count == 1 else plural}"


def gestures_for(
    capabilities: Iterable[Capability], vocabulary: GestureVocabulary | None = None
) -> tuple[Gesture, ...]:
    """The gestures a device with ``capabilities`` can make; empty when it has none
    (then the page's buttons are that wearer's only way to signal)."""
    vocab = vocabulary or GestureVocabulary()
    can = set(capabilities)
    found: list[Gesture] = []
    if can & {Capability.TAPS, Capability.RAW_ACCEL}:
        found += [
            Gesture(
                GestureKind.TAPS,
                vocab.slow_down_taps,
                _number(vocab.slow_down_taps, "tap"),
                "slow down",
                ComfortSignal.SLOW_DOWN,
            ),
            Gesture(
                GestureKind.TAPS,
                vocab.pause_taps,
                _number(vocab.pause_taps, "tap"),
                "pause",
                ComfortSignal.PAUSE,
            ),
            Gesture(
                GestureKind.TAPS,
                vocab.stop_taps,
                f"{_number(vocab.stop_taps, 'tap')} or more",
                "stop",
                ComfortSignal.STOP,
            ),
        ]
    if Capability.BUTTONS in can:
        found += [
            Gesture(
                GestureKind.HOLD,
                1,
                f"holding the button for {vocab.long_press_s:g} s",
                "stop",
                ComfortSignal.STOP,
            ),
            Gesture(GestureKind.PRESSES, 1, _number(1, "press"), "I noticed", None),
            Gesture(
                GestureKind.PRESSES,
                vocab.resume_presses,
                _number(vocab.resume_presses, "press"),
                "resume (lift my own signal)",
                ComfortSignal.RESUME,
            ),
        ]
    return tuple(found)
