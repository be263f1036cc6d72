"""On an open broker, anyone can publish anything: without the pair's key nothing is felt.

Forged (unsigned, wrong key, altered) and replayed signals, states, acks and statuses are
refused, counted, reported, and never reach a wrist.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from firmware_bridge.sim import SimRadio
from hub._events import Refused
from hub._pair_key import PairKey
from hub._session import SessionSettings
from hub._signing import MessageSeal
from signals import CONFIRMATION, LINK_RESTORED, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import MqttPeer, mqtt_peer, running_hub, times_played, two_watches
from tests.test_safety import signal_payload

STOP = pattern_for(ComfortSignal.STOP)
PAUSE = pattern_for(ComfortSignal.PAUSE)
RESUME = pattern_for(ComfortSignal.RESUME)
NO_REALERT = SessionSettings(realert_interval_s=600)
# Long enough for a forgery to have reached the hub and been acted on, had it been accepted.
SETTLE_S = 0.5


def now() -> str:
    return datetime.now(UTC).isoformat()


def wrong_key_seal(peer: MqttPeer, suffix: str, payload: dict[str, object]) -> bytes:
    stranger = MessageSeal(PairKey.generate(peer.pair_id))
    return stranger.seal(f"comfort/v1/{peer.pair_id}/{suffix}", json.dumps(payload).encode())


def altered(sealed: bytes, **changes: object) -> bytes:
    return json.dumps({**json.loads(sealed), **changes}).encode()


async def test_forged_and_replayed_signals_and_states_are_refused_and_never_felt(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    sam = two_watches(radio)["sam"]
    # Only sam is on this hub; alex's side is the keyed peer, the forger is anyone else.
    async with (
        running_hub(mosquitto.address, pair_id, radio, {"sam": sam}, settings=NO_REALERT) as (
            hub,
            seen,
        ),
        mqtt_peer(mosquitto.address, pair_id) as alex_side,
    ):
        stop = signal_payload("stop")
        await alex_side.publish("alex/state", {"signal": "stop", "id": stop["id"], "since": now()})
        await alex_side.publish("alex/signal", stop)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        genuine_stop = alex_side.raw("alex/signal")[0]
        genuine_stop_state = alex_side.raw("alex/state")[0]

        # Forgeries while alex holds the stop: each would lift it if it were believed.
        resume = signal_payload("resume", seq=1)
        forger = alex_side.publish_raw
        await forger("alex/signal", json.dumps(resume).encode())
        await forger("alex/signal", wrong_key_seal(alex_side, "alex/signal", resume))
        await forger("alex/signal", altered(genuine_stop, signal="resume", id="forged-1"))
        await forger(
            "alex/state", json.dumps({"signal": "clear", "since": now()}).encode(), retain=True
        )
        await wait_until(lambda: hub.relay.refused == 4)
        assert hub.session.partner_level("sam") is ComfortSignal.STOP
        assert times_played(sam, RESUME) == 0

        # alex lifts it, then the old stop and its state are replayed.
        await alex_side.publish("alex/signal", resume)
        await alex_side.publish("alex/state", {"signal": "clear", "since": now()})
        await wait_until(lambda: times_played(sam, RESUME) == 1)
        felt = len(sam.buzzes)
        await forger("alex/signal", genuine_stop)
        await forger("alex/state", genuine_stop_state, retain=True)
        await wait_until(lambda: hub.relay.refused == 6)
        await asyncio.sleep(SETTLE_S)
        assert len(sam.buzzes) == felt, "sam's wrist felt a forgery"
        assert hub.session.partner_level("sam") is None

        refusals = [e.reason for e in seen.of(Refused)]
        assert len(refusals) == 6
        assert sum("replay" in r for r in refusals) == 2
        assert all("alex" in r for r in refusals)


async def test_forged_and_replayed_acks_and_hub_statuses_are_refused_and_never_felt(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    sam = two_watches(radio)["sam"]
    async with (
        running_hub(mosquitto.address, pair_id, radio, {"sam": sam}, settings=NO_REALERT) as (
            hub,
            _,
        ),
        mqtt_peer(mosquitto.address, pair_id) as alex_side,
    ):
        sam.press(held_ms=1500)  # sam's stop, for alex to acknowledge
        await wait_until(lambda: len(alex_side.on("sam/signal")) == 1)
        stop_id = alex_side.on("sam/signal")[0]["id"]
        ack = {"id": stop_id, "by": "alex", "at": now()}

        await alex_side.publish_raw("alex/ack", json.dumps(ack).encode())
        await alex_side.publish_raw("alex/ack", wrong_key_seal(alex_side, "alex/ack", ack))
        await wait_until(lambda: hub.relay.refused == 2)
        await asyncio.sleep(SETTLE_S)
        assert times_played(sam, CONFIRMATION) == 0, "a forged ack told sam alex had noticed"

        await alex_side.publish("alex/ack", ack)
        await wait_until(lambda: times_played(sam, CONFIRMATION) == 1)
        genuine_ack = alex_side.raw("alex/ack")[-1]
        await alex_side.publish("alex/ack", {"id": "another", "by": "alex", "at": now()})
        await alex_side.publish_raw("alex/ack", genuine_ack)
        await wait_until(lambda: hub.relay.refused == 3)

        # alex's hub says it went offline and came back: sam pauses, then hears it is back.
        await alex_side.publish("hub/status", {"status": "offline"})
        await wait_until(lambda: times_played(sam, PAUSE) == 1)
        await alex_side.publish("hub/status", {"status": "online"})
        await wait_until(lambda: times_played(sam, LINK_RESTORED) == 1)
        genuine_offline = alex_side.raw("hub/status")[-2]
        felt = len(sam.buzzes)
        await alex_side.publish_raw("hub/status", b"offline", retain=True)
        await alex_side.publish_raw(
            "hub/status", json.dumps({"status": "offline"}).encode(), retain=True
        )
        await alex_side.publish_raw("hub/status", genuine_offline, retain=True)
        await wait_until(lambda: hub.relay.refused == 6)
        await asyncio.sleep(SETTLE_S)
        assert len(sam.buzzes) == felt, "a forged or replayed offline paused sam"


async def test_encrypted_hubs_relay_a_stop_the_broker_cannot_read(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    alex, sam = watches["alex"], watches["sam"]
    key = PairKey.generate(pair_id)
    async with (
        mqtt_peer(mosquitto.address, pair_id) as broker_view,
        running_hub(
            mosquitto.address,
            pair_id,
            radio,
            {"alex": alex},
            settings=NO_REALERT,
            seal=MessageSeal(key, encrypt=True),
        ),
        running_hub(
            mosquitto.address,
            pair_id,
            radio,
            {"sam": sam},
            settings=NO_REALERT,
            seal=MessageSeal(key, encrypt=True),
        ),
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        (sealed,) = broker_view.raw("alex/signal")
        assert set(json.loads(sealed)) == {"ctr", "enc"}
        assert b"stop" not in sealed
