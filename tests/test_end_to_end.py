"""The whole path through a real broker: a tap on one wrist buzzes the partner's wrist."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import aiomqtt

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress
from hub._events import Confirmed, HubEvent, PartnerAlerted
from hub._hub import Hub, WearerDevice
from signals import CONFIRMATION, ComfortSignal, pattern_for
from tests.helpers import wait_until


@contextlib.asynccontextmanager
async def spy(broker: BrokerAddress, pair_id: str) -> AsyncIterator[list[aiomqtt.Message]]:
    """A third-party MQTT client that records everything on the pair's topics."""
    seen: list[aiomqtt.Message] = []
    async with aiomqtt.Client(broker.host, broker.port, identifier=f"spy-{pair_id}") as client:
        await client.subscribe(f"comfort/v1/{pair_id}/#", qos=1)

        async def record() -> None:
            async for message in client.messages:
                seen.append(message)

        task = asyncio.create_task(record())
        try:
            yield seen
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def running_hub(
    broker: BrokerAddress, pair_id: str, radio: SimRadio, events: list[HubEvent]
) -> AsyncIterator[Hub]:
    hub = Hub(
        pair_id,
        ("alex", "sam"),
        [
            WearerDevice("alex", "C0:00:00:00:0A:01", BangleDriver()),
            WearerDevice("sam", "C0:00:00:00:0B:01", BangleDriver()),
        ],
        broker,
        observer=events.append,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
    )
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            await hub.ready()
        yield hub
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_four_taps_buzz_the_partner_and_the_ack_confirms_back(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    alex = radio.add(SimulatedBangle("C0:00:00:00:0A:01"))
    sam = radio.add(SimulatedBangle("C0:00:00:00:0B:01"))
    events: list[HubEvent] = []
    async with spy(broker, pair_id) as seen, running_hub(broker, pair_id, radio, events):
        for _ in range(4):
            alex.tap()
            await asyncio.sleep(0.15)

        # Sam's wrist plays the stop pattern: its three short pulses end the buzzes.
        stop = pattern_for(ComfortSignal.STOP)
        await wait_until(
            lambda: (
                [(b.ms, b.strength) for b in sam.buzzes[-3:]]
                == [(p.on_ms, p.strength) for p in stop.pulses]
            )
        )
        assert alex.buzzes == [], "nothing confirms before the partner acknowledges"

        sam.press()
        await wait_until(lambda: any(isinstance(e, Confirmed) for e in events))
        await wait_until(lambda: len(alex.buzzes) == 1)
        assert (alex.buzzes[0].ms, alex.buzzes[0].strength) == (
            CONFIRMATION.pulses[0].on_ms,
            CONFIRMATION.pulses[0].strength,
        )
        await wait_until(lambda: any(str(m.topic).endswith("/sam/ack") for m in seen))

    signal_topic = f"comfort/v1/{pair_id}/alex/signal"
    published = [m for m in seen if str(m.topic) == signal_topic]
    assert [m.qos for m in published] == [1, 1, 1]
    assert [m.retain for m in published] == [False, False, False]
    bodies = [json.loads(m.payload) for m in published]  # type: ignore[arg-type]
    assert [b["signal"] for b in bodies] == ["slow_down", "pause", "stop"]
    assert [b["seq"] for b in bodies] == [0, 1, 2]
    assert {b["source"] for b in bodies} == {"tap"}
    assert len({b["id"] for b in bodies}) == 3

    (ack,) = [json.loads(m.payload) for m in seen if str(m.topic).endswith("/sam/ack")]  # type: ignore[arg-type]
    assert ack["id"] == bodies[-1]["id"] and ack["by"] == "sam"

    # The confirmation buzz came after Sam's acknowledgement reached the broker.
    state = [m for m in seen if str(m.topic) == f"comfort/v1/{pair_id}/alex/state"]
    assert json.loads(state[-1].payload)["signal"] == "stop"  # type: ignore[arg-type]

    alerted = [e for e in events if isinstance(e, PartnerAlerted)]
    assert [e.message.signal for e in alerted] == ["slow_down", "pause", "stop"]
    assert all(e.wearer == "sam" and e.latency_ms is not None for e in alerted)
