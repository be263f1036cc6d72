"""The audible alerts, checked by listening: the synthesised audio is analysed, not the table."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from signals import SAMPLE_RATE_HZ, ComfortSignal, synthesise, tone_for


def beeps_heard(
    samples: npt.NDArray[np.int16], rate: int = SAMPLE_RATE_HZ
) -> list[tuple[float, float, float]]:
    """(start s, length s, pitch Hz) of each beep, found from the audio alone."""
    loud = np.abs(samples.astype(np.float64)) > 0.05 * 32767
    # Bridge the gaps between a sine's own zero crossings (< half a period at >= 200 Hz).
    window = int(rate / 200)
    smoothed = np.convolve(loud, np.ones(window), mode="same") > 0
    # Silence on both sides, so every beep has a rising and a falling edge.
    padded = np.concatenate(([False], smoothed, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[::2], edges[1::2]
    found = []
    for start, end in zip(starts, ends, strict=True):
        segment = samples[start:end].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(segment * np.hanning(len(segment)), n=1 << 16))
        pitch = float(np.fft.rfftfreq(1 << 16, 1 / rate)[np.argmax(spectrum)])
        found.append((start / rate, (end - start) / rate, pitch))
    return found


@pytest.mark.parametrize(
    ("signal", "count", "pitch_hz", "length_s"),
    [
        (ComfortSignal.SLOW_DOWN, 1, 440, 0.6),
        (ComfortSignal.PAUSE, 2, 660, 0.3),
        (ComfortSignal.STOP, 3, 880, 0.15),
    ],
)
def test_each_signal_sounds_its_own_cadence_and_pitch(
    signal: ComfortSignal, count: int, pitch_hz: float, length_s: float
) -> None:
    beeps = beeps_heard(synthesise(tone_for(signal)))
    assert len(beeps) == count
    for _, length, pitch in beeps:
        assert pitch == pytest.approx(pitch_hz, abs=3)
        # The soft edges shave a few milliseconds off what counts as loud.
        assert length == pytest.approx(length_s, abs=0.02)


def test_stop_is_faster_and_higher_than_pause_which_is_faster_than_slow_down() -> None:
    heard = {s: beeps_heard(synthesise(tone_for(s))) for s in ComfortSignal if s.is_level}
    rate = {s: len(b) / tone_for(s).duration_s for s, b in heard.items()}
    pitch = {s: b[0][2] for s, b in heard.items()}
    assert rate[ComfortSignal.STOP] > rate[ComfortSignal.PAUSE] > rate[ComfortSignal.SLOW_DOWN]
    assert pitch[ComfortSignal.STOP] > pitch[ComfortSignal.PAUSE] > pitch[ComfortSignal.SLOW_DOWN]


def test_stop_beeps_are_evenly_spaced() -> None:
    starts = [start for start, _, _ in beeps_heard(synthesise(tone_for(ComfortSignal.STOP)))]
    assert np.diff(starts) == pytest.approx([0.25, 0.25], abs=0.01)


def test_volume_scales_the_audio_and_nonsense_volume_is_refused() -> None:
    quiet = synthesise(tone_for(ComfortSignal.PAUSE), volume=0.2)
    loud = synthesise(tone_for(ComfortSignal.PAUSE), volume=0.8)
    assert np.abs(loud).max() == pytest.approx(4 * np.abs(quiet).max(), rel=0.01)
    with pytest.raises(ValueError, match="volume"):
        synthesise(tone_for(ComfortSignal.PAUSE), volume=1.5)
