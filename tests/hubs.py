"""Hubs with simulated wearables, and a third-party MQTT client, for the relay tests."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiomqtt

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimRadio, SimulatedBangle, SimulatedPolarH10
from hub import BrokerAddress, EventBus, Hub, HubEvent, SessionSettings, WearerDevice
from hub._pair_key import PairKey
from hub._ports import LevelStore
from hub._signing import MessageSeal
from hub.practice import PracticeRecords
from hub.rules import ALIVE_INTERVAL_S
from signals import HapticPattern
from tests.helpers import wait_until

PAIR = ("alex", "sam")
E = TypeVar("E")


@functools.cache
def pair_key(pair_id: str) -> PairKey:
    """The key every hub and peer of a test's pair shares (fixed per pair, so tests agree)."""
    return PairKey(pair_id, hashlib.sha256(pair_id.encode()).digest())


def pair_seal(pair_id: str) -> MessageSeal:
    """A seal of its own (own counters and replay memory) with the pair's shared key."""
    return MessageSeal(pair_key(pair_id))


class Recorder:
    """Everything a hub reported, by type."""

    def __init__(self) -> None:
        self.bus = EventBus()
        self.events: list[HubEvent] = []
        self.bus.subscribe(self.events.append)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


@contextlib.asynccontextmanager
async def running_hub(
    broker: BrokerAddress,
    pair_id: str,
    radio: SimRadio,
    watches: dict[str, SimulatedBangle],
    *,
    settings: SessionSettings | None = None,
    store: LevelStore | None = None,
    recorder: Recorder | None = None,
    seal: MessageSeal | None = None,
    practice_records: PracticeRecords | None = None,
    broker_needed: bool = True,
) -> AsyncIterator[tuple[Hub, Recorder]]:
    """A hub serving the wearers in ``watches``, running until the block ends; with
    ``broker_needed=False`` it is yielded once its wearables are connected, broker or not."""
    recorder = recorder or Recorder()
    hub = Hub(
        pair_id,
        PAIR,
        [WearerDevice(name, watch.address, BangleDriver()) for name, watch in watches.items()],
        broker,
        observer=recorder.bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        settings=settings,
        store=store,
        seal=seal or pair_seal(pair_id),
        practice_records=practice_records,
    )
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            if broker_needed:
                await hub.ready()
            else:
                for link in hub.links.values():
                    await link.connected.wait()
        yield hub, recorder
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def two_watches(radio: SimRadio, tag: str = "01") -> dict[str, SimulatedBangle]:
    return {
        "alex": radio.add(SimulatedBangle(f"C0:00:00:00:A0:{tag}")),
        "sam": radio.add(SimulatedBangle(f"C0:00:00:00:B0:{tag}")),
    }


def times_played(watch: SimulatedBangle, pattern: HapticPattern) -> int:
    """How many times ``pattern`` was played in full on ``watch`` (matches do not overlap)."""
    wanted = [(p.on_ms, p.strength) for p in pattern.pulses]
    felt = [(b.ms, b.strength) for b in watch.buzzes]
    count = index = 0
    while index + len(wanted) <= len(felt):
        if felt[index : index + len(wanted)] == wanted:
            count += 1
            index += len(wanted)
        else:
            index += 1
    return count


class MqttPeer:
    """A third-party MQTT client: records the pair's traffic, and can publish anything."""

    def __init__(self, client: aiomqtt.Client, pair_id: str) -> None:
        self.client = client
        self.pair_id = pair_id
        self.seen: list[aiomqtt.Message] = []
        self.seal = pair_seal(pair_id)

    def on(self, suffix: str) -> list[dict[str, Any]]:
        topic = f"comfort/v1/{self.pair_id}/{suffix}"
        return [json.loads(bytes(m.payload)) for m in self.seen if str(m.topic) == topic]  # type: ignore[arg-type,unused-ignore]

    async def publish(self, suffix: str, payload: dict[str, Any]) -> None:
        """Publishes as a side of the pair would: sealed with the pair's key."""
        topic = f"comfort/v1/{self.pair_id}/{suffix}"
        await self.publish_raw(suffix, self.seal.seal(topic, json.dumps(payload).encode()))

    async def publish_raw(self, suffix: str, payload: bytes, *, retain: bool = False) -> None:
        """Publishes exactly ``payload``, as anyone on the broker could."""
        await self.client.publish(
            f"comfort/v1/{self.pair_id}/{suffix}", payload, qos=1, retain=retain
        )

    async def beat_as(self, hub: str) -> None:
        """``hub``'s heartbeat, serving the wearer of the same name, until cancelled."""
        while True:
            status = {
                "status": "online",
                "hub": hub,
                "wearers": [hub],
                "at": datetime.now(UTC).isoformat(),
            }
            await self.publish(f"hub/{hub}/alive", status)
            await asyncio.sleep(ALIVE_INTERVAL_S)

    def raw(self, suffix: str) -> list[bytes]:
        topic = f"comfort/v1/{self.pair_id}/{suffix}"
        return [bytes(m.payload) for m in self.seen if str(m.topic) == topic]  # type: ignore[arg-type,unused-ignore]


@contextlib.asynccontextmanager
async def mqtt_peer(broker: BrokerAddress, pair_id: str) -> AsyncIterator[MqttPeer]:
    async with aiomqtt.Client(broker.host, broker.port, identifier=f"peer-{pair_id}") as client:
        peer = MqttPeer(client, pair_id)
        await client.subscribe(f"comfort/v1/{pair_id}/#", qos=1)

        async def record() -> None:
            async for message in client.messages:
                peer.seen.append(message)

        task = asyncio.create_task(record())
        try:
            yield peer
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def strap_and_watch(
    broker: BrokerAddress,
    pair_id: str,
    *,
    rate_hz: int = 100,
    settings: SessionSettings | None = None,
) -> AsyncIterator[tuple[SimulatedPolarH10, SimulatedBangle, Recorder]]:
    """A hub where alex wears a Polar H10 (acceleration at ``rate_hz``) and sam a watch."""
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("A0:9E:1A:00:00:01"))
    watch = radio.add(SimulatedBangle("C0:00:00:00:B0:09"))
    recorder = Recorder()
    hub = Hub(
        pair_id,
        PAIR,
        [
            WearerDevice("alex", strap.address, PolarH10Driver(sample_rate_hz=rate_hz)),
            WearerDevice("sam", watch.address, BangleDriver()),
        ],
        broker,
        observer=recorder.bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        settings=settings,
        seal=pair_seal(pair_id),
    )
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            await hub.ready()
        await wait_until(lambda: strap.acc_settings is not None)
        yield strap, watch, recorder
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
