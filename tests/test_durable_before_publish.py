"""What this hub sends is on record before it leaves: a local partner's wrist first, then the
signal's or ack's row (durable), then the publish; a hub killed the moment its message reaches
the broker still has the row after a restart."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from firmware_bridge import HeartReading
from hub import (
    AckMessage,
    AckSent,
    PairSession,
    PartnerAlerted,
    SessionSettings,
    SignalMessage,
    SignalSent,
    StateMessage,
    Topics,
)
from hub._alerts import AlertPlayer
from hub.rules import (
    Buzz,
    Commit,
    Confirm,
    Effect,
    Gesture,
    HeardSignal,
    PairRules,
    Publish,
    Record,
    Save,
    Tick,
)
from hub.store import DATABASE_NAME, EventStore, SavedState, StoreReader
from signals import ComfortSignal, HapticPattern, InputEvent, InputKind, SignalSource
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hub_processes import HubProcess
from tests.hubs import pair_seal

STOP_PRESS = InputEvent(InputKind.BUTTON, 0.0, held_s=1.5)


def rules_for(local: list[str]) -> PairRules:
    ids = (f"id-{n}" for n in itertools.count())
    return PairRules(("alex", "sam"), local, hub_id="-".join(local), new_id=ids.__next__)


def first(effects: list[Effect], wanted: type[object], inner: type[object] | None = None) -> int:
    """Where the first effect of kind ``wanted`` (recording or publishing ``inner``) comes."""
    for index, effect in enumerate(effects):
        carried = getattr(effect, "event", getattr(effect, "message", None))
        if isinstance(effect, wanted) and (inner is None or isinstance(carried, inner)):
            return index
    raise AssertionError(f"no {wanted.__name__} in {effects}")


def test_a_local_partner_is_buzzed_before_the_signal_is_made_durable_and_then_published() -> None:
    effects = rules_for(["alex", "sam"]).feed(Gesture("alex", STOP_PRESS, 0.0))
    buzz, sent = first(effects, Buzz), first(effects, Record, SignalSent)
    alerted, save = first(effects, Record, PartnerAlerted), first(effects, Save)
    publish = first(effects, Publish, SignalMessage)
    assert buzz == 0, "sam's wrist never waits for the disk"
    assert sent < save and alerted < save, "the rows commit with the level"
    assert save < publish


def test_an_ack_is_made_durable_before_it_is_published() -> None:
    rules = rules_for(["sam"])
    stop = SignalMessage(
        id="s1", seq=0, signal=ComfortSignal.STOP, source=SignalSource.TAP, at=datetime.now(UTC)
    )
    rules.feed(HeardSignal("alex", stop, 0.0))
    effects = rules.feed(Gesture("sam", InputEvent(InputKind.BUTTON, 5.0, held_s=0.1), 5.0))
    effects += rules.feed(Tick(10.0))  # an ack waits out the gap in which a press can pair
    acked = first(effects, Record, AckSent)
    assert acked < first(effects, Commit) < first(effects, Publish, AckMessage)


def test_a_local_signaller_is_told_of_the_ack_before_any_disk_wait() -> None:
    rules = rules_for(["alex", "sam"])
    rules.feed(Gesture("alex", STOP_PRESS, 0.0))
    effects = rules.feed(Gesture("sam", InputEvent(InputKind.BUTTON, 5.0, held_s=0.1), 5.0))
    effects += rules.feed(Tick(10.0))
    assert first(effects, Confirm) < first(effects, Commit) < first(effects, Publish, AckMessage)


async def kill_when_published(hub: HubProcess, port: int, topic: str, ready: asyncio.Event) -> str:
    """SIGKILLs the hub the moment ``topic`` carries a message; returns the message's id."""
    async with aiomqtt.Client("127.0.0.1", port) as client:
        await client.subscribe(topic, qos=1)
        ready.set()
        async for message in client.messages:
            os.kill(hub.process.pid, signal.SIGKILL)
            payload = message.payload
            assert isinstance(payload, bytes)
            return (
                SignalMessage.model_validate_json(payload).id
                if "signal" in topic
                else (AckMessage.model_validate_json(payload).id)
            )
    raise AssertionError("no message")


def stored(data_dir: Path, kind: str) -> set[str]:
    store = StoreReader(data_dir / DATABASE_NAME)
    return {
        e.data["id"]
        for session in store.sessions()
        for e in store.events(session.id)
        if e.kind == kind
    }


async def restart(pair_id: str, port: int, data_dir: Path, wearers: str) -> None:
    """The next hub to open the store: whatever it finds, the killed hub had committed."""
    again = await HubProcess.start(pair_id, port, data_dir, wearers)
    await again.close()


