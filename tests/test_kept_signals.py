"""Signals the broker kept for a hub that was away reach it one after another within a
moment of its return: the wearer should feel the level the partner holds now, not a blur of
every level on the way there."""

from __future__ import annotations

import asyncio

from firmware_bridge.sim import SimRadio
from hub import PartnerAlerted
from signals import ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches

STOP = pattern_for(ComfortSignal.STOP)
# Long enough for any other pattern started after the stop to have reached the watch.
AFTER_STOP_S = sum(p.on_ms + p.off_ms for p in STOP.pulses) / 1000 + 0.5


async def test_signals_kept_while_the_partners_hub_was_away_are_felt_as_the_latest_only(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    alex, sam = watches["alex"], watches["sam"]
    async with running_hub(mosquitto.address, pair_id, radio, {"alex": alex}) as (alex_hub, _):
        async with running_hub(mosquitto.address, pair_id, radio, {"sam": sam}):
            pass  # sam's hub has met the broker, which keeps what comes for it from now on
        # Slow down, pause and stop while sam's hub is away.
        assert alex.tap(double=True)
        await asyncio.sleep(0.1)
        assert alex.tap()
        await asyncio.sleep(0.1)
        assert alex.tap()
        await wait_until(lambda: alex_hub.session.held("alex") is ComfortSignal.STOP)
        await wait_until(lambda: not alex_hub.relay.unsent)
        felt_before = len(sam.buzzes)
        async with running_hub(mosquitto.address, pair_id, radio, {"sam": sam}) as (_, seen):
            await wait_until(lambda: times_played(sam, STOP) == 1)
            await asyncio.sleep(AFTER_STOP_S)
        alerted = [e.message.signal for e in seen.of(PartnerAlerted)]
    # Each signal was heard and taken in (the timeline keeps them all) ...
    assert alerted[-1] is ComfortSignal.STOP
    # ... but the wrist was given the stop alone, whole.
    felt = [(b.ms, b.strength) for b in sam.buzzes[felt_before:]]
    assert felt == [(p.on_ms, p.strength) for p in STOP.pulses]
