"""Discrete input events a wearer makes, whatever device they came from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class InputKind(StrEnum):
    """The gestures the classifier understands."""

    TAP = "tap"
    DOUBLE_TAP = "double_tap"
    BUTTON = "button"


@dataclass(frozen=True, slots=True)
class InputEvent:
    """One gesture at ``at`` seconds (any monotonic clock, the same one for a wearer's stream).

    ``held_s`` is how long a button was held; a device that only reports "long" sets it to
    its own long-press threshold.
    """

    kind: InputKind
    at: float
    held_s: float = 0.0

    @property
    def tap_count(self) -> int:
        """How many taps this event stands for (a hardware double tap counts two)."""
        return {InputKind.TAP: 1, InputKind.DOUBLE_TAP: 2}.get(self.kind, 0)
