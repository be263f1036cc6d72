"""Re-alerts sound on the hub through the machine's audio player."""

from __future__ import annotations

import os
import stat
import wave
from pathlib import Path

import numpy as np
import pytest

from hub import Realerted, SignalMessage, utc_now
from hub._sound import HubSpeaker
from signals import ComfortSignal, synthesise, tone_for
from tests.helpers import wait_until


def fake_player(tmp_path: Path) -> Path:
    """A stand-in for aplay that keeps a copy of what it was asked to play."""
    script = tmp_path / "player"
    script.write_text(f'#!/bin/sh\ncp "$1" "{tmp_path}/played-$(date +%s%N).wav"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


async def test_a_realert_plays_the_signals_tone_on_the_hub(tmp_path: Path) -> None:
    speaker = HubSpeaker([str(fake_player(tmp_path))])
    stop = SignalMessage(id="s1", seq=0, signal=ComfortSignal.STOP, source="tap", at=utc_now())  # type: ignore[arg-type]
    speaker(Realerted("sam", "alex", stop, 1, 0.0))
    await wait_until(lambda: len(list(tmp_path.glob("played-*.wav"))) == 1)
    await speaker.close()
    (played,) = tmp_path.glob("played-*.wav")
    with wave.open(str(played)) as audio:
        samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")
    assert np.array_equal(samples, synthesise(tone_for(ComfortSignal.STOP)))


async def test_a_missing_player_is_reported_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    speaker = HubSpeaker([os.fspath(tmp_path / "no-such-player")])
    speaker.play(ComfortSignal.PAUSE)
    await speaker.close()
    assert "could not run" in caplog.text and "no-such-player" in caplog.text
