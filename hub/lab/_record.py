"""Records a wearer's raw acceleration while asking them to tap, for measuring the detector
on their own body (``comfort-hub record``).

The device streams as it does in a session (a Polar H10 at 200 Hz, a micro:bit at its
accelerometer period); every ``every_s`` the wearer is asked to tap a few times, and that
moment is marked in the file. The CSV has a header ``time_s,x,y,z,asked_taps``: seconds from
the start of the recording, acceleration in g, and on the first sample at or after each
prompt the number of taps asked for (empty elsewhere). ``comfort-hub analyze-accel`` reads
it as it is (columns x, y, z).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from firmware_bridge import (
    AccelBatch,
    BleBackends,
    Capability,
    Clock,
    DeviceEvent,
    LinkEvent,
    WearableDriver,
    WearableLink,
)
from hub._private_files import claim_private_file

FloatArray = npt.NDArray[np.float64]
# Patterns start this long into the recording: the wearer settles after the first prompt.
FIRST_PROMPT_S = 3.0


class RecordError(Exception):
    """The recording could not be made; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class PromptPlan:
    """When the wearer is asked to tap, and how many times."""

    every_s: float = 6.0
    taps: int = 3

    def moments(self, seconds: float) -> list[float]:
        # The last prompt leaves time to tap before the recording ends.
        last = seconds - 2.0
        return np.arange(FIRST_PROMPT_S, last + 1e-9, self.every_s).tolist() if last > 0 else []


@dataclass
class TapRecording:
    """Samples in g with their times (s from the start), the rate, and the prompts."""

    device: str
    rate_hz: float
    times: FloatArray
    samples_g: FloatArray
    prompts: list[float] = field(default_factory=list)
    taps_per_prompt: int = 3

    def write_csv(self, path: Path) -> None:
        # A body's movement, and when its wearer was asked to tap: the user's alone.
        claim_private_file(path)
        marks = np.searchsorted(self.times, self.prompts)
        asked = dict.fromkeys(marks.tolist(), str(self.taps_per_prompt))
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["time_s", "x", "y", "z", "asked_taps"])
            for index, (at, xyz) in enumerate(
                zip(self.times.tolist(), self.samples_g.tolist(), strict=True)
            ):
                writer.writerow([f"{at:.4f}", *(f"{v:.4f}" for v in xyz), asked.get(index, "")])


async def record_taps(
    address: str,
    driver: WearableDriver,
    *,
    seconds: float,
    plan: PromptPlan,
    say: Callable[[str], None],
    backends: BleBackends | None = None,
    connect_timeout_s: float = 30.0,
    clock: Clock = time.monotonic,
) -> TapRecording:
    """Connects, streams ``seconds`` of acceleration, and prompts the wearer as planned."""
    profile = driver.profile
    if Capability.RAW_ACCEL not in profile.capabilities:
        raise RecordError(
            f"a {profile.label} streams no raw acceleration; "
            "record needs a device that does (a Polar H10 or a micro:bit)"
        )
    batches: list[AccelBatch] = []

    def collect(event: DeviceEvent) -> None:
        if isinstance(event, AccelBatch) and len(event.times):
            batches.append(event)

    def on_link(event: LinkEvent) -> None:
        say(f"{profile.label} {event.address}: {event.state}")

    link = WearableLink(address, driver, on_event=collect, on_link=on_link, backends=backends)
    task = asyncio.create_task(link.run())
    try:
        try:
            async with asyncio.timeout(connect_timeout_s):
                await link.connected.wait()
        except TimeoutError:
            raise RecordError(
                f"the {profile.label} at {address} did not connect within {connect_timeout_s:g} s"
            ) from None
        prompts = await _prompt(seconds, plan, say, clock)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return _assemble(profile.label, batches, prompts, plan)


async def _prompt(
    seconds: float, plan: PromptPlan, say: Callable[[str], None], clock: Clock
) -> list[float]:
    """Asks for taps at the planned moments; returns them on ``clock``, then the start."""
    start = clock()
    say(f"recording {seconds:g} s: hold still, and tap when asked")
    asked: list[float] = []
    for moment in plan.moments(seconds):
        await asyncio.sleep(max(0.0, start + moment - clock()))
        asked.append(clock())
        say(f"tap {plan.taps} times now ({len(asked)})")
    await asyncio.sleep(max(0.0, start + seconds - clock()))
    say("done")
    return [start, *asked]


def _assemble(
    device: str, batches: list[AccelBatch], prompts: list[float], plan: PromptPlan
) -> TapRecording:
    start, asked = prompts[0], prompts[1:]
    if not batches:
        raise RecordError(f"no acceleration arrived from the {device}")
    times = np.concatenate([batch.times for batch in batches]) - start
    samples = np.concatenate([batch.xyz_g for batch in batches])
    keep = times >= 0.0
    return TapRecording(
        device=device,
        rate_hz=batches[-1].rate_hz,
        times=times[keep],
        samples_g=samples[keep],
        prompts=[at - start for at in asked],
        taps_per_prompt=plan.taps,
    )
