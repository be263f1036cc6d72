"""The signaller's "your partner noticed" is felt, whatever else lands on their wrist at the
same moment: here the link to the partner's hub coming back with the ack (hub._alerts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from firmware_bridge.sim import SimRadio
from hub import Confirmed, PartnerUnreachable, SessionSettings, SignalSent
from signals import CONFIRMATION, LINK_RESTORED
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import mqtt_peer, pair_seal, running_hub, times_played, two_watches

NO_REALERT = SessionSettings(realert_interval_s=600)
(_CONFIRMATION_PULSE,) = CONFIRMATION.pulses
LIGHT_PULSE = (_CONFIRMATION_PULSE.on_ms, _CONFIRMATION_PULSE.strength)
assert all((p.on_ms, p.strength) == LIGHT_PULSE for p in LINK_RESTORED.pulses)


def alex_hub_status() -> dict[str, Any]:
    """What alex's hub (played here by an MQTT client) says on its status and heartbeat."""
    return {"status": "online", "hub": "alex", "wearers": ["alex"], "at": _now()}


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def test_an_ack_kept_while_the_broker_was_down_is_felt_though_the_link_comes_back_with_it(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    sam = two_watches(radio)["sam"]
    # alex's hub, played by an MQTT client with the pair's key (and one set of counters), so
    # that what it sends on its return lands in the order of the reported run.
    alex_seal = pair_seal(pair_id)
    async with running_hub(
        mosquitto.address, pair_id, radio, {"sam": sam}, settings=NO_REALERT
    ) as (
        _,
        seen,
    ):

        def unreachable() -> list[bool]:
            return [e.back for e in seen.of(PartnerUnreachable)]

        def light_pulses() -> int:
            return [(b.ms, b.strength) for b in sam.buzzes].count(LIGHT_PULSE)

        async with mqtt_peer(mosquitto.address, pair_id) as alex_hub:
            alex_hub.seal = alex_seal
            await alex_hub.publish("hub/alex/status", alex_hub_status())
            await alex_hub.publish("hub/alex/alive", alex_hub_status())
            sam.press(held_ms=1500)  # sam holds a stop
            await wait_until(lambda: bool(alex_hub.on("sam/signal")))
        (stop,) = seen.of(SignalSent)

        await mosquitto.kill()
        await wait_until(lambda: unreachable() == [False])
        await mosquitto.start()
        await wait_until(lambda: unreachable() == [False, True], within_s=15)
        async with mqtt_peer(mosquitto.address, pair_id) as alex_hub:
            alex_hub.seal = alex_seal
            # alex's hub is slower to come back: sam's hub takes it for gone and tells sam
            # (a pause notice on sam's wrist)...
            await wait_until(lambda: unreachable() == [False, True, False], within_s=10)
            # ...then it is back: the ack alex made meanwhile, then its heartbeat.
            ack = {"id": stop.message.id, "by": "alex", "at": _now()}
            await alex_hub.publish("alex/ack", ack)
            await alex_hub.publish("hub/alex/alive", alex_hub_status())
            await wait_until(lambda: unreachable() == [False, True, False, True])
            await wait_until(lambda: bool(seen.of(Confirmed)))

        (confirmed,) = seen.of(Confirmed)
        assert confirmed.delivered, "sam could NOT feel the confirmation"
        # Both felt whole: each link notice is two light pulses, the confirmation one more.
        await wait_until(lambda: times_played(sam, LINK_RESTORED) == 2)
        await wait_until(lambda: light_pulses() == 2 * 2 + 1)
