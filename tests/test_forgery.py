"""On an open broker, anyone can publish anything: without the pair's key nothing is felt.

Forged (unsigned, wrong key, altered) and replayed signals, states, acks and statuses are
refused, counted, reported, and never reach a wrist.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmware_bridge.sim import SimRadio
from hub import PartnerAlerted, PartnerUnreachable, Refused, SessionSettings
from hub._pair_key import PairKey
from hub._signing import MessageSeal
from signals import CONFIRMATION, LINK_RESTORED, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import MqttPeer, mqtt_peer, pair_key, running_hub, times_played, two_watches
from tests.pair_setups import hub_and_peer, two_hubs
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
    # Only sam is on this hub; alex's side is the keyed peer, the forger is anyone else.
    async with hub_and_peer(mosquitto.address, pair_id, "sam", settings=NO_REALERT) as (
        sam,
        hub,
        seen,
        alex_side,
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
    # alex's side beats (below) until it freezes, at the end.
    async with hub_and_peer(
        mosquitto.address, pair_id, "sam", settings=NO_REALERT, beating=False
    ) as (
        sam,
        hub,
        seen,
        alex_side,
    ):
        beating = asyncio.create_task(beat(alex_side))
        try:

            def told_alex_is_gone() -> int:
                """How often sam was told to pause because alex's side cannot be heard."""
                return sum(not notice.back for notice in seen.of(PartnerUnreachable))

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

            # alex's hub (id "alex") is there, beating, then says it went offline and came
            # back: sam pauses, then hears it is back.
            await alex_side.publish("hub/alex/status", hub_status("online"))
            await wait_until(lambda: len(alex_side.raw("hub/alex/alive")) >= 1)
            await alex_side.publish("hub/alex/status", hub_status("offline"))
            await wait_until(lambda: told_alex_is_gone() == 1)
            await alex_side.publish("hub/alex/status", hub_status("online"))
            await wait_until(lambda: times_played(sam, LINK_RESTORED) == 1)
            genuine_offline = alex_side.raw("hub/alex/status")[-2]
            felt = len(sam.buzzes)
            offline = json.dumps(hub_status("offline")).encode()
            await alex_side.publish_raw("hub/alex/status", b"offline", retain=True)
            await alex_side.publish_raw("hub/alex/status", offline, retain=True)
            await alex_side.publish_raw(
                "hub/alex/status",
                wrong_key_seal(alex_side, "hub/alex/status", hub_status("offline")),
                retain=True,
            )
            await alex_side.publish_raw("hub/alex/status", genuine_offline, retain=True)
            await wait_until(lambda: hub.relay.refused == 7)
            await asyncio.sleep(SETTLE_S)
            assert len(sam.buzzes) == felt, "a forged or replayed offline paused sam"
            assert told_alex_is_gone() == 1
        finally:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)

        # alex's hub freezes: only forged and replayed heartbeats go on, and sam still pauses.
        genuine_beat = alex_side.raw("hub/alex/alive")[0]
        forged_beat = json.dumps(hub_status("online")).encode()
        while told_alex_is_gone() < 2:
            await alex_side.publish_raw("hub/alex/alive", forged_beat)
            await alex_side.publish_raw("hub/alex/alive", genuine_beat)
            await asyncio.sleep(BEAT_S)
            assert hub.relay.refused < 7 + 2 * 60 / BEAT_S, "sam was never told alex is gone"
        assert hub.relay.refused > 7


BEAT_S = 0.25


def hub_status(status: str) -> dict[str, object]:
    return {"status": status, "hub": "alex", "wearers": ["alex"], "at": now()}


async def beat(peer: MqttPeer) -> None:
    """alex's hub's heartbeat, sealed afresh each time as a running hub's is."""
    while True:
        await peer.publish("hub/alex/alive", hub_status("online"))
        await asyncio.sleep(BEAT_S)


