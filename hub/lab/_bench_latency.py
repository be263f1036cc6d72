"""``comfort-hub bench latency``: what the hub adds to a signal's way, against a bare MQTT hop.

Each sample runs from the moment the signaller's simulated watch hands its notification to
bleak's callback (the hub's first sight of the gesture) to the moment the partner's
simulated watch receives the buzz command, through the real drivers, links, session, alert
player and, with the partners on two hubs, the MQTT relay and the broker. Between a path's
cycles, the same run measures a bare QoS 1 publish-to-subscriber hop through the same broker
with the same client library, in the same rhythm (three at once, then one after each
pause), so both see the same load on the machine and the ratio can be compared between runs
and machines. The hop goes between the same processes as the path: from this process to a
subscriber in this process (one hub), or to one in the partner hub's process (two hubs).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress
from hub._hub import Hub, WearerDevice
from hub._pair_key import PairKey
from hub._session import SessionSettings
from hub._signing import MessageSeal
from hub.lab._bare_hop import BareHop, bare_hop_between, bare_hop_to, bare_hops, hop_topic
from hub.lab._figures import Latency
from hub.lab._remote_partner import PARTNER_ADDRESS, READY_TIMEOUT_S, partner_process

# The signals measured, each by the gesture that makes it on a Bangle.js.
KINDS = ("slow_down", "pause", "stop", "resume")
# After a cycle, so every alert has finished playing and nothing queues behind the next.
SETTLE_S = 1.0
# A buzz slower than this is a lost signal, not a slow one.
BUZZ_TIMEOUT_S = 5.0
# Re-alerts would add buzzes nobody measures.
NO_REALERTS = SessionSettings(realert_interval_s=3600)


@dataclass(slots=True)
class PathResult:
    label: str
    by_kind: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    # The bare hop, measured between this path's cycles in the same rhythm.
    bare: list[float] = field(default_factory=list)

    @property
    def all(self) -> Latency:
        return Latency(tuple(ms for samples in self.by_kind.values() for ms in samples))

    @property
    def baseline(self) -> Latency:
        return Latency(tuple(self.bare))

    @property
    def ratio(self) -> float:
        """The target's figure: this path's p99 over the bare hop's, measured alongside."""
        return self.all.p99 / self.baseline.p99

    def kind(self, name: str) -> Latency:
        return Latency(tuple(self.by_kind[name]))


class _Partner(Protocol):
    """Where the partner's buzzes are counted and timed (on the monotonic clock)."""

    def count(self) -> int: ...
    async def buzz_at(self, number: int) -> float: ...


class _LocalPartner:
    def __init__(self, watch: SimulatedBangle) -> None:
        self._watch = watch

    def count(self) -> int:
        return len(self._watch.buzzes)

    async def buzz_at(self, number: int) -> float:
        return (await self._watch.wait_for_buzzes(number))[number - 1].at


def _hub(
    pair_id: str,
    name: str,
    watch: SimulatedBangle,
    broker: BrokerAddress,
    backends: BleBackends,
    key: PairKey,
    partner_watch: SimulatedBangle | None = None,
) -> Hub:
    devices = [WearerDevice(name, watch.address, BangleDriver())]
    if partner_watch is not None:
        devices.append(WearerDevice("sam", partner_watch.address, BangleDriver()))
    return Hub(
        pair_id,
        ("alex", "sam"),
        devices,
        broker,
        observer=lambda event: None,
        backends=backends,
        settings=NO_REALERTS,
        seal=MessageSeal(key),
    )


@contextlib.asynccontextmanager
async def _pair(
    broker: BrokerAddress, two_hubs: bool
) -> AsyncIterator[tuple[SimulatedBangle, _Partner, BareHop]]:
    """The signaller's watch and hub, the partner, and the bare hop to where the partner is."""
    radio = SimRadio()
    alex = radio.add(SimulatedBangle("BE:0C:00:00:00:01"))
    backends = BleBackends(radio.client_backend(), radio.scanner_backend())
    pair_id = f"bench{time.monotonic_ns() % 10**9}"
    key = PairKey.generate(pair_id)  # both hubs of the pair share it
    async with contextlib.AsyncExitStack() as stack:
        if two_hubs:
            topic = hop_topic()
            remote = await stack.enter_async_context(partner_process(broker, key, topic))
            hop = await stack.enter_async_context(bare_hop_to(broker, topic, remote.hop_at))
            partner: _Partner = remote
            hub = _hub(pair_id, "alex", alex, broker, backends, key)
        else:
            hop = await stack.enter_async_context(bare_hop_between(broker))
            sam = radio.add(SimulatedBangle(PARTNER_ADDRESS))
            partner = _LocalPartner(sam)
            hub = _hub(pair_id, "alex", alex, broker, backends, key, partner_watch=sam)
        running = asyncio.create_task(hub.run())
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                await hub.ready()
            yield alex, partner, hop
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


