"""``comfort-hub record``: raw acceleration from the Polar H10 and micro:bit twins, with the
moments the wearer was asked to tap marked, read back by ``analyze-accel``."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import stat
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from firmware_bridge import BleBackends
from firmware_bridge.microbit import MicrobitDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimRadio, SimulatedMicrobit, SimulatedPolarH10
from hub.cli import main
from hub.lab._record import PromptPlan, RecordError, TapRecording, record_taps
from signals import lay_tap
from tests.helpers import wait_until

TAP_GAP_S = 0.35
# How long after hearing a prompt the wearer starts tapping.
REACTION_S = 0.4


class Wearer:
    """Lies still, and taps three times a little after each prompt it hears."""

    def __init__(self, rate_hz: float) -> None:
        self.rate_hz = rate_hz
        self.rng = np.random.default_rng(9)
        self.sent = 0
        self.taps_at: list[float] = []  # in samples' seconds from the first one sent

    def hear(self, line: str) -> None:
        if line.startswith("tap "):
            reaction = self.sent / self.rate_hz + REACTION_S
            self.taps_at += [reaction + i * TAP_GAP_S for i in range(3)]

    def next_samples(self, count: int) -> list[tuple[int, int, int]]:
        samples = np.tile([0.02, -0.98, 0.1], (count, 1))
        samples = samples + self.rng.normal(0.0, 0.004, samples.shape)
        for at in self.taps_at:
            lay_tap(samples, self.rate_hz, at - self.sent / self.rate_hz, width_s=0.02, peak_g=3.0)
        self.sent += count
        return [tuple(v) for v in np.round(samples * 1000).astype(int).tolist()]


async def _record_from(
    radio: SimRadio,
    address: str,
    driver: PolarH10Driver | MicrobitDriver,
    wearer: Wearer,
    stream: Callable[[], Coroutine[Any, Any, None]],
    tmp_path: Path,
) -> Path:
    backends = BleBackends(radio.client_backend(), radio.scanner_backend())
    recording_task = asyncio.create_task(
        record_taps(
            address,
            driver,
            seconds=8.0,
            plan=PromptPlan(every_s=3.0, taps=3),
            say=wearer.hear,
            backends=backends,
        )
    )
    streaming = asyncio.create_task(stream())
    try:
        recording = await recording_task
    finally:
        streaming.cancel()
    out = tmp_path / "taps.csv"
    recording.write_csv(out)
    # Prompts come on the stream's own clock; a loaded machine may deliver them late.
    assert recording.prompts == pytest.approx([3.0, 6.0], abs=0.5)
    return out


def _check(out: Path, rate_hz: float, capsys: pytest.CaptureFixture[str]) -> None:
    with out.open() as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["time_s", "x", "y", "z", "asked_taps"]
    marked = [float(row[0]) for row in rows[1:] if row[4]]
    assert marked == pytest.approx([3.0, 6.0], abs=0.5)
    assert {row[4] for row in rows[1:]} == {"", "3"}
    capsys.readouterr()
    assert main(["analyze-accel", str(out), "--rate", f"{rate_hz:g}"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [s["signal"] for s in report["signals"]] == ["slow_down", "pause"] * 2
    # Each burst answers its prompt: it begins after it. How long after depends on how busy
    # the machine running the simulated wearer is (the wearer counts the samples it sent,
    # the recording those it received), so the wearer's reaction time is the only margin
    # judged: a burst answering the prompt before it would be 3 s early.
    bursts = [t for t in report["taps"] if not any(0 < t - u < 1.0 for u in report["taps"])]
    for burst, prompt in zip(bursts, marked, strict=True):
        assert prompt - REACTION_S < burst


async def test_record_from_a_polar_h10_marks_each_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("A0:9E:1A:00:00:07"))
    wearer = Wearer(200.0)

    async def stream() -> None:
        await wait_until(lambda: strap.acc_settings is not None)
        while True:
            strap.move(wearer.next_samples(36))
            await asyncio.sleep(36 / 200.0)

    out = await _record_from(radio, strap.address, PolarH10Driver(), wearer, stream, tmp_path)
    _check(out, 200.0, capsys)


async def test_record_from_a_microbit_marks_each_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C0:FF:EE:00:B1:70"))
    wearer = Wearer(100.0)

    async def stream() -> None:
        while True:
            for sample in wearer.next_samples(5):
                board.accelerate(*sample)
            await asyncio.sleep(5 / 100.0)

    driver = MicrobitDriver(period_ms=10)
    out = await _record_from(radio, board.address, driver, wearer, stream, tmp_path)
    _check(out, 100.0, capsys)


async def test_a_device_without_raw_acceleration_is_refused() -> None:
    from firmware_bridge.bangle import BangleDriver

    with pytest.raises(RecordError, match=r"a Bangle\.js 2 streams no raw acceleration"):
        await record_taps(
            "C0:00:00:00:B0:09", BangleDriver(), seconds=1.0, plan=PromptPlan(), say=print
        )


def test_a_wearer_without_a_device_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'pair = "p"\nwearers = ["alex", "sam"]\nstate_path = "{tmp_path / "s.sqlite3"}"\n'
        '[[devices]]\nwearer = "alex"\nprofile = "polar_h10"\n'
        '[[devices]]\nwearer = "sam"\nprofile = "bangle"\n'
    )
    argv = ["record", "robin", "--seconds", "5", "--out", str(tmp_path / "o.csv")]
    assert main([*argv, "--config", str(config)]) == 2
    assert "no device for 'robin' (devices for: alex, sam)" in capsys.readouterr().err


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most users have (022): files made without care are readable by all."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def test_record_from_the_simulated_twin_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], usual_umask: None
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'pair = "p"\nwearers = ["alex", "sam"]\nstate_path = "{tmp_path / "s.sqlite3"}"\n'
        '[[devices]]\nwearer = "alex"\nprofile = "polar_h10"\n'
        '[[devices]]\nwearer = "sam"\nprofile = "bangle"\n'
    )
    out = tmp_path / "alex.csv"
    argv = ["record", "alex", "--seconds", "5.5", "--every", "2", "--out", str(out)]
    assert main([*argv, "--config", str(config), "--simulated"]) == 0
    printed = capsys.readouterr().out
    assert "tap 3 times now (1)" in printed
    assert f"analyse with: comfort-hub analyze-accel {out} --rate 200" in printed
    with out.open() as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["time_s", "x", "y", "z", "asked_taps"]
    assert len(rows) > 200 * 4  # a resting wearer's samples, at 200 Hz
    assert sum(1 for row in rows[1:] if row[4] == "3") == 1  # the prompt at 3 s
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "intimate: the user's alone"


def test_a_recording_written_over_a_file_others_could_read_is_the_users_alone(
    tmp_path: Path,
) -> None:
    out = tmp_path / "alex.csv"
    out.write_text("an older recording\n")
    out.chmod(0o644)
    times = np.arange(4) / 100.0
    TapRecording("Polar H10", 100.0, times, np.zeros((4, 3)), prompts=[0.01]).write_csv(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open() as file:
        assert [row[4] for row in csv.reader(file)] == ["asked_taps", "", "3", "", ""]
