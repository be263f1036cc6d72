"""A venue's layout (docs/scaling.md): partners on two hubs, each hub on its own mosquitto,
the two brokers joined by a mosquitto bridge (``topic comfort/v1/# both 1``).

Everything the pair says crosses the bridge: signals, acks, retained states and each hub's
own status. A bridge outage leaves both hubs connected to their own broker, so neither
hears a will: each must notice the partner's hub falling silent, pause its wearer, and
lift that pause when the bridge heals.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import aiomqtt
import pytest

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import Confirmed, Hub, PartnerAlerted, PartnerUnreachable, SessionSettings
from signals import CONFIRMATION, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.cuttable_link import CuttableLink
from tests.helpers import wait_until
from tests.hubs import Recorder, running_hub, times_played, two_watches

# Long enough that no re-alert muddles what the test counts.
SETTINGS = SessionSettings(realert_interval_s=600)


def bridge_settings(name: str, remote_port: int) -> str:
    """The bridge of docs/scaling.md, to a broker on ``remote_port``, reconnecting quickly."""
    return (
        "allow_anonymous true\n"
        f"connection {name}\n"
        f"address 127.0.0.1:{remote_port}\n"
        "topic comfort/v1/# both 1\n"
        "cleansession false\n"
        "try_private true\n"
        "bridge_protocol_version mqttv311\n"
        f"remote_clientid {name}-{getpass.getuser()}\n"
        "keepalive_interval 2\n"
        "restart_timeout 1\n"
    )


@contextlib.asynccontextmanager
async def bridged_brokers(
    tmp_path: Path,
) -> AsyncIterator[tuple[Mosquitto, Mosquitto, CuttableLink]]:
    """Broker B, and broker A bridged to it through a link the test can cut."""
    far = Mosquitto(tmp_path)
    await far.start()
    link = CuttableLink(far.port)
    await link.heal()
    near = Mosquitto(tmp_path, settings=bridge_settings("room-a", link.port))
    await near.start()
    try:
        yield near, far, link
    finally:
        await near.stop()
        await link.cut()
        await far.stop()


async def retained(broker: Mosquitto, topic: str) -> bytes:
    """What ``broker`` holds retained on ``topic`` (fails the test if nothing)."""
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe(topic, qos=1)
        async with asyncio.timeout(5):
            message = await anext(aiter(client.messages))
    assert message.retain, f"{topic} on port {broker.port} is not retained"
    assert isinstance(message.payload, bytes)
    return message.payload


async def until_bridged(near: Mosquitto, far: Mosquitto, pair_id: str) -> None:
    """Waits until a message published on one broker is heard on the other, both ways."""
    for source, sink in ((near, far), (far, near)):
        topic = f"comfort/v1/{pair_id}-probe/bridge"
        async with aiomqtt.Client("127.0.0.1", sink.port) as listener:
            await listener.subscribe(topic, qos=1)
            async with aiomqtt.Client("127.0.0.1", source.port) as speaker, asyncio.timeout(15):
                while True:
                    await speaker.publish(topic, b"?", qos=1)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(0.5):
                            await anext(aiter(listener.messages))
                            break


class BridgedPair(NamedTuple):
    near: Mosquitto
    far: Mosquitto
    link: CuttableLink
    alex_watch: SimulatedBangle
    sam_watch: SimulatedBangle
    alex_hub: Hub
    alex_seen: Recorder
    sam_hub: Hub
    sam_seen: Recorder


@contextlib.asynccontextmanager
async def bridged_pair(tmp_path: Path, pair_id: str) -> AsyncIterator[BridgedPair]:
    """alex's hub on broker A (near), sam's on broker B (far), once the bridge carries."""
    radio = SimRadio()
    watches = two_watches(radio)
    async with bridged_brokers(tmp_path) as (near, far, link):
        await until_bridged(near, far, pair_id)
        async with (
            running_hub(
                near.address, pair_id, radio, {"alex": watches["alex"]}, settings=SETTINGS
            ) as (alex_hub, alex_seen),
            running_hub(
                far.address, pair_id, radio, {"sam": watches["sam"]}, settings=SETTINGS
            ) as (sam_hub, sam_seen),
        ):
            watched = (watches["alex"], watches["sam"])
            yield BridgedPair(near, far, link, *watched, alex_hub, alex_seen, sam_hub, sam_seen)


@pytest.mark.timeout(60)
async def test_signals_acks_states_and_statuses_cross_the_bridge(
    tmp_path: Path, pair_id: str
) -> None:
    async with bridged_pair(tmp_path, pair_id) as pair:
        near, far, _, alex_watch, sam_watch, alex_hub, alex_seen, sam_hub, sam_seen = pair
        # Each hub's own status is on both brokers: the partner's hub sees it.
        for hub in (alex_hub, sam_hub):
            assert hub.relay.status_topic == f"comfort/v1/{pair_id}/hub/{hub.hub_id}/status"
            for broker in (near, far):
                status = json.loads(await retained(broker, hub.relay.status_topic))
                assert (status["status"], status["hub"]) == ("online", hub.hub_id)

        # alex (on broker A) stops; sam (on broker B) feels it.
        for _ in range(4):
            alex_watch.tap()
            await asyncio.sleep(0.1)
        await wait_until(
            lambda: any(
                e.message.signal is ComfortSignal.STOP for e in sam_seen.of(PartnerAlerted)
            ),
            within_s=10,
        )
        await wait_until(lambda: times_played(sam_watch, pattern_for(ComfortSignal.STOP)) == 1)
        assert b'"stop"' in await retained(far, f"comfort/v1/{pair_id}/alex/state")

        # sam acknowledges on broker B; alex, on broker A, feels the confirmation.
        sam_watch.press()
        await wait_until(lambda: bool(alex_seen.of(Confirmed)), within_s=10)
        await wait_until(lambda: times_played(alex_watch, CONFIRMATION) == 1)
        assert alex_seen.of(Confirmed)[0].by == "sam"
        assert not alex_seen.of(PartnerUnreachable) and not sam_seen.of(PartnerUnreachable)


@pytest.mark.timeout(60)
async def test_a_bridge_outage_pauses_both_sides_until_it_heals(
    tmp_path: Path, pair_id: str
) -> None:
    async with bridged_pair(tmp_path, pair_id) as pair:
        _, _, link, alex_watch, sam_watch, alex_hub, alex_seen, sam_hub, sam_seen = pair

        def paused(seen: Recorder, back: bool) -> bool:
            return any(e.back is back for e in seen.of(PartnerUnreachable))

        # Both hubs stay connected to their own broker: only the bridge goes.
        await link.cut()
        await wait_until(lambda: paused(alex_seen, False) and paused(sam_seen, False), 15)
        assert alex_hub.relay.connected.is_set() and sam_hub.relay.connected.is_set()
        (alex_notice,) = [e for e in alex_seen.of(PartnerUnreachable) if not e.back]
        (sam_notice,) = [e for e in sam_seen.of(PartnerUnreachable) if not e.back]
        assert (alex_notice.wearer, alex_notice.partner) == ("alex", "sam")
        assert (sam_notice.wearer, sam_notice.partner) == ("sam", "alex")
        # Each wrist feels the pause.
        pause = pattern_for(ComfortSignal.PAUSE)
        await wait_until(lambda: times_played(alex_watch, pause) == 1)
        await wait_until(lambda: times_played(sam_watch, pause) == 1)

        # The bridge heals: both pauses are lifted, and the pair talks again.
        await link.heal()
        await wait_until(lambda: paused(alex_seen, True) and paused(sam_seen, True), 20)
        alex_watch.tap()
        alex_watch.tap()
        await wait_until(
            lambda: any(
                e.message.signal is ComfortSignal.SLOW_DOWN for e in sam_seen.of(PartnerAlerted)
            ),
            within_s=10,
        )
