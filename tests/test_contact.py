"""Sensor contact lost for too long pauses the partner (fake clock, real broker)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from firmware_bridge import HeartReading, LinkEvent, LinkState
from hub import BrokerAddress, PairSession, SessionSettings, Topics
from hub._alerts import AlertPlayer
from hub._relay import MqttRelay
from signals import ComfortSignal, HapticPattern
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import Recorder, mqtt_peer, pair_seal


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextlib.asynccontextmanager
async def contact_session(
    broker: BrokerAddress, pair_id: str, clock: FakeClock
) -> AsyncIterator[tuple[PairSession, dict[str, list[str]]]]:
    """alex and sam on one session with a 10 s contact timeout; what each wrist felt."""
    felt: dict[str, list[str]] = {"alex": [], "sam": []}

    def player(wearer: str) -> AlertPlayer:
        async def play(pattern: HapticPattern) -> bool:
            felt[wearer].append(pattern.name)
            return True

        return AlertPlayer(play)

    relay = MqttRelay(
        broker, Topics(pair_id), hub_id="both", wearers=["alex", "sam"], seal=pair_seal(pair_id)
    )
    session = PairSession(
        pair_id,
        ("alex", "sam"),
        {"alex": player("alex"), "sam": player("sam")},
        relay,
        observer=Recorder().bus.publish,
        settings=SessionSettings(contact_timeout_s=10, realert_interval_s=600),
        clock=clock,
    )
    relay_task = asyncio.create_task(relay.run(session))
    try:
        yield session, felt
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)


async def test_contact_lost_longer_than_the_timeout_pauses_the_partner_until_it_is_back(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    clock = FakeClock()
    async with (
        contact_session(mosquitto.address, pair_id, clock) as (session, felt),
        mqtt_peer(mosquitto.address, pair_id) as watcher,
    ):
        session.device_event("alex", HeartReading(clock.now, 70, contact=False))
        clock.now += 9.9
        session.tick()
        session.device_event("alex", HeartReading(clock.now, 71, contact=False))
        await asyncio.sleep(0.05)
        assert felt["sam"] == [], "a strap shifting for a moment is not a pause"

        clock.now += 0.2
        session.tick()
        await wait_until(lambda: felt["sam"] == ["pause"])
        await wait_until(lambda: len(watcher.on("alex/signal")) == 1)
        (pause,) = watcher.on("alex/signal")
        assert (pause["signal"], pause["source"]) == ("pause", "link")

        clock.now += 30
        session.tick()
        session.device_event("alex", HeartReading(clock.now, 72, contact=True))
        await wait_until(lambda: felt["sam"] == ["pause", "resume"])
        await wait_until(lambda: len(watcher.on("alex/signal")) == 2)
        assert watcher.on("alex/signal")[1]["signal"] == "resume"
        assert felt["alex"] == [], "alex's own wrist is not buzzed for their own contact"


async def test_a_heart_reading_just_after_a_link_drop_finds_contact_never_lost(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    """A drop almost as long as the contact timeout: the partner is paused for the drop and
    told when it is over, and the sensor, which could not be heard meanwhile, is not then
    taken for off the skin before its next reading."""
    clock = FakeClock()
    async with contact_session(mosquitto.address, pair_id, clock) as (session, felt):
        session.device_event("alex", HeartReading(clock.now, 70, contact=True))
        clock.now += 1
        session.link_event("alex", LinkEvent(LinkState.LOST, clock.now, "alex's watch"))
        assert session.effective_level("alex") is ComfortSignal.PAUSE
        clock.now += 8.8
        session.tick()
        session.link_event("alex", LinkEvent(LinkState.RESTORED, clock.now, "alex's watch"))
        assert session.effective_level("alex") is None
        clock.now += 0.5  # 10.3 s since the last reading, 0.5 s since the link came back
        session.tick()
        assert session.effective_level("alex") is None, "no contact lost on the link's return"
        session.device_event("alex", HeartReading(clock.now, 71, contact=True))
        await wait_until(lambda: felt["sam"][-1:] == ["resume"])
