"""Agreement, rehearsal and check-ins on a running hub: simulated watches, a real mosquitto."""

from __future__ import annotations

import asyncio
import json

from firmware_bridge.sim import SimRadio
from hub import (
    PracticeCheckIn,
    Refused,
    RehearsalChanged,
    RehearsalStep,
    SignalSent,
    event_json,
    utc_now,
)
from hub.practice import CHECK_IN_PULSE
from signals import ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import mqtt_peer, running_hub, times_played, two_watches
from tests.practice_helpers import PracticeRoom, practice_room


async def test_a_stop_before_any_agreement_still_reaches_the_partner_and_pages_say_so(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        for wearer in ("alex", "sam"):
            assert (await room.state(wearer))["agreement"]["both_confirmed"] is False

        room.watches["alex"].press(held_ms=1500)  # stop, with nothing agreed yet
        stop = pattern_for(ComfortSignal.STOP)
        await wait_until(lambda: times_played(room.watches["sam"], stop) >= 1)
        await wait_until(lambda: any(p["signal"] == "stop" for p in room.peer.on("alex/signal")))

        await room.api("POST", "/api/practice/alex/confirm")
        for wearer in ("alex", "sam"):
            agreement = (await room.state(wearer))["agreement"]
            assert agreement["both_confirmed"] is False
            assert agreement["confirmed"] == {"alex": True, "sam": False}
        assert "four taps or more: stop" in agreement["partner_gestures"]

        await room.api("POST", "/api/practice/sam/confirm")
        for wearer in ("alex", "sam"):
            assert (await room.state(wearer))["agreement"]["both_confirmed"] is True


async def test_a_plan_change_by_one_partner_is_shown_to_the_other_and_recorded(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        await room.api("PATCH", "/api/practice/sam/plan", {"music_and_lighting": "rain, one lamp"})
        alex = await room.state("alex")
        assert alex["plan"]["music_and_lighting"] == "rain, one lamp"
        assert alex["plan_changes"][-1]["by"] == "sam"
        assert alex["plan_changes"][-1]["changes"] == {"music_and_lighting": "rain, one lamp"}

        bad = await room.web.patch("/api/practice/alex/plan", json={"intention": "contract"})
        assert bad.status_code == 422 and "intention" in bad.json()["detail"]


async def rehearse_one(room: PracticeRoom, step: int, gesture: str) -> None:
    """alex makes ``gesture`` for ``step`` of the drill; sam says they felt it by a press."""
    await wait_until(lambda: _drill(room).index == step and _drill(room).phase == "performing")
    if gesture.endswith("taps"):
        await room.taps("alex", int(gesture.split()[0]))
    elif gesture == "hold":
        room.watches["alex"].press(held_ms=1500)
    else:
        await room.presses("alex", int(gesture.split()[0]))
    await wait_until(lambda: _drill(room).phase != "performing" or _drill(room).index > step)
    if _drill(room).phase == "waiting_for_partner":
        room.watches["sam"].press()


def _drill(room: PracticeRoom):  # type: ignore[no-untyped-def]
    drill = room.hub.practice.rehearsal.drill
    assert drill is not None
    return drill


async def test_a_rehearsal_performed_correctly_is_all_recognised_and_never_a_real_signal(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        await room.api("POST", "/api/practice/alex/rehearsal/start")
        for step, gesture in enumerate(
            ["2 taps", "3 taps", "4 taps", "hold", "1 press", "2 presses"]
        ):
            await rehearse_one(room, step, gesture)
        await wait_until(lambda: not room.seen.of(RehearsalChanged)[-1].running, within_s=30)

        results = (await room.state("alex"))["rehearsal"]["results"]
        assert [r["meaning"] for r in results] == [
            "slow down",
            "pause",
            "stop",
            "stop",
            "I noticed",
            "resume (lift my own signal)",
        ]
        assert all(r["recognised"] for r in results), results
        assert all(r["partner_felt"] for r in results), results
        # sam felt each one as the real pattern would feel...
        for signal in (ComfortSignal.SLOW_DOWN, ComfortSignal.PAUSE):
            assert times_played(room.watches["sam"], pattern_for(signal)) == 1
        assert times_played(room.watches["sam"], pattern_for(ComfortSignal.STOP)) == 2
        # ...yet nothing was real: no level, no signal, no ack.
        assert room.hub.session.held("alex") is None
        assert room.hub.session.awaiting_ack("sam") is None
        assert not [e for e in room.seen.of(SignalSent) if e.wearer == "alex"]
        await room.hub.relay.drained()
        await wait_until(lambda: len(room.peer.on("alex/rehearsal")) == 5)
        assert room.peer.on("alex/signal") == []
        assert {p["source"] for p in room.peer.on("alex/rehearsal")} == {"rehearsal"}
        # What the hub keeps for the timeline: rehearsal steps, marked so, and no signal.
        kept = [event_json(event) for event in room.seen.events]
        assert "rehearsal_step" in {e["type"] for e in kept}
        assert "signal" not in {e["type"] for e in kept}
        steps = [e for e in kept if e["type"] == "rehearsal_step"]
        assert len(steps) == 6 and {s["source"] for s in steps} == {"rehearsal"}


async def test_a_too_slow_double_tap_is_not_recognised_and_says_why(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        await room.api("POST", "/api/practice/alex/rehearsal/start")
        await room.taps("alex", 2, gap_s=1.2)  # the hub joins taps up to 0.8 s apart
        await wait_until(lambda: bool(room.seen.of(RehearsalStep)), within_s=10)
        step = room.seen.of(RehearsalStep)[0]
        assert (step.meaning, step.recognised, step.hint) == (
            "slow down",
            False,
            "taps_too_far_apart",
        )
        result = (await room.state("alex"))["rehearsal"]["results"][0]
        assert "too slow" in result["advice"] and "0.8 s" in result["advice"]
        assert times_played(room.watches["sam"], pattern_for(ComfortSignal.SLOW_DOWN)) == 0

        # Ended from the page, the rehearsal lets go at once: taps are real signals again.
        await room.api("POST", "/api/practice/alex/rehearsal/end")
        await room.taps("alex", 4)
        await wait_until(lambda: room.hub.session.held("alex") is ComfortSignal.STOP)
        await wait_until(
            lambda: times_played(room.watches["sam"], pattern_for(ComfortSignal.STOP)) == 1
        )


async def test_an_unanswered_check_in_changes_no_level_and_one_tap_answers_all_good(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        assert (await room.state("sam"))["check_ins"]["interval_s"] is None  # off by default
        await room.api("PUT", "/api/practice/alex/check-ins", {"answer_within_s": 2})
        await room.api("POST", "/api/practice/alex/check-ins/now")
        for watch in room.watches.values():
            await wait_until(lambda w=watch: times_played(w, CHECK_IN_PULSE) == 1)  # type: ignore[misc]

        room.watches["sam"].tap()  # one tap: all good; alex stays silent
        await wait_until(lambda: len([e for e in room.seen.of(PracticeCheckIn) if e.wearer]) == 2)
        answers = {e.wearer: e.answer for e in room.seen.of(PracticeCheckIn) if e.wearer}
        assert answers == {"sam": "all_good", "alex": "no_answer"}
        assert (await room.state("alex"))["check_ins"]["answers"] == answers

        await asyncio.sleep(0.5)  # anything a no-answer could wrongly set off would be out now
        for wearer in ("alex", "sam"):
            assert room.hub.session.held(wearer) is None
            assert room.hub.session.effective_level(wearer) is None
            assert room.hub.session.partner_level(wearer) is None
            assert room.hub.session.awaiting_ack(wearer) is None
        assert room.seen.of(SignalSent) == []
        for signal in (ComfortSignal.PAUSE, ComfortSignal.STOP, ComfortSignal.SLOW_DOWN):
            for watch in room.watches.values():
                assert times_played(watch, pattern_for(signal)) == 0
        assert room.peer.on("alex/signal") == room.peer.on("sam/signal") == []

        interval = await room.web.put("/api/practice/alex/check-ins", json={"interval_min": 0.5})
        assert interval.status_code == 409 and "at least 60 s" in interval.json()["detail"]
        await room.api("PUT", "/api/practice/alex/check-ins", {"interval_min": 10})
        assert (await room.state("sam"))["check_ins"]["interval_s"] == 600
        json.dumps(await room.state("sam"))


async def test_a_rehearsal_published_on_a_signal_topic_is_refused_not_felt(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    alex_only = {"alex": two_watches(radio)["alex"]}  # sam's side is another hub
    async with (
        mqtt_peer(mosquitto.address, pair_id) as peer,
        running_hub(mosquitto.address, pair_id, radio, alex_only) as (hub, seen),
    ):
        await peer.publish(
            "sam/signal",
            {
                "id": "r-1",
                "seq": 0,
                "signal": "stop",
                "source": "rehearsal",
                "at": utc_now().isoformat(),
            },
        )
        await wait_until(lambda: any("rehearsal" in r.reason for r in seen.of(Refused)))
        assert hub.session.partner_level("alex") is None
        assert hub.session.awaiting_ack("alex") is None
        assert alex_only["alex"].buzzes == []
