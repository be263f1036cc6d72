"""Sound on the hub itself: WAV encoding of the tone patterns and a local player."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hub._events import HubEvent, Realerted
from signals import SAMPLE_RATE_HZ, ComfortSignal, synthesise, tone_for

log = logging.getLogger(__name__)

# Tried in this order: PulseAudio/PipeWire first (it shares the device), then ALSA.
PLAYERS: tuple[tuple[str, ...], ...] = (("paplay",), ("aplay", "-q"))


def wav_bytes(samples: npt.NDArray[np.int16], sample_rate_hz: int = SAMPLE_RATE_HZ) -> bytes:
    """16-bit mono PCM WAV."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate_hz)
        out.writeframes(np.ascontiguousarray(samples, dtype="<i2").tobytes())
    return buffer.getvalue()


def tone_wav(signal: ComfortSignal) -> bytes:
    return wav_bytes(synthesise(tone_for(signal)))


def find_player() -> tuple[str, ...] | None:
    """The first audio player on this machine, or None."""
    for command in PLAYERS:
        if shutil.which(command[0]):
            return command
    return None


class HubSpeaker:
    """Sounds escalated alerts (re-alerts of an unacknowledged pause or stop) on the hub."""

    def __init__(self, command: Sequence[str]) -> None:
        self._command = tuple(command)
        self._files = Path(tempfile.mkdtemp(prefix="comfort-hub-tones-"))
        self._tasks: set[asyncio.Task[None]] = set()
        self.played: list[ComfortSignal] = []

    def __call__(self, event: HubEvent) -> None:
        if isinstance(event, Realerted):
            self.play(event.message.signal)

    def play(self, signal: ComfortSignal) -> None:
        path = self._files / f"{signal.value}.wav"
        if not path.exists():
            path.write_bytes(tone_wav(signal))
        task = asyncio.get_running_loop().create_task(self._run(path))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.played.append(signal)

    async def _run(self, path: Path) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command,
                str(path),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await process.communicate()
        except OSError as error:
            log.warning("could not run %s: %s", self._command[0], error)
            return
        if process.returncode != 0:
            log.warning("%s failed: %s", self._command[0], err.decode(errors="replace").strip())

    async def close(self) -> None:
        for task in list(self._tasks):
            await task
        shutil.rmtree(self._files, ignore_errors=True)