async def test_encrypted_hubs_relay_a_stop_the_broker_cannot_read(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    key = PairKey.generate(pair_id)
    async with (
        mqtt_peer(mosquitto.address, pair_id) as broker_view,
        two_hubs(
            mosquitto.address,
            pair_id,
            settings=NO_REALERT,
            seal=lambda _: MessageSeal(key, encrypt=True),
        ) as (alex, sam, *_),
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        (sealed,) = broker_view.raw("alex/signal")
        assert set(json.loads(sealed)) == {"ctr", "enc"}
        assert b"stop" not in sealed


async def test_a_hub_that_encrypts_refuses_a_partner_hub_that_does_not_and_says_so_once(
    mosquitto: Mosquitto, pair_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = PairKey.generate(pair_id)
    alive = f"comfort/v1/{pair_id}/hub/sam/alive"
    async with two_hubs(
        mosquitto.address,
        pair_id,
        settings=NO_REALERT,
        seal=lambda wearer: MessageSeal(key, encrypt=wearer == "alex"),
    ) as (alex, sam, alex_hub, seen, _, _):
        # sam's hub sends readable (signed) messages: its heartbeat every second, among them.
        await wait_until(lambda: alex_hub.relay.refused >= 5, within_s=15)
        said = [
            r.getMessage()
            for r in caplog.records
            if f"on {alive}: signed but not" in r.getMessage()
        ]
        assert len(said) == 1, "logged once for its topic, however many come"
        assert "set it on both hubs" in said[0]
        refusals = [e for e in seen.of(Refused) if alive in e.reason]
        assert len(refusals) == 1

        # Nothing of sam's side is taken, sam's stop included (the refusal is on the page).
        sam.press(held_ms=1500)
        stop_topic = f"comfort/v1/{pair_id}/sam/signal:"
        await wait_until(lambda: any(stop_topic in e.reason for e in seen.of(Refused)))
        await asyncio.sleep(SETTLE_S)
        assert times_played(alex, STOP) == 0
        assert alex_hub.session.partner_level("alex") is None


async def test_a_hub_hearing_its_own_older_retained_state_back_refuses_nothing(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    radio = SimRadio()
    alex = two_watches(radio)["alex"]
    counters = tmp_path / "counters.json"
    state_topic = f"comfort/v1/{pair_id}/alex/state"
    async with mqtt_peer(mosquitto.address, pair_id) as watcher:
        async with running_hub(
            mosquitto.address,
            pair_id,
            radio,
            {"alex": alex},
            settings=NO_REALERT,
            seal=MessageSeal(pair_key(pair_id), state_path=counters),
        ):
            alex.press(held_ms=1500)
            await wait_until(lambda: len(watcher.raw("alex/state")) == 1)
            alex.press()
            await asyncio.sleep(0.2)
            alex.press()
            await wait_until(lambda: len(watcher.raw("alex/state")) == 2)
            latest = json.loads(watcher.raw("alex/state")[1])["ctr"]
            # Heard back by alex's own hub, and remembered.
            await wait_until(
                lambda: json.loads(counters.read_text())["heard"].get(state_topic, [0])[0] == latest
            )
        older = watcher.raw("alex/state")[0]

    # The broker comes back holding an older retained state of alex's hub's own.
    await mosquitto.kill()
    await mosquitto.start()
    async with mqtt_peer(mosquitto.address, pair_id) as broker_side:
        await broker_side.publish_raw("alex/state", older, retain=True)
        async with running_hub(
            mosquitto.address,
            pair_id,
            radio,
            {"alex": alex},
            settings=NO_REALERT,
            seal=MessageSeal(pair_key(pair_id), state_path=counters),
        ) as (hub, seen):
            await asyncio.sleep(SETTLE_S)
            assert hub.relay.refused == 0, "its own old retained copy was reported as an attack"
            assert seen.of(Refused) == []
            # The same copy played to it live is a replay, and is counted.
            await broker_side.publish_raw("alex/state", older)
            await wait_until(lambda: hub.relay.refused == 1)


async def test_a_resume_from_a_wearer_holding_nothing_lifts_nothing_and_is_never_felt(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    # Each on their own hub; the forger holds the pair's key (or the hubs do not sign).
    async with (
        two_hubs(mosquitto.address, pair_id, settings=NO_REALERT) as (
            alex,
            sam,
            _,
            _,
            sam_hub,
            seen,
        ),
        mqtt_peer(mosquitto.address, pair_id) as forger,
    ):
        # sam's hub knows alex holds nothing once alex's hub is heard (its heartbeat).
        await wait_until(lambda: sam_hub.session.rules.remote["alex"].known)
        await forger.publish("alex/signal", signal_payload("resume", seq=10**6))
        await wait_until(lambda: bool(seen.of(Refused)))
        (refusal,) = seen.of(Refused)
        assert "who holds no level: nothing to lift" in refusal.reason
        assert not seen.of(PartnerAlerted)
        assert times_played(sam, RESUME) == 0

        # alex's real stop and resume still count (the forgery moved no counter)...
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        alex.press()
        await asyncio.sleep(0.2)
        alex.press()
        await wait_until(lambda: times_played(sam, RESUME) == 1)
        assert sam_hub.session.partner_level("sam") is None

        # ...and once lifted, another resume lifts nothing again.
        await forger.publish("alex/signal", signal_payload("resume", seq=10**6 + 1))
        await wait_until(lambda: len(seen.of(Refused)) == 2)
        assert times_played(sam, RESUME) == 1
        lifted = [e for e in seen.of(PartnerAlerted) if e.message.signal is ComfortSignal.RESUME]
        assert len(lifted) == 1
