"""Sensor contact lost for too long pauses the partner (fake clock, real broker)."""

from __future__ import annotations

import asyncio

from firmware_bridge import HeartReading
from hub import PairSession, SessionSettings, Topics
from hub._alerts import AlertPlayer
from hub._relay import MqttRelay
from signals import HapticPattern
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import Recorder, mqtt_peer, pair_seal


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_contact_lost_longer_than_the_timeout_pauses_the_partner_until_it_is_back(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    clock = FakeClock()
    felt: dict[str, list[str]] = {"alex": [], "sam": []}

    def player(wearer: str) -> AlertPlayer:
        async def play(pattern: HapticPattern) -> bool:
            felt[wearer].append(pattern.name)
            return True

        return AlertPlayer(play)

    relay = MqttRelay(
        mosquitto.address,
        Topics(pair_id),
        hub_id="both",
        wearers=["alex", "sam"],
        seal=pair_seal(pair_id),
    )
    recorder = Recorder()
    session = PairSession(
        pair_id,
        ("alex", "sam"),
        {"alex": player("alex"), "sam": player("sam")},
        relay,
        observer=recorder.bus.publish,
        settings=SessionSettings(contact_timeout_s=10, realert_interval_s=600),
        clock=clock,
    )
    relay_task = asyncio.create_task(relay.run(session))
    try:
        async with mqtt_peer(mosquitto.address, pair_id) as watcher:
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
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
