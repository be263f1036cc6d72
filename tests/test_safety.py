"""The safety rules, through a real mosquitto broker and simulated wearables."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from functools import partial

from hub import (
    Confirmed,
    DuplicateDropped,
    LinkChanged,
    PartnerAlerted,
    PartnerUnreachable,
    Realerted,
    Refused,
    SessionSettings,
)
from signals import CONFIRMATION, LINK_RESTORED, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import mqtt_peer, times_played
from tests.pair_setups import hub_and_peer, one_hub, two_hubs

STOP = pattern_for(ComfortSignal.STOP)
PAUSE = pattern_for(ComfortSignal.PAUSE)
RESUME = pattern_for(ComfortSignal.RESUME)
# Longer than the stop pattern (650 ms), so each re-alert is felt whole.
QUICK_REALERT = SessionSettings(realert_interval_s=1.0)
STOP_PLAYS_S = sum(p.on_ms + p.off_ms for p in STOP.pulses) / 1000 + 0.1
NO_REALERT = SessionSettings(realert_interval_s=600)


def signal_payload(signal: str, seq: int = 0) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "signal": signal,
        "source": "tap",
        "at": datetime.now(UTC).isoformat(),
    }


async def test_an_unacknowledged_stop_is_alerted_again_until_the_partner_acknowledges(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with one_hub(mosquitto.address, pair_id, settings=QUICK_REALERT) as (alex, sam, _, seen):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) >= 3)
        realerts = seen.of(Realerted)
        assert [r.count for r in realerts[:2]] == [1, 2]
        assert all(r.wearer == "sam" and r.message.signal == "stop" for r in realerts)

        sam.press()
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)
        # A re-alert that began while the press waited out the press gap plays to its end.
        await asyncio.sleep(STOP_PLAYS_S)
        played_at_ack = times_played(sam, STOP)
        await asyncio.sleep(3 * QUICK_REALERT.realert_interval_s)
        assert times_played(sam, STOP) == played_at_ack, "no re-alert after the ack"
        assert len(seen.of(Confirmed)) == 1


async def test_a_slow_down_is_not_repeated(mosquitto: Mosquitto, pair_id: str) -> None:
    async with one_hub(mosquitto.address, pair_id, settings=QUICK_REALERT) as (alex, _, _, seen):
        alex.tap()
        alex.tap()
        await wait_until(lambda: len(seen.of(PartnerAlerted)) == 1)
        await asyncio.sleep(3 * QUICK_REALERT.realert_interval_s)
        assert seen.of(Realerted) == []


async def test_a_forged_resume_on_the_signallers_topic_is_refused(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with (
        one_hub(mosquitto.address, pair_id, settings=NO_REALERT) as (alex, sam, hub, seen),
        mqtt_peer(mosquitto.address, pair_id) as forger,
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)

        # Someone who is not alex's side publishes a resume as if alex had lifted the stop.
        await forger.publish("alex/signal", signal_payload("resume", seq=99))
        await wait_until(lambda: bool(seen.of(Refused)))
        (refusal,) = seen.of(Refused)
        assert "only alex can signal (or resume) for alex" in refusal.reason
        assert hub.session.held("alex") is ComfortSignal.STOP
        assert times_played(sam, RESUME) == 0
        # sam still has the stop to acknowledge: the forgery cleared nothing.
        assert hub.session.awaiting_ack("sam") is not None

        # The partner cannot lift alex's stop from their side either: they hold nothing.
        assert hub.session.resume("sam") is None
        assert hub.session.held("alex") is ComfortSignal.STOP

        # alex can.
        alex.press()
        await asyncio.sleep(0.2)
        alex.press()
        await wait_until(lambda: times_played(sam, RESUME) == 1)
        assert hub.session.held("alex") is None


async def test_duplicate_deliveries_produce_one_alert(mosquitto: Mosquitto, pair_id: str) -> None:
    # Only sam is on this hub: alex's signals arrive from elsewhere through the broker.
    async with hub_and_peer(mosquitto.address, pair_id, "sam", settings=NO_REALERT) as (
        sam,
        _,
        seen,
        alex_side,
    ):
        stop = signal_payload("stop")
        for _ in range(3):
            await alex_side.publish("alex/signal", stop)
        await wait_until(lambda: len(seen.of(DuplicateDropped)) == 2)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        await asyncio.sleep(1.0)
        assert len(seen.of(PartnerAlerted)) == 1
        assert len(sam.buzzes) == len(STOP.pulses)

        # An ack sent twice confirms once: alex's side receives one ack per press.
        sam.press()
        await wait_until(lambda: len(alex_side.on("sam/ack")) == 1)
        assert alex_side.on("sam/ack")[0]["id"] == stop["id"]


async def test_a_dropped_wearable_pauses_the_partner_within_3_s_and_says_when_it_is_back(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with (
        one_hub(mosquitto.address, pair_id, settings=NO_REALERT) as (alex, sam, _, seen),
        mqtt_peer(mosquitto.address, pair_id) as watcher,
    ):
        alex.leave()  # out of range: the BLE link drops
        await wait_until(lambda: times_played(sam, PAUSE) == 1, within_s=3)
        await wait_until(lambda: len(watcher.on("alex/signal")) == 1)
        (link_pause,) = watcher.on("alex/signal")
        assert (link_pause["signal"], link_pause["source"]) == ("pause", "link")
        assert watcher.on("alex/state")[-1]["signal"] == "pause"

        alex.come_back()
        await wait_until(lambda: times_played(sam, RESUME) == 1, within_s=10)
        await wait_until(lambda: len(watcher.on("alex/signal")) == 2)
        assert (watcher.on("alex/signal")[1]["signal"], watcher.on("alex/signal")[1]["source"]) == (
            "resume",
            "link",
        )
        alerted = [(e.message.signal, e.message.source) for e in seen.of(PartnerAlerted)]
        assert alerted == [("pause", "link"), ("resume", "link")]


async def test_a_drop_during_a_stop_keeps_the_partner_in_stop(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with one_hub(mosquitto.address, pair_id, settings=NO_REALERT) as (alex, sam, hub, seen):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        (stop,) = [a.message for a in seen.of(PartnerAlerted)]
        alex.leave()
        await wait_until(lambda: [c.event.state for c in seen.of(LinkChanged)][-1:] == ["lost"])
        # Never lowered to a pause: the level stays what alex asked for, the same stop, still
        # waiting for sam (a new id would buzz sam again and undo an "I noticed").
        assert hub.session.effective_level("alex") is ComfortSignal.STOP
        alex.come_back()
        await wait_until(
            lambda: [c.event.state for c in seen.of(LinkChanged)][-1:] == ["restored"],
            within_s=10,
        )
        assert [a.message for a in seen.of(PartnerAlerted)] == [stop], "nothing new for sam"
        assert hub.session.awaiting_ack("sam") == stop.id
        assert times_played(sam, PAUSE) == 0 and times_played(sam, RESUME) == 0


async def test_with_the_broker_down_one_hub_still_alerts_between_its_wearers(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with one_hub(mosquitto.address, pair_id, settings=NO_REALERT) as (alex, sam, hub, _):
        await mosquitto.kill()
        await wait_until(lambda: not hub.relay.connected.is_set())
        for _ in range(4):
            alex.tap()
            await asyncio.sleep(0.1)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        sam.press()
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)

        # Once the broker is back, what was said while it was away is published.
        await mosquitto.start()
        async with mqtt_peer(mosquitto.address, pair_id) as late:
            # A client arriving late learns the level from the retained state.
            await wait_until(
                lambda: [s["signal"] for s in late.on("alex/state")][-1:] == ["stop"], within_s=10
            )


async def test_two_hubs_pause_their_wearers_when_the_broker_goes_and_say_when_it_is_back(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with two_hubs(mosquitto.address, pair_id, settings=NO_REALERT) as (
        alex,
        sam,
        _,
        alex_hub,
        sam_hub_obj,
        sam_hub,
    ):
        # Across hubs the broker carries the signal.
        for _ in range(4):
            alex.tap()
            await asyncio.sleep(0.1)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        sam.press()
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)
        assert sam_hub_obj.session.awaiting_ack("sam") is None

        await mosquitto.kill()
        for watch in (alex, sam):
            await wait_until(partial(lambda w: times_played(w, PAUSE) == 1, watch), within_s=3)
        assert {
            e.wearer for e in alex_hub.of(PartnerUnreachable) + sam_hub.of(PartnerUnreachable)
        } == {
            "alex",
            "sam",
        }
        await mosquitto.start()
        for watch in (alex, sam):
            await wait_until(
                partial(lambda w: times_played(w, LINK_RESTORED) == 1, watch), within_s=10
            )
