"""``comfort-hub bench relay``: what the hub adds to a signal's way, against a bare MQTT hop.

Figures, not verdicts: the same machine measures the baseline (an aiomqtt QoS 1 message
from one client to another through the same broker) and the hub's paths in one run, and
the ratio is what to compare between runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiomqtt

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress, embedded_broker
from hub._hub import Hub, WearerDevice
from hub._pair_key import PairKey
from hub._session import SessionSettings
from hub._signing import MessageSeal

# Between signals, so every alert has finished and nothing queues behind it.
GAP_S = 0.25


@dataclass(frozen=True, slots=True)
class Figures:
    label: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def bare_hop(broker: BrokerAddress, count: int) -> Figures:
    """One QoS 1 message from a client to another through the broker: the floor."""
    received: asyncio.Queue[float] = asyncio.Queue()
    async with (
        aiomqtt.Client(broker.host, broker.port, identifier="bench-rx") as rx,
        aiomqtt.Client(broker.host, broker.port, identifier="bench-tx") as tx,
    ):
        await rx.subscribe("bench/hop", qos=1)

        async def listen() -> None:
            async for _ in rx.messages:
                received.put_nowait(time.perf_counter())

        listener = asyncio.create_task(listen())
        samples = []
        for _ in range(count):
            sent = time.perf_counter()
            await tx.publish("bench/hop", b"x", qos=1)
            samples.append((await received.get() - sent) * 1000)
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
    return Figures("bare MQTT QoS 1 hop (baseline)", samples)


@contextlib.asynccontextmanager
async def _hubs(
    broker: BrokerAddress, radio: SimRadio, split: bool
) -> AsyncIterator[tuple[SimulatedBangle, SimulatedBangle]]:
    alex = radio.add(SimulatedBangle("BE:0C:00:00:00:01"))
    sam = radio.add(SimulatedBangle("BE:0C:00:00:00:02"))
    backends = BleBackends(radio.client_backend(), radio.scanner_backend())
    layouts = [[("alex", alex)], [("sam", sam)]] if split else [[("alex", alex), ("sam", sam)]]
    key = PairKey.generate("bench")  # both hubs of the pair share it
    hubs = [
        Hub(
            "bench",
            ("alex", "sam"),
            [WearerDevice(name, watch.address, BangleDriver()) for name, watch in layout],
            broker,
            observer=lambda event: None,
            backends=backends,
            settings=SessionSettings(realert_interval_s=3600),
            seal=MessageSeal(key),
        )
        for layout in layouts
    ]
    tasks = [asyncio.create_task(hub.run()) for hub in hubs]
    try:
        async with asyncio.timeout(15):
            for hub in hubs:
                await hub.ready()
        yield alex, sam
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def wrist_to_wrist(broker: BrokerAddress, count: int, *, split: bool) -> Figures:
    """Long press on one simulated watch to the buzz command on the other, and back to clear."""
    radio = SimRadio()
    loop = asyncio.get_running_loop()
    samples = []
    async with _hubs(broker, radio, split) as (alex, sam):
        for _ in range(count):
            before = len(sam.buzzes)
            pressed = loop.time()
            alex.press(held_ms=1500)  # stop
            await _buzzed(sam, before)
            samples.append((sam.buzzes[before].at - pressed) * 1000)
            await asyncio.sleep(GAP_S)
            resumed = len(sam.buzzes)
            alex.press()
            await asyncio.sleep(0.05)
            alex.press()  # two presses: resume, so the next stop is a new signal
            await _buzzed(sam, resumed)
            await asyncio.sleep(GAP_S)
    label = "two hubs, through the broker" if split else "one hub, partner alerted directly"
    return Figures(f"gesture -> partner buzz, {label}", samples)


async def _buzzed(watch: SimulatedBangle, before: int) -> None:
    async with asyncio.timeout(5):
        await watch.wait_for_buzzes(before + 1)


async def run_relay_bench(count: int, broker_url: str | None, say: Callable[[str], None]) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if broker_url is None:
            broker = await stack.enter_async_context(embedded_broker())
            say(f"embedded broker {broker}; use --broker mqtt://... for mosquitto")
        else:
            broker = BrokerAddress.parse(broker_url)
        say(f"{count} signals per path, {GAP_S:g} s apart")
        baseline = await bare_hop(broker, count)
        paths = [
            baseline,
            await wrist_to_wrist(broker, count, split=False),
            await wrist_to_wrist(broker, count, split=True),
        ]
    for figures in paths:
        say(
            f"{figures.label:55s} median {figures.median:7.2f} ms  p95 {figures.p95:7.2f} ms  "
            f"x{figures.median / baseline.median:5.2f} of the baseline"
        )
