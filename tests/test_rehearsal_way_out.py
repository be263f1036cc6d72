"""A real stop during a rehearsal gets through: simulated watches, a real mosquitto, the page."""

from __future__ import annotations

from hub import RehearsalChanged, SignalSent
from signals import ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import times_played
from tests.practice_helpers import PracticeRoom, practice_room
from tests.test_practice_hub import rehearse_one

STOP = pattern_for(ComfortSignal.STOP)


async def assert_a_real_stop_reached_sam(room: PracticeRoom) -> None:
    await wait_until(lambda: room.hub.session.held("alex") is ComfortSignal.STOP)
    await wait_until(lambda: room.hub.session.awaiting_ack("sam") is not None)
    await wait_until(lambda: any(p["signal"] == "stop" for p in room.peer.on("alex/signal")))
    (ended,) = [e for e in room.seen.of(RehearsalChanged) if not e.running]
    assert ended.for_real
    sent = [e for e in room.seen.of(SignalSent) if e.wearer == "alex"]
    assert sent[-1].message.signal is ComfortSignal.STOP and sent[-1].message.source == "tap"
    for wearer in ("alex", "sam"):
        drill = (await room.state(wearer))["rehearsal"]
        assert drill["phase"] == "finished" and drill["ended_for_real"] is True


async def test_four_taps_while_slow_down_is_rehearsed_are_a_real_stop_and_end_it(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        drill = await room.api("POST", "/api/practice/alex/rehearsal/start")
        assert drill["current"] == "two taps: slow down"
        # The page says how to get out while the step runs.
        assert "make your stop (four taps or more, or holding the button" in drill["way_out"]
        assert "stronger than this step asks for is a real signal" in drill["way_out"]

        await room.taps("alex", 4)
        await assert_a_real_stop_reached_sam(room)
        await wait_until(lambda: times_played(room.watches["sam"], STOP) >= 1)
        # It stays a stop until alex lifts it: re-alerted, and no step is judged any more.
        assert (await room.state("alex"))["rehearsal"]["results"] == []


async def test_in_the_stop_step_a_second_stop_is_real_and_the_first_is_practice(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        await room.api("POST", "/api/practice/alex/rehearsal/start")
        await rehearse_one(room, 0, "2 taps")
        await rehearse_one(room, 1, "3 taps")
        drill = room.hub.practice.rehearsal.drill
        assert drill is not None
        await wait_until(lambda: drill.index == 2 and drill.phase == "performing")
        way_out = (await room.state("alex"))["rehearsal"]["way_out"]
        assert "make a stop again" in way_out and "second stop in this step is real" in way_out

        await room.taps("alex", 4)  # the stop the step asks for: practice
        await wait_until(lambda: drill.phase == "waiting_for_partner")
        await wait_until(lambda: times_played(room.watches["sam"], STOP) == 1)
        assert room.hub.session.held("alex") is None
        assert not [e for e in room.seen.of(SignalSent) if e.wearer == "alex"]

        await room.taps("alex", 4)  # and again: real
        await assert_a_real_stop_reached_sam(room)
        await wait_until(lambda: times_played(room.watches["sam"], STOP) >= 2)