@pytest.mark.timeout(90)
async def test_a_hub_killed_as_its_stop_reaches_the_broker_has_the_stop_on_record(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "hub-data"
    hub = await HubProcess.start(pair_id, mosquitto.port, data_dir, "alex")
    ready = asyncio.Event()
    topic = Topics(pair_id).signal("alex")
    watcher = asyncio.create_task(kill_when_published(hub, mosquitto.port, topic, ready))
    try:
        await ready.wait()
        await hub.send("press alex 1500")
        signal_id = await asyncio.wait_for(watcher, 20)
    finally:
        watcher.cancel()
        await hub.kill()
    await restart(pair_id, mosquitto.port, data_dir, "alex")
    assert signal_id in stored(data_dir, "signal")


@pytest.mark.timeout(90)
async def test_a_hub_killed_as_its_ack_reaches_the_broker_has_the_ack_on_record(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "hub-data"
    hub = await HubProcess.start(pair_id, mosquitto.port, data_dir, "sam")
    topics = Topics(pair_id)
    ready = asyncio.Event()
    watcher = asyncio.create_task(
        kill_when_published(hub, mosquitto.port, topics.ack("sam"), ready)
    )
    try:
        await ready.wait()
        stop = SignalMessage(
            id="alex-stop",
            seq=0,
            signal=ComfortSignal.STOP,
            source=SignalSource.TAP,
            at=datetime.now(UTC),
        )
        async with aiomqtt.Client("127.0.0.1", mosquitto.port) as alex:
            # Sealed with the pair's key, as alex's hub would: sam's hub refuses anything else.
            topic = topics.signal("alex")
            await alex.publish(topic, pair_seal(pair_id).seal(topic, stop.to_json()), qos=1)
        await wait_until(lambda: bool(hub.saw(type="alert", wearer="sam")), within_s=20)
        await hub.send("press sam")
        acked = await asyncio.wait_for(watcher, 20)
    finally:
        watcher.cancel()
        await hub.kill()
    assert acked == "alex-stop"
    await restart(pair_id, mosquitto.port, data_dir, "sam")
    assert "alex-stop" in stored(data_dir, "ack")


class GatedStore:
    """The real store behind a disk that stays busy until sam's wrist has begun to play."""

    def __init__(self, store: EventStore, gate: threading.Event) -> None:
        self.store = store
        self.gate = gate

    def load(self, pair: str, wearer: str) -> SavedState:
        return self.store.load(pair, wearer)

    def save(self, pair: str, wearer: str, *rest: Any) -> None:
        assert self.gate.wait(20), "the partner's alert waited for the disk"
        self.store.save(pair, wearer, *rest)

    def save_ack(self, pair: str, wearer: str, *rest: Any) -> None:
        assert self.gate.wait(20), "the partner's alert waited for the disk"
        self.store.save_ack(pair, wearer, *rest)


async def test_the_partner_on_this_hub_is_alerted_while_the_level_is_saved(
    tmp_path: Path,
) -> None:
    gate = threading.Event()
    felt: list[str] = []
    sent: list[tuple[str, str, bool]] = []

    async def sams_wrist(pattern: HapticPattern) -> bool:
        felt.append(pattern.name)
        gate.set()
        return True

    class Outbox:
        def publish(self, wearer: str, message: SignalMessage | AckMessage | StateMessage) -> None:
            sent.append((wearer, type(message).__name__, bool(felt)))

        def publish_rehearsal(self, wearer: str, message: SignalMessage) -> None:
            raise AssertionError("no rehearsal here")

    async def alexs_wrist(pattern: HapticPattern) -> bool:
        return True

    now = [1000.0]
    store = EventStore(tmp_path / DATABASE_NAME)
    try:
        session = PairSession(
            "p",
            ("alex", "sam"),
            {"alex": AlertPlayer(alexs_wrist), "sam": AlertPlayer(sams_wrist)},
            Outbox(),
            observer=lambda event: None,
            settings=SessionSettings(contact_timeout_s=10, realert_interval_s=600),
            store=GatedStore(store, gate),
            clock=lambda: now[0],
        )
        session.device_event("alex", HeartReading(1000.0, 70, contact=False))
        session.tick()  # a strap off the skin past the timeout: alex's side pauses sam
        now[0] = 1011.0
        session.tick()
        await wait_until(lambda: ("alex", "SignalMessage", True) in sent)
        assert felt == ["pause"]
        assert sent[0] == ("alex", "SignalMessage", True), "nothing left before the level was kept"
        assert store.load("p", "alex").signal_id is not None, "and the level was kept"
    finally:
        store.close()
