"""A hub starting with no replay memory (a first start, a wiped data directory): what the
broker kept from long ago is history, never a fresh stop; a stop still held is felt."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from hub import PartnerAlerted, SessionSettings
from hub._signing import MessageSeal
from signals import ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import MqttPeer, mqtt_peer, pair_key, times_played
from tests.pair_setups import own_hub

STOP = pattern_for(ComfortSignal.STOP)
SLOW_DOWN = pattern_for(ComfortSignal.SLOW_DOWN)
NO_REALERT = SessionSettings(realert_interval_s=600)
WEEK_US = 7 * 24 * 3600 * 10**6
LAST_WEEK = "2026-11-18T21:00:00+00:00"


async def publish_sealed_last_week(
    side: MqttPeer, suffix: str, message: dict[str, object], *, retain: bool
) -> None:
    """``message`` sealed with the pair's key a week ago (its counter says when), as the
    broker would still hold it."""
    topic = f"comfort/v1/{side.pair_id}/{suffix}"
    obj = {**message, "ctr": time.time_ns() // 1000 - WEEK_US}
    obj["mac"] = MessageSeal(pair_key(side.pair_id))._mac(topic, obj)
    await side.publish_raw(suffix, json.dumps(obj).encode(), retain=retain)


def signal_of(seq: int, level: str) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "seq": seq, "signal": level, "source": "tap", "at": LAST_WEEK}


async def test_a_stop_retained_from_last_week_never_buzzes_a_hub_starting_afresh(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with mqtt_peer(mosquitto.address, pair_id) as alex_side:
        stop = signal_of(5, "stop")
        state = {"signal": "stop", "id": stop["id"], "seq": 5, "since": LAST_WEEK}
        await publish_sealed_last_week(alex_side, "alex/state", state, retain=True)
        sams_hub = own_hub(mosquitto.address, pair_id, "sam", settings=NO_REALERT)
        async with sams_hub as (sam, hub, seen):
            # What alex's side says now is news, and comes after what the broker kept.
            await alex_side.publish("alex/signal", signal_of(6, "slow_down"))
            await wait_until(lambda: times_played(sam, SLOW_DOWN) == 1)
            assert times_played(sam, STOP) == 0
            assert [e.message.signal for e in seen.of(PartnerAlerted)] == ["slow_down"]
            assert hub.session.partner_level("sam") is ComfortSignal.SLOW_DOWN


async def test_a_stop_still_held_is_felt_by_a_hub_starting_afresh_though_its_copy_is_old(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with (
        own_hub(mosquitto.address, pair_id, "alex", settings=NO_REALERT) as (alex, alex_hub, _),
        mqtt_peer(mosquitto.address, pair_id) as broker_side,
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: any(s["signal"] == "stop" for s in broker_side.on("alex/state")))
        state = broker_side.on("alex/state")[-1]
        # The broker's copy of alex's stop is a week old (alex's hub has held it that long).
        await publish_sealed_last_week(broker_side, "alex/state", state, retain=True)
        await asyncio.sleep(0.2)
        assert alex_hub.session.held("alex") is ComfortSignal.STOP

        # sam's hub starts with no memory: the old copy is history, but alex's hub sees it
        # come online and says the stop again, freshly sealed.
        sams_hub = own_hub(mosquitto.address, pair_id, "sam", settings=NO_REALERT)
        async with sams_hub as (sam, sam_hub, _):
            await wait_until(lambda: times_played(sam, STOP) == 1)
            assert sam_hub.session.partner_level("sam") is ComfortSignal.STOP
            assert sam_hub.session.awaiting_ack("sam") is not None
