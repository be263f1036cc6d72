"""``comfort-hub bench scale``: how many pairs one hub process carries.

Every wearer of N pairs wears a simulated strap streaming heart rate at 1 Hz and raw
acceleration at 100 Hz (36 samples a frame, as a Polar H10 sends), so the tap detector,
the motion meter and the heart-rate monitor run for every wrist. Each pair has its own
``Hub`` (as ``comfort-hub run`` starts one per pair) and MQTT connection to one broker. At
random moments one wearer of a pair taps twice (a slow_down); each sample is the time from
the frame that completes the gesture being handed to bleak's callback to the partner's
strap receiving its first alert write. The wearer then resumes from their page, so the
next gesture is a new signal.

The CPU figure is this whole process's: the simulated wearables (framing every sample)
run in it too, so the hub's own share is lower.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from firmware_bridge import BleBackends
from firmware_bridge.sim import SimRadio
from hub._broker import BrokerAddress
from hub._hub import Hub, WearerDevice
from hub._session import SessionSettings
from hub.lab._bench_band import BuzzingStrap, BuzzingStrapDriver
from hub.lab._figures import Latency
from hub.lab._heap import settled_heap
from hub.lab._tap_stream import RATE_HZ, SAMPLES_PER_FRAME, TapStream, build_stream

# The target: this many milliseconds at p99, tap to partner buzz.
P99_TARGET_MS = 50.0
FRAME_S = SAMPLES_PER_FRAME / RATE_HZ
# Between one pair's gestures: random, so pairs do not fall into step.
GESTURE_GAP_S = (2.0, 6.0)
# A quick run is short: gestures come sooner, so it still measures a few.
QUICK_GESTURE_GAP_S = (0.2, 0.6)
# Long enough for the slow_down alert to finish before the wearer resumes.
RESUME_AFTER_S = 1.0
# Connecting N pairs takes a while on a small box; this much per pair, at least 20 s.
READY_S_PER_PAIR = 0.25
BUZZ_TIMEOUT_S = 10.0
# The longest alert (resume, pause) plays within this.
ALERTS_FINISH_S = 1.5
NO_REALERTS = SessionSettings(realert_interval_s=3600)
WEARERS = ("alex", "sam")


@dataclass(slots=True)
class _Wrist:
    strap: BuzzingStrap
    # Set by the pair's gesture task; the streamer plays the gesture's frames next.
    gesture_wanted: bool = False
    trigger_sent_at: asyncio.Future[float] | None = None


@dataclass(slots=True)
class _Counts:
    frames: int = 0
    beats: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    missed: int = 0


@dataclass(frozen=True, slots=True)
class ScaleRun:
    pairs: int
    seconds: float
    latency: Latency
    missed: int
    process_cpu: float  # in cores: 1.0 is one core busy all the time
    broker_cpu: float | None
    events_per_s: float

    @property
    def within_target(self) -> bool:
        return (
            bool(self.latency.samples_ms)
            and self.missed == 0
            and (self.latency.p99 < P99_TARGET_MS)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "wearers": 2 * self.pairs,
            "seconds": self.seconds,
            **self.latency.as_json(),
            "missed": self.missed,
            "process_cpu_cores": self.process_cpu,
            "broker_cpu_cores": self.broker_cpu,
            "events_per_s": self.events_per_s,
            "p99_under_target": self.within_target,
        }

    def line(self) -> str:
        broker = f"{self.broker_cpu:4.2f}" if self.broker_cpu is not None else "   -"
        return (
            f"{self.pairs:4d} pairs  {self.latency.describe()}  missed {self.missed}  "
            f"CPU {self.process_cpu:4.2f} cores (broker {broker})  "
            f"{self.events_per_s:8.0f} events/s"
        )


async def run_scale(
    broker: BrokerAddress,
    broker_pid: int | None,
    pairs: int,
    seconds: float,
    seed: int,
    gap_s: tuple[float, float] = GESTURE_GAP_S,
) -> ScaleRun:
    stream = build_stream(seed)
    rng = random.Random(seed)
    counts = _Counts()
    streamers: list[asyncio.Task[None]] = []
    try:
        async with _pairs(broker, pairs) as hubs:
            streamers += [
                asyncio.create_task(_stream(wrist, stream, counts, rng.random() * FRAME_S))
                for _, wrists in hubs
                for wrist in wrists
            ]
            await asyncio.sleep(1.0)  # every stream running before the first gesture
            cpu0, broker0, wall0 = time.process_time(), _cpu_of(broker_pid), time.monotonic()
            frames0, beats0 = counts.frames, counts.beats
            gestures = [
                asyncio.create_task(
                    _gestures(hub, wrists, counts, gap_s, random.Random(rng.random()))
                )
                for hub, wrists in hubs
            ]
            await asyncio.sleep(seconds)
            for task in gestures:
                task.cancel()
            await asyncio.gather(*gestures, return_exceptions=True)
            wall = time.monotonic() - wall0
            cpu = (time.process_time() - cpu0) / wall
            broker1 = _cpu_of(broker_pid)
            broker_cpu = None if broker0 is None or broker1 is None else (broker1 - broker0) / wall
            events = counts.frames - frames0 + counts.beats - beats0
            await asyncio.sleep(ALERTS_FINISH_S)  # no alert cut off by the hubs shutting down
    finally:
        # The straps stream until their hubs have stopped: a strap gone quiet first would be
        # a link going stale, and its partner told to pause, while hundreds of hubs stop.
        for task in streamers:
            task.cancel()
        await asyncio.gather(*streamers, return_exceptions=True)
    return ScaleRun(
        pairs,
        wall,
        Latency(tuple(counts.latencies_ms)),
        counts.missed,
        cpu,
        broker_cpu,
        events / wall,
    )


@contextlib.asynccontextmanager
async def _pairs(
    broker: BrokerAddress, pairs: int
) -> AsyncIterator[list[tuple[Hub, tuple[_Wrist, _Wrist]]]]:
    hubs: list[tuple[Hub, tuple[_Wrist, _Wrist]]] = []
    run_id = time.monotonic_ns() % 10**6
    for number in range(pairs):
        radio = SimRadio()  # one room per pair: scanners see only their own pair
        straps = [
            radio.add(BuzzingStrap(f"B0:{number >> 8:02X}:{number & 0xFF:02X}:00:00:0{side}"))
            for side in (1, 2)
        ]
        hub = Hub(
            f"scale{run_id}-{number}",
            WEARERS,
            [
                WearerDevice(name, strap.address, BuzzingStrapDriver())
                for name, strap in zip(WEARERS, straps, strict=True)
            ],
            broker,
            observer=lambda event: None,
            backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
            settings=NO_REALERTS,
        )
        hubs.append((hub, (_Wrist(straps[0]), _Wrist(straps[1]))))
    tasks = [asyncio.create_task(hub.run()) for hub, _ in hubs]
    try:
        async with asyncio.timeout(max(20.0, READY_S_PER_PAIR * pairs)):
            await asyncio.gather(*(hub.ready() for hub, _ in hubs))
        with settled_heap():
            yield hubs
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _stream(wrist: _Wrist, stream: TapStream, counts: _Counts, phase_s: float) -> None:
    """A strap's notifications, on time: a frame every 0.36 s, a heartbeat every second."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(phase_s)
    next_frame = next_beat = loop.time()
    quiet = 0
    gesture: list[tuple[int, Any]] = []
    while True:
        if not gesture and wrist.gesture_wanted:
            wrist.gesture_wanted = False
            gesture = list(enumerate(stream.gesture))
        if gesture:
            index, frame = gesture.pop(0)
            if (
                index == stream.trigger
                and wrist.trigger_sent_at is not None
                and not wrist.trigger_sent_at.done()
            ):
                wrist.trigger_sent_at.set_result(loop.time())
        else:
            frame = stream.quiet[quiet % len(stream.quiet)]
            quiet += 1
        if wrist.strap.move(frame):
            counts.frames += 1
        if loop.time() >= next_beat:
            wrist.strap.beat(62, (968.0,))
            counts.beats += 1
            next_beat += 1.0
        next_frame += FRAME_S
        await asyncio.sleep(max(0.0, next_frame - loop.time()))


