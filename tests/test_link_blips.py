"""A wearable's link drops and comes back during a stop, each wearer on a hub of their own
(real mosquitto, simulated watches): the stop is the same stop throughout. Acknowledged, it
stays acknowledged (no second buzz, no re-alert); not yet acknowledged, it keeps being
re-alerted until it is."""

from __future__ import annotations

import asyncio

from firmware_bridge.sim import SimulatedBangle
from hub import LinkChanged, PartnerAlerted, Realerted, SessionSettings, SignalSent
from signals import CONFIRMATION, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import Recorder, times_played
from tests.pair_setups import two_hubs

STOP = pattern_for(ComfortSignal.STOP)
RESUME = pattern_for(ComfortSignal.RESUME)
NO_REALERT = SessionSettings(realert_interval_s=600)
# Long enough for a stop pattern (650 ms) to be felt whole between re-alerts.
QUICK_REALERT = SessionSettings(realert_interval_s=1.0)


async def resume(watch: SimulatedBangle) -> None:
    """Two presses: the wearer lifts their own level."""
    watch.press()
    await asyncio.sleep(0.2)
    watch.press()


def link_is(seen: Recorder, state: str) -> bool:
    return [c.event.state for c in seen.of(LinkChanged)][-1:] == [state]


async def drop(watch: SimulatedBangle, seen: Recorder) -> None:
    """The wearable goes out of range, and its hub has noticed."""
    watch.leave()
    await wait_until(lambda: link_is(seen, "lost"))


async def bring_back(watch: SimulatedBangle, seen: Recorder) -> None:
    """The wearable is back in range, and its hub has its link again."""
    watch.come_back()
    await wait_until(lambda: link_is(seen, "restored"), within_s=10)


def alerted(seen: Recorder) -> list[tuple[str, str]]:
    return [(a.message.signal, a.message.id) for a in seen.of(PartnerAlerted)]


async def test_an_acknowledged_stop_is_not_felt_again_when_the_signallers_link_blips(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with two_hubs(mosquitto.address, pair_id, settings=NO_REALERT) as (
        alex,
        sam,
        _,
        alex_seen,
        sam_hub,
        sam_seen,
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        sam.press()
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)

        await drop(alex, alex_seen)
        await bring_back(alex, alex_seen)
        # alex lifts the stop: published after anything the blip made, on the same topic,
        # so once sam's hub has the resume it has had everything before it.
        await resume(alex)
        await wait_until(lambda: [s for s, _ in alerted(sam_seen)][-1:] == ["resume"])

        assert [s for s, _ in alerted(sam_seen)] == ["stop", "resume"], (
            "the stop came again with a new id"
        )
        assert [s.message.signal for s in alex_seen.of(SignalSent)] == ["stop", "resume"]
        assert times_played(sam, STOP) == 1, "sam's wrist buzzed the acknowledged stop again"
        assert sam_seen.of(Realerted) == []
        assert sam_hub.session.awaiting_ack("sam") is None
        await wait_until(lambda: times_played(sam, RESUME) == 1)


async def test_a_stop_not_yet_acknowledged_keeps_being_re_alerted_through_a_blip(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with two_hubs(mosquitto.address, pair_id, settings=QUICK_REALERT) as (
        alex,
        sam,
        _,
        alex_seen,
        sam_hub,
        sam_seen,
    ):
        alex.press(held_ms=1500)
        await wait_until(lambda: times_played(sam, STOP) == 1)
        ((_, stop),) = alerted(sam_seen)

        await drop(alex, alex_seen)
        # alex cannot be reached; the stop still waits for sam, and sam still feels it.
        before = len(sam_seen.of(Realerted))
        await wait_until(lambda: len(sam_seen.of(Realerted)) >= before + 2, within_s=5)
        await bring_back(alex, alex_seen)
        before = len(sam_seen.of(Realerted))
        await wait_until(lambda: len(sam_seen.of(Realerted)) >= before + 1, within_s=5)
        assert {r.message.id for r in sam_seen.of(Realerted)} == {stop}, "the same stop"

        sam.press()
        await wait_until(lambda: times_played(alex, CONFIRMATION) == 1)
        assert sam_hub.session.awaiting_ack("sam") is None
        realerts_at_ack = len(sam_seen.of(Realerted))
        await resume(alex)
        await wait_until(lambda: [s for s, _ in alerted(sam_seen)][-1:] == ["resume"])
        assert alerted(sam_seen) == [("stop", stop), alerted(sam_seen)[-1]], (
            "nothing came between the stop and alex's resume"
        )
        assert len(sam_seen.of(Realerted)) == realerts_at_ack, "not re-alerted after the ack"
