"""Audible alerts: a tone pattern per signal, synthesised as samples (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from signals._vocabulary import ComfortSignal

SAMPLE_RATE_HZ = 16_000
# Soft edges: a hard on/off clicks, and a click is heard as a beep of its own.
_RAMP_S = 0.008


@dataclass(frozen=True, slots=True)
class Beep:
    frequency_hz: float
    on_s: float
    off_s: float


@dataclass(frozen=True, slots=True)
class TonePattern:
    name: str
    beeps: tuple[Beep, ...]

    @property
    def duration_s(self) -> float:
        return sum(b.on_s + b.off_s for b in self.beeps)


# Pitch rises with severity and so does the pace: a stop is high, short and insistent.
TONE_PATTERNS: dict[ComfortSignal, TonePattern] = {
    ComfortSignal.SLOW_DOWN: TonePattern("slow_down", (Beep(440.0, 0.6, 0.2),)),
    ComfortSignal.PAUSE: TonePattern("pause", (Beep(660.0, 0.3, 0.2), Beep(660.0, 0.3, 0.2))),
    ComfortSignal.STOP: TonePattern(
        "stop", (Beep(880.0, 0.15, 0.1), Beep(880.0, 0.15, 0.1), Beep(880.0, 0.15, 0.3))
    ),
    ComfortSignal.RESUME: TonePattern("resume", (Beep(523.0, 0.12, 0.08), Beep(784.0, 0.25, 0.2))),
    ComfortSignal.CHECK_IN: TonePattern(
        "check_in", (Beep(587.0, 0.1, 0.15), Beep(587.0, 0.1, 0.2))
    ),
}


def tone_for(signal: ComfortSignal) -> TonePattern:
    return TONE_PATTERNS[signal]


def synthesise(
    pattern: TonePattern, sample_rate_hz: int = SAMPLE_RATE_HZ, volume: float = 0.6
) -> npt.NDArray[np.int16]:
    """The pattern as 16-bit mono samples."""
    if not 0.0 < volume <= 1.0:
        raise ValueError(f"volume must be in (0, 1], got {volume}")
    pieces: list[npt.NDArray[np.float64]] = []
    for beep in pattern.beeps:
        on = round(beep.on_s * sample_rate_hz)
        t = np.arange(on) / sample_rate_hz
        tone = np.sin(2 * np.pi * beep.frequency_hz * t)
        ramp = min(int(_RAMP_S * sample_rate_hz), on // 2)
        if ramp:
            envelope = np.ones(on)
            envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
            envelope[-ramp:] = np.linspace(1.0, 0.0, ramp)
            tone *= envelope
        pieces.append(tone)
        pieces.append(np.zeros(round(beep.off_s * sample_rate_hz)))
    samples = np.concatenate(pieces) if pieces else np.zeros(0)
    return np.asarray(np.round(samples * volume * 32767), dtype=np.int16)
