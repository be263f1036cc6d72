"""The faults of issue 9, each through a real mosquitto: a stop holds under every one.

Each test failed on the hub before the pair's rules became a pure core (see the issue for
what it did instead); partners on two hubs where the fault needs them.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmware_bridge.sim import SimRadio
from hub import Confirmed, DuplicateDropped, PartnerUnreachable, Refused, SessionSettings
from signals import CONFIRMATION, LINK_RESTORED, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hub_processes import HubProcess
from tests.hubs import mqtt_peer, running_hub, times_played, two_watches
from tests.pair_setups import hub_and_peer, one_hub, own_hub, two_hubs

STOP = pattern_for(ComfortSignal.STOP)
PAUSE = pattern_for(ComfortSignal.PAUSE)
RESUME = pattern_for(ComfortSignal.RESUME)
QUICK_REALERT = SessionSettings(realert_interval_s=1.0)
NO_REALERT = SessionSettings(realert_interval_s=600)
# docs/protocol.md: a hub silent for 3 s is gone; the heartbeat comes every second, and the
# rules look a few times a second: within 4 s of freezing, whatever the broker's keepalive.
FROZEN_HUB_GONE_WITHIN_S = 4.0


def stop_payload(seq: int = 0) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "signal": "stop",
        "source": "tap",
        "at": datetime.now(UTC).isoformat(),
    }


async def test_1_a_pending_stop_outlives_a_broker_flap_and_keeps_being_alerted(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with two_hubs(mosquitto.address, pair_id, settings=QUICK_REALERT) as (
        alex,
        sam,
        alex_hub,
        alex_seen,
        sam_hub,
        seen,
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        stop_id = sam_hub.session.awaiting_ack("sam")
        assert stop_id is not None

        await mosquitto.kill()
        await asyncio.sleep(2.0)
        await mosquitto.start()
        await wait_until(
            lambda: [e.back for e in seen.of(PartnerUnreachable)] == [False, True], within_s=10
        )

        # Still waiting for sam, and still alerted: the link notice took nothing away.
        assert sam_hub.session.awaiting_ack("sam") == stop_id
        felt = times_played(sam, STOP)
        await wait_until(lambda: times_played(sam, STOP) >= felt + 2, within_s=5)
        sam.press()
        await wait_until(lambda: [c.delivered for c in alex_seen.of(Confirmed)] == [True])
        assert sam_hub.session.awaiting_ack("sam") is None
        # The states and ack published again after the restart were sealed afresh: no hub
        # took them for replays.
        assert alex_hub.relay.refused == sam_hub.relay.refused == 0


@pytest.mark.timeout(90)
async def test_1_a_pending_stop_outlives_a_partner_hub_flap_and_keeps_being_alerted(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    async with (
        HubProcess.running(pair_id, mosquitto.port, tmp_path / "alex", "alex") as alex_hub,
        own_hub(mosquitto.address, pair_id, "sam", settings=QUICK_REALERT) as (sam, sam_hub, seen),
    ):
        await alex_hub.send("press alex 1500")
        await wait_until(lambda: times_played(sam, STOP) == 1)
        stop_id = sam_hub.session.awaiting_ack("sam")

        alex_hub.freeze()  # offline (its will, or its silence), then online again
        await wait_until(lambda: len(seen.of(PartnerUnreachable)) == 1, within_s=10)
        alex_hub.thaw()
        await wait_until(lambda: len(seen.of(PartnerUnreachable)) == 2, within_s=15)
        assert [e.back for e in seen.of(PartnerUnreachable)] == [False, True]

        assert sam_hub.session.awaiting_ack("sam") == stop_id
        felt = times_played(sam, STOP)
        await wait_until(lambda: times_played(sam, STOP) >= felt + 2, within_s=5)


async def test_2_a_resume_sent_while_the_partner_hub_was_away_reaches_the_wrist(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    alex, sam = watches["alex"], watches["sam"]
    async with running_hub(mosquitto.address, pair_id, radio, {"alex": alex}, settings=NO_REALERT):
        async with running_hub(mosquitto.address, pair_id, radio, {"sam": sam}):
            alex.press(held_ms=1500)
            await wait_until(lambda: times_played(sam, STOP) == 1)
        # sam's hub is away (restarting, say) while alex lifts the stop.
        alex.press()
        await asyncio.sleep(0.2)
        alex.press()
        async with mqtt_peer(mosquitto.address, pair_id) as watcher:
            await wait_until(
                lambda: [s["signal"] for s in watcher.on("alex/state")][-1:] == ["clear"]
            )
        async with running_hub(mosquitto.address, pair_id, radio, {"sam": sam}) as (hub, _):
            await wait_until(lambda: times_played(sam, RESUME) == 1)
            assert hub.session.partner_level("sam") is None
            await asyncio.sleep(0.5)
            assert times_played(sam, RESUME) == 1, "felt once, from the queue or the state"


@pytest.mark.timeout(90)
async def test_3_each_hub_has_its_own_status_and_a_crashed_partner_hub_is_noticed(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    radio = SimRadio()
    sam = two_watches(radio)["sam"]
    async with (
        HubProcess.running(pair_id, mosquitto.port, tmp_path / "alex", "alex") as alex_hub,
        mqtt_peer(mosquitto.address, pair_id) as watcher,
    ):
        async with running_hub(mosquitto.address, pair_id, radio, {"sam": sam}):
            await alex_hub.kill()  # a crash: the broker publishes its will
            await wait_until(lambda: times_played(sam, PAUSE) == 1, within_s=5)
        # sam's hub comes back; its own "online" must not hide that alex's hub is gone.
        async with running_hub(mosquitto.address, pair_id, radio, {"sam": sam}) as (_, seen):
            await wait_until(lambda: times_played(sam, PAUSE) == 2, within_s=5)
            (gone,) = seen.of(PartnerUnreachable)
            assert (gone.wearer, gone.back) == ("sam", False)
        statuses = {
            str(m.topic): json.loads(bytes(m.payload))  # type: ignore[arg-type,unused-ignore]
            for m in watcher.seen
            if str(m.topic).endswith("/status")
        }
        prefix = f"comfort/v1/{pair_id}/hub"
        assert f"{prefix}/status" not in statuses, "the old shared topic is not written"
        alex_status = statuses[f"{prefix}/alex/status"]
        assert (alex_status["status"], alex_status["wearers"]) == ("offline", ["alex"])
        assert statuses[f"{prefix}/sam/status"]["hub"] == "sam"


async def test_4_levels_come_back_to_a_broker_restarted_empty(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with one_hub(mosquitto.address, pair_id, settings=NO_REALERT) as (alex, sam, hub, _):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        await hub.relay.drained()

        await mosquitto.kill()  # no persistence: every retained state is gone
        await mosquitto.start()
        async with mqtt_peer(mosquitto.address, pair_id) as late:
            await wait_until(
                lambda: [s["signal"] for s in late.on("alex/state")][-1:] == ["stop"], within_s=10
            )


async def test_5_a_refused_ack_does_not_swallow_the_partners_real_one(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with hub_and_peer(mosquitto.address, pair_id, "alex", settings=NO_REALERT) as (
        alex,
        _,
        seen,
        sam_side,
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: len(sam_side.on("alex/signal")) == 1)
        stop_id = sam_side.on("alex/signal")[0]["id"]
        at = datetime.now(UTC).isoformat()
        await sam_side.publish("sam/ack", {"id": stop_id, "by": "mallory", "at": at})
        await wait_until(lambda: bool(seen.of(Refused)))
        await sam_side.publish("sam/ack", {"id": stop_id, "by": "sam", "at": at})
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)


@pytest.mark.timeout(90)
async def test_5_junk_on_made_up_wearers_cannot_make_an_old_stop_alert_again(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with hub_and_peer(mosquitto.address, pair_id, "sam", settings=NO_REALERT) as (
        sam,
        _,
        seen,
        alex_side,
    ):
        stop = stop_payload()
        await alex_side.publish("alex/signal", stop)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        sam.press()
        await wait_until(lambda: len(alex_side.on("sam/ack")) == 1)

        for number in range(4100):  # more than the old shared memory of 4,096 ids
            await alex_side.publish(f"junk{number}/signal", stop_payload())
        await alex_side.publish("alex/signal", stop)  # the acknowledged stop, replayed
        await wait_until(lambda: bool(seen.of(DuplicateDropped)), within_s=30)
        assert times_played(sam, STOP) == 1
        assert len(seen.of(Refused)) == 4100, "each junk message refused, none taken in"


async def test_6_resuming_ones_own_stop_does_not_acknowledge_the_partners(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with one_hub(mosquitto.address, pair_id, settings=NO_REALERT) as (alex, sam, hub, _):
        sam.press(held_ms=1500)
        await wait_until(lambda: times_played(alex, STOP) == 1)
        alex.press(held_ms=1500)
        await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)

        # sam lifts their own stop: two presses, which acknowledge nothing.
        sam.press()
        await asyncio.sleep(0.2)
        sam.press()
        await wait_until(lambda: times_played(alex, RESUME) == 1)
        await asyncio.sleep(1.5)  # longer than the press gap
        assert times_played(alex, CONFIRMATION) == 0
        assert hub.session.awaiting_ack("sam") is not None, "alex's stop still waits for sam"

        sam.press()  # one press: "I noticed"
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)
        assert hub.session.held("alex") is ComfortSignal.STOP


@pytest.mark.timeout(90)
async def test_7_a_frozen_partner_hub_is_declared_gone_within_what_the_protocol_promises(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    async with (
        HubProcess.running(pair_id, mosquitto.port, tmp_path / "alex", "alex") as alex_hub,
        own_hub(mosquitto.address, pair_id, "sam") as (sam, _, seen),
    ):
        await asyncio.sleep(2.0)  # each hub has heard the other's status and heartbeats
        alex_hub.freeze()
        await wait_until(lambda: times_played(sam, PAUSE) == 1, within_s=FROZEN_HUB_GONE_WITHIN_S)
        (gone,) = seen.of(PartnerUnreachable)
        assert not gone.back
        alex_hub.thaw()
        await wait_until(lambda: times_played(sam, LINK_RESTORED) == 1, within_s=15)
