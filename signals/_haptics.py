"""Haptic alert patterns: timings only, rendered by each wearable driver."""

from __future__ import annotations

from dataclasses import dataclass

from signals._vocabulary import ComfortSignal


@dataclass(frozen=True, slots=True)
class Pulse:
    """One motor pulse: on for ``on_ms`` at ``strength`` (0..1), then quiet for ``off_ms``."""

    on_ms: int
    off_ms: int = 0
    strength: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.on_ms <= 5000:
            raise ValueError(f"pulse on_ms must be 1..5000, got {self.on_ms}")
        if self.off_ms < 0:
            raise ValueError(f"pulse off_ms must not be negative, got {self.off_ms}")
        if not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"pulse strength must be 0..1, got {self.strength}")


@dataclass(frozen=True, slots=True)
class HapticPattern:
    """A named sequence of pulses, felt as one alert."""

    name: str
    pulses: tuple[Pulse, ...]

    @property
    def duration_ms(self) -> int:
        return sum(p.on_ms + p.off_ms for p in self.pulses)


# Distinct by feel: count and length differ, so a wearer tells them apart without looking.
SIGNAL_PATTERNS: dict[ComfortSignal, HapticPattern] = {
    ComfortSignal.SLOW_DOWN: HapticPattern("slow_down", (Pulse(600, 0, 0.8),)),
    ComfortSignal.PAUSE: HapticPattern("pause", (Pulse(300, 200), Pulse(300, 0))),
    ComfortSignal.STOP: HapticPattern("stop", (Pulse(150, 100), Pulse(150, 100), Pulse(150, 0))),
    ComfortSignal.RESUME: HapticPattern("resume", (Pulse(80, 120, 0.5), Pulse(250, 0, 0.5))),
    ComfortSignal.CHECK_IN: HapticPattern("check_in", (Pulse(100, 150, 0.6), Pulse(100, 0, 0.6))),
}

# Felt by the signaller when the partner has acknowledged: short and light.
CONFIRMATION = HapticPattern("confirmation", (Pulse(60, 0, 0.6),))

# Felt when the link to the partner is back after a link pause: two light taps, unlike any
# signal, because it says nothing about the partner's level (their next state does).
LINK_RESTORED = HapticPattern("link_restored", (Pulse(60, 120, 0.6), Pulse(60, 0, 0.6)))


# Felt when the hub shuts down (SIGTERM, Ctrl-C): three pulses fading out, unlike any signal,
# so the wearer knows their taps no longer reach anyone until the hub is back.
HUB_STOPPING = HapticPattern(
    "hub_stopping", (Pulse(200, 150, 0.7), Pulse(200, 150, 0.5), Pulse(200, 0, 0.3))
)


def pattern_for(signal: ComfortSignal) -> HapticPattern:
    """The alert a partner feels for ``signal``."""
    return SIGNAL_PATTERNS[signal]