async def wrist_to_wrist(broker: BrokerAddress, cycles: int, *, two_hubs: bool) -> PathResult:
    """Per cycle: a double tap (slow_down), a third (pause) and a fourth tap (stop), each
    sent as soon as the previous buzz arrived, then two presses (resume); then the bare
    hop the same way: three hops at once, a pause, one more."""
    label = (
        "two hubs (two processes), through the broker"
        if two_hubs
        else "one hub, partner alerted directly"
    )
    result = PathResult(label)
    async with _pair(broker, two_hubs) as (alex, sam, hop):
        for _ in range(cycles):
            result.by_kind["slow_down"].append(
                await _timed(alex, sam, lambda: alex.tap(double=True))
            )
            result.by_kind["pause"].append(await _timed(alex, sam, alex.tap))
            result.by_kind["stop"].append(await _timed(alex, sam, alex.tap))
            await asyncio.sleep(SETTLE_S)
            alex.press()  # a lone press is an acknowledgement: nothing to acknowledge here
            result.by_kind["resume"].append(await _timed(alex, sam, alex.press))
            await asyncio.sleep(SETTLE_S)
            # Measured at the same moments of the run as the hub, after the same idle times:
            # a hop timed only back to back, in a fraction of a second, meets neither the
            # machine's load nor the cold start after a pause that the hub's signals meet.
            result.bare.extend([await hop.once() for _ in range(len(KINDS) - 1)])
            await asyncio.sleep(SETTLE_S)
            result.bare.append(await hop.once())
            await asyncio.sleep(SETTLE_S)
    return result


async def _timed(watch: SimulatedBangle, partner: _Partner, gesture: Callable[[], bool]) -> float:
    """Milliseconds from bleak handing the gesture's notification to the hub's callback to
    the partner's next buzz command (both on the monotonic clock, which the partner's
    process reports in): the watch's own encoding and the radio are not the hub's share."""
    before = partner.count()
    if not gesture():
        raise RuntimeError("the signaller's watch is not connected")
    # The gesture's last notification: the one that completes it for the hub.
    last = watch.notifications_sent
    async with asyncio.timeout(BUZZ_TIMEOUT_S):
        buzzed_at = await partner.buzz_at(before + 1)
    handed_over = watch.handed_over_at(last)
    if handed_over is None:
        raise RuntimeError("the signaller's watch lost track of its gesture's notification")
    return (buzzed_at - handed_over) * 1000


@dataclass(frozen=True, slots=True)
class LatencyReport:
    broker: str
    cycles: int
    # The bare hop timed back to back before the paths, as this benchmark first measured it.
    back_to_back: Latency
    paths: tuple[PathResult, ...]

    @property
    def baseline(self) -> Latency:
        """Every bare hop measured between the paths' cycles."""
        return Latency(tuple(ms for path in self.paths for ms in path.bare))

    def as_json(self) -> dict[str, Any]:
        return {
            "broker": self.broker,
            "cycles": self.cycles,
            "baseline": self.baseline.as_json(),
            "baseline_back_to_back": self.back_to_back.as_json(),
            "paths": {
                ("two_hubs" if "two hubs" in path.label else "one_hub"): {
                    "label": path.label,
                    **path.all.as_json(),
                    "baseline": path.baseline.as_json(),
                    # The target: the hub's p99 within 2x the bare hop's, in the same run.
                    "ratio": path.ratio,
                    "ratio_p50": path.all.p50 / path.baseline.p50,
                    "kinds": {name: path.kind(name).as_json() for name in KINDS},
                }
                for path in self.paths
            },
        }

    def lines(self) -> list[str]:
        out = [
            f"{'bare MQTT QoS 1 hop (baseline)':44s} {self.baseline.describe()}",
            f"  {'back to back, before the paths':42s} {self.back_to_back.describe()}",
        ]
        for path in self.paths:
            out.append(
                f"{'gesture -> partner buzz, ' + path.label:44s} {path.all.describe()}"
                f"  ratio p99 x{path.ratio:.2f}"
            )
            out.append(f"  {'bare hop, between its cycles':42s} {path.baseline.describe()}")
            out.extend(f"  {name:42s} {path.kind(name).describe()}" for name in KINDS)
        return out


async def run_latency_bench(broker: BrokerAddress, cycles: int) -> LatencyReport:
    # A few hops first: the broker's and the client's first messages are slower.
    await bare_hops(broker, 3)
    back_to_back = await bare_hops(broker, cycles * len(KINDS))
    one_hub = await wrist_to_wrist(broker, cycles, two_hubs=False)
    two_hubs = await wrist_to_wrist(broker, cycles, two_hubs=True)
    return LatencyReport(str(broker), cycles, back_to_back, (one_hub, two_hubs))
