"""The bare hop ``bench latency`` compares the hub with: one QoS 1 message from a client to
another through the same broker, with the same client library and socket options as the
hub's relay. It is the floor: a signal between two hubs takes this hop and more."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiomqtt

from hub._broker import NO_DELAY, BrokerAddress
from hub.lab._figures import Latency

# A message slower than this is lost, not slow.
HOP_TIMEOUT_S = 5.0


class BareHop:
    """Two connected clients, one subscribed: :meth:`once` times one message between them."""

    def __init__(self, received: asyncio.Queue[float], tx: aiomqtt.Client, topic: str) -> None:
        self._received = received
        self._tx = tx
        self._topic = topic

    async def once(self) -> float:
        """Milliseconds from the publish call to the subscriber having the message."""
        sent = time.perf_counter()
        await self._tx.publish(self._topic, b"x", qos=1)
        async with asyncio.timeout(HOP_TIMEOUT_S):
            return (await self._received.get() - sent) * 1000


@contextlib.asynccontextmanager
async def bare_hop_between(broker: BrokerAddress) -> AsyncIterator[BareHop]:
    received: asyncio.Queue[float] = asyncio.Queue()
    topic = f"comfort-bench/{time.monotonic_ns()}/hop"
    async with _client(broker) as rx, _client(broker) as tx:
        await rx.subscribe(topic, qos=1)

        async def listen() -> None:
            async for _ in rx.messages:
                received.put_nowait(time.perf_counter())

        listener = asyncio.create_task(listen())
        try:
            yield BareHop(received, tx, topic)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)


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