async def _gestures(
    hub: Hub,
    wrists: tuple[_Wrist, _Wrist],
    counts: _Counts,
    gap_s: tuple[float, float],
    rng: random.Random,
) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(rng.uniform(0.0, gap_s[1]))
    while True:
        side = rng.randrange(2)
        signaller, partner = wrists[side], wrists[1 - side]
        before = len(partner.strap.alert_times)
        signaller.trigger_sent_at = loop.create_future()
        signaller.gesture_wanted = True
        try:
            async with asyncio.timeout(BUZZ_TIMEOUT_S):
                sent_at = await signaller.trigger_sent_at
                buzzed_at = await partner.strap.wait_for_alerts(before + 1)
        except TimeoutError:
            counts.missed += 1
        else:
            if buzzed_at >= sent_at:
                counts.latencies_ms.append((buzzed_at - sent_at) * 1000)
            else:
                counts.missed += 1  # found before its trigger frame: not this gesture's buzz
        await asyncio.sleep(RESUME_AFTER_S)
        _resume(hub, WEARERS[side])
        await asyncio.sleep(rng.uniform(*gap_s))


def _resume(hub: Hub, wearer: str) -> None:
    """The wearer lifts their level from their page, as a person would after a slow_down."""
    hub.session.resume(wearer)


def _cpu_of(pid: int | None) -> float | None:
    """CPU seconds a process has used (user + system), from /proc; None when unknown."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_scale_bench(
    broker: BrokerAddress,
    broker_pid: int | None,
    pair_counts: list[int],
    seconds: float,
    say: Callable[[str], None],
    *,
    quick: bool = False,
) -> list[ScaleRun]:
    gap_s = QUICK_GESTURE_GAP_S if quick else GESTURE_GAP_S
    runs = []
    for pairs in pair_counts:
        run = await run_scale(broker, broker_pid, pairs, seconds, seed=pairs, gap_s=gap_s)
        say(run.line())
        runs.append(run)
    return runs
