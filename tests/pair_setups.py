"""The pair's usual setups for the relay tests, each on its own simulated radio: both wearers
on one hub, each on a hub of their own, or one wearer's hub with an MQTT client speaking for
the other side (a third-party app, or someone forging and replaying with or without the
pair's key)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import NamedTuple

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import BrokerAddress, Hub, SessionSettings
from hub._signing import MessageSeal
from tests.hubs import PAIR, MqttPeer, Recorder, mqtt_peer, running_hub, two_watches


class OneHub(NamedTuple):
    alex: SimulatedBangle
    sam: SimulatedBangle
    hub: Hub
    seen: Recorder


@contextlib.asynccontextmanager
async def one_hub(
    broker: BrokerAddress, pair_id: str, *, settings: SessionSettings | None = None
) -> AsyncIterator[OneHub]:
    """alex and sam on one hub (the usual room)."""
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches, settings=settings) as (hub, seen):
        yield OneHub(watches["alex"], watches["sam"], hub, seen)


class TwoHubs(NamedTuple):
    alex: SimulatedBangle
    sam: SimulatedBangle
    alex_hub: Hub
    alex_seen: Recorder
    sam_hub: Hub
    sam_seen: Recorder


@contextlib.asynccontextmanager
async def two_hubs(
    broker: BrokerAddress,
    pair_id: str,
    *,
    settings: SessionSettings | None = None,
    seal: Callable[[str], MessageSeal] | None = None,
) -> AsyncIterator[TwoHubs]:
    """alex and sam each on a hub of their own, sharing the broker; ``seal(wearer)`` makes
    the seal of that wearer's hub (the pair's shared test key when None)."""
    radio = SimRadio()
    watches = two_watches(radio)
    alex, sam = watches["alex"], watches["sam"]
    async with (
        running_hub(
            broker, pair_id, radio, {"alex": alex}, settings=settings, seal=seal and seal("alex")
        ) as (alex_hub, alex_seen),
        running_hub(
            broker, pair_id, radio, {"sam": sam}, settings=settings, seal=seal and seal("sam")
        ) as (sam_hub, sam_seen),
    ):
        yield TwoHubs(alex, sam, alex_hub, alex_seen, sam_hub, sam_seen)


class OwnHub(NamedTuple):
    watch: SimulatedBangle
    hub: Hub
    seen: Recorder


@contextlib.asynccontextmanager
async def own_hub(
    broker: BrokerAddress, pair_id: str, wearer: str, *, settings: SessionSettings | None = None
) -> AsyncIterator[OwnHub]:
    """Only ``wearer`` on a hub; the partner's side is elsewhere (a hub process, a client)."""
    radio = SimRadio()
    watch = two_watches(radio)[wearer]
    async with running_hub(broker, pair_id, radio, {wearer: watch}, settings=settings) as (
        hub,
        seen,
    ):
        yield OwnHub(watch, hub, seen)


class HubAndPeer(NamedTuple):
    watch: SimulatedBangle
    hub: Hub
    seen: Recorder
    peer: MqttPeer


@contextlib.asynccontextmanager
async def hub_and_peer(
    broker: BrokerAddress,
    pair_id: str,
    wearer: str,
    *,
    settings: SessionSettings | None = None,
    beating: bool = True,
) -> AsyncIterator[HubAndPeer]:
    """Only ``wearer`` on a hub; the partner's side is an MQTT client holding the pair's key.
    With ``beating`` it sends a hub's heartbeat for the partner, as a client in a hub's place
    must (a partner no hub is heard serving is unreachable)."""
    partner = next(name for name in PAIR if name != wearer)
    async with (
        mqtt_peer(broker, pair_id) as peer,
        own_hub(broker, pair_id, wearer, settings=settings) as (watch, hub, seen),
    ):
        beat = asyncio.create_task(peer.beat_as(partner)) if beating else None
        try:
            yield HubAndPeer(watch, hub, seen, peer)
        finally:
            if beat is not None:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)
