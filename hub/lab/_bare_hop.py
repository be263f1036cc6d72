"""The bare hop ``bench latency`` compares the hub with: one QoS 1 message from a client to
another through the same broker, with the same client library and socket options as the
hub's relay. It is the floor: a signal between two hubs takes this hop and more.

The receiving client lives where the path's partner lives: in this process for the one-hub
path, in the partner hub's process for the two-hub path (:func:`listen_for_hops`, which
that process runs), so each path is compared with a hop between the same processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiomqtt

from hub._broker import NO_DELAY, BrokerAddress
from hub.lab._figures import Latency

# A message slower than this is lost, not slow.
HOP_TIMEOUT_S = 5.0


class BareHop:
    """A connected client publishing on ``topic``; :meth:`once` times one message to the
    subscriber, whose arrivals ``arrival(n)`` gives (the n-th, counted from 1, on the
    monotonic clock every process of the machine shares)."""

    def __init__(
        self, tx: aiomqtt.Client, topic: str, arrival: Callable[[int], Awaitable[float]]
    ) -> None:
        self._tx = tx
        self._topic = topic
        self._arrival = arrival
        self._sent = 0

    async def once(self) -> float:
        """Milliseconds from the publish call to the subscriber having the message."""
        self._sent += 1
        sent = time.monotonic()
        await self._tx.publish(self._topic, b"x", qos=1)
        async with asyncio.timeout(HOP_TIMEOUT_S):
            return (await self._arrival(self._sent) - sent) * 1000


def hop_topic() -> str:
    return f"comfort-bench/{time.monotonic_ns()}/hop"


@contextlib.asynccontextmanager
async def bare_hop_to(
    broker: BrokerAddress, topic: str, arrival: Callable[[int], Awaitable[float]]
) -> AsyncIterator[BareHop]:
    """A hop to a subscriber already listening on ``topic`` elsewhere."""
    async with _client(broker) as tx:
        yield BareHop(tx, topic, arrival)


@contextlib.asynccontextmanager
async def bare_hop_between(broker: BrokerAddress) -> AsyncIterator[BareHop]:
    """A hop between two clients of this process."""
    arrivals: list[float] = []
    heard = asyncio.Event()
    topic = hop_topic()

    async def arrival(number: int) -> float:
        while len(arrivals) < number:
            heard.clear()
            await heard.wait()
        return arrivals[number - 1]

    def arrived(at: float) -> None:
        arrivals.append(at)
        heard.set()

    subscribed = asyncio.Event()
    listener = asyncio.create_task(listen_for_hops(broker, topic, subscribed.set, arrived))
    try:
        await subscribed.wait()
        async with bare_hop_to(broker, topic, arrival) as hop:
            yield hop
    finally:
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)


async def listen_for_hops(
    broker: BrokerAddress,
    topic: str,
    subscribed: Callable[[], None],
    arrived: Callable[[float], None],
) -> None:
    """The subscribing end: ``arrived(time)`` for each message, as aiomqtt's iterator hands
    it over; ``subscribed()`` once the broker confirmed the subscription."""
    async with _client(broker) as rx:
        await rx.subscribe(topic, qos=1)
        subscribed()
        async for _ in rx.messages:
            arrived(time.monotonic())


async def bare_hops(broker: BrokerAddress, count: int) -> Latency:
    """``count`` hops back to back, each sent as soon as the previous one arrived."""
    async with bare_hop_between(broker) as hop:
        return Latency(tuple([await hop.once() for _ in range(count)]))


def _client(broker: BrokerAddress) -> aiomqtt.Client:
    return aiomqtt.Client(
        broker.host,
        broker.port,
        username=broker.username,
        password=broker.password,
        socket_options=NO_DELAY,
    )
