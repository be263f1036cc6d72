"""The whole path with a real broker: a tap on one wrist buzzes the partner's wrist."""

from __future__ import annotations

import asyncio

from hub import BrokerAddress, Confirmed, PartnerAlerted
from signals import CONFIRMATION, ComfortSignal, pattern_for
from tests.helpers import wait_until
from tests.hubs import mqtt_peer, times_played
from tests.pair_setups import one_hub


async def test_four_taps_buzz_the_partner_and_the_ack_confirms_back(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with (
        mqtt_peer(broker, pair_id) as peer,
        one_hub(broker, pair_id) as (alex, sam, _, seen),
    ):
        for _ in range(4):
            alex.tap()
            await asyncio.sleep(0.15)

        # Sam's wrist plays the stop pattern.
        await wait_until(lambda: times_played(sam, pattern_for(ComfortSignal.STOP)) == 1)
        assert alex.buzzes == [], "nothing confirms before the partner acknowledges"

        sam.press()
        await wait_until(lambda: bool(seen.of(Confirmed)))
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)
        assert len(alex.buzzes) == 1, "one confirmation, nothing else"
        await wait_until(lambda: bool(peer.on("sam/ack")))
        await wait_until(lambda: len(peer.on("alex/signal")) == 3)

    published = [m for m in peer.seen if str(m.topic) == f"comfort/v1/{pair_id}/alex/signal"]
    assert [m.qos for m in published] == [1, 1, 1]
    assert [m.retain for m in published] == [False, False, False]
    bodies = peer.on("alex/signal")
    assert [b["signal"] for b in bodies] == ["slow_down", "pause", "stop"]
    assert [b["seq"] for b in bodies] == [0, 1, 2]
    assert {b["source"] for b in bodies} == {"tap"}
    assert len({b["id"] for b in bodies}) == 3

    (ack,) = peer.on("sam/ack")
    assert ack["id"] == bodies[-1]["id"] and ack["by"] == "sam"
    assert peer.on("alex/state")[-1]["signal"] == "stop"

    alerted = seen.of(PartnerAlerted)
    assert [e.message.signal for e in alerted] == ["slow_down", "pause", "stop"]
    assert all(e.wearer == "sam" and e.latency_ms is not None for e in alerted)
