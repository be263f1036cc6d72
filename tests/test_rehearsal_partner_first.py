"""A rehearsal never stands between a wearer and the partner's real signal, and it is its
wearer's alone: simulated watches, the hub, a real mosquitto, each wearer's own page token."""

from __future__ import annotations

import pytest

from firmware_bridge.sim import SimRadio
from hub import RehearsalChanged, RehearsalStep
from signals import CONFIRMATION, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches
from tests.practice_helpers import PracticeRoom, practice_room


async def signal_for_real(room: PracticeRoom, wearer: str, signal: ComfortSignal) -> None:
    if signal is ComfortSignal.STOP:
        room.watches[wearer].press(held_ms=1500)
    else:
        await room.taps(wearer, 2 if signal is ComfortSignal.SLOW_DOWN else 3)


@pytest.mark.parametrize(
    "signal", [ComfortSignal.SLOW_DOWN, ComfortSignal.PAUSE, ComfortSignal.STOP]
)
async def test_a_partners_real_signal_ends_the_rehearsal_and_the_wearers_press_acknowledges_it(
    mosquitto: Mosquitto, pair_id: str, signal: ComfortSignal
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        drill = (await room.as_wearer("sam", "POST", "/api/practice/sam/rehearsal/start")).json()
        assert drill["current"] == "two taps: slow down"

        await signal_for_real(room, "alex", signal)
        await wait_until(lambda: times_played(room.watches["sam"], pattern_for(signal)) >= 1)
        await wait_until(lambda: room.hub.practice.drill.phase == "finished")  # type: ignore[union-attr]
        for wearer in ("sam", "alex"):  # both pages say why it ended
            ended = (await room.state(wearer))["rehearsal"]["ended_by_partner"]
            assert ended["partner"] == "alex" and ended["link"] is False
            # Taps go out as they come: the second tap is a slow down before any third.
            assert ended["signal"] in {ComfortSignal.SLOW_DOWN, signal}

        room.watches["sam"].press()  # "I noticed", as on any other day
        await wait_until(lambda: times_played(room.watches["alex"], CONFIRMATION) == 1)
        await wait_until(lambda: [p["id"] for p in room.peer.on("sam/ack")] != [])
        assert room.hub.session.awaiting_ack("sam") is None
        assert not room.seen.of(RehearsalStep)  # the press was never judged as practice
        (ended_event,) = [e for e in room.seen.of(RehearsalChanged) if not e.running]
        assert ended_event.partner_signal in {ComfortSignal.SLOW_DOWN, signal}


async def test_a_stop_from_the_partners_own_hub_ends_the_rehearsal_and_the_press_answers_it(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        running_hub(mosquitto.address, pair_id, radio, {"alex": watches["alex"]}) as (alex_hub, _),
        running_hub(mosquitto.address, pair_id, radio, {"sam": watches["sam"]}) as (sam_hub, seen),
    ):
        drill = sam_hub.practice.start_rehearsal("sam")
        watches["alex"].press(held_ms=1500)  # over the broker, from alex's hub
        await wait_until(lambda: times_played(watches["sam"], pattern_for(ComfortSignal.STOP)) >= 1)
        await wait_until(lambda: drill.phase == "finished")
        assert drill.view()["ended_by_partner"] == {
            "partner": "alex",
            "signal": "stop",
            "link": False,
        }

        watches["sam"].press()
        await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 1)
        assert alex_hub.session.held("alex") is ComfortSignal.STOP  # alex's, until alex lifts it
        assert not seen.of(RehearsalStep)


async def test_a_rehearsal_does_not_start_while_a_partners_stop_waits_for_the_wearer(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        room.watches["alex"].press(held_ms=1500)
        await wait_until(lambda: room.hub.session.awaiting_ack("sam") is not None)

        refused = await room.as_wearer("sam", "POST", "/api/practice/sam/rehearsal/start")
        assert refused.status_code == 409
        assert 'alex\'s stop is waiting for your "I noticed"' in refused.json()["detail"]
        assert (await room.state("sam"))["rehearsal"] is None

        room.watches["sam"].press()
        await wait_until(lambda: times_played(room.watches["alex"], CONFIRMATION) == 1)
        started = await room.as_wearer("sam", "POST", "/api/practice/sam/rehearsal/start")
        assert started.status_code == 200, started.text


async def test_only_the_rehearsing_wearer_ends_their_rehearsal_and_only_the_partner_felt_it(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        started = await room.as_wearer("alex", "POST", "/api/practice/alex/rehearsal/start")
        assert started.status_code == 200, started.text

        # sam's token, sam's own route: refused, and alex's rehearsal goes on.
        refused = await room.as_wearer("sam", "POST", "/api/practice/sam/rehearsal/end")
        assert refused.status_code == 403
        assert "this is alex's rehearsal: only alex can end it" in refused.json()["detail"]
        # sam's token on alex's route: refused by the page's guard.
        guarded = await room.as_wearer("sam", "POST", "/api/practice/alex/rehearsal/end")
        assert guarded.status_code == 403
        # Nor does sam start a rehearsal over alex's, nor alex say they felt their own step.
        busy = await room.as_wearer("sam", "POST", "/api/practice/sam/rehearsal/start")
        assert busy.status_code == 409 and "alex's rehearsal is still running" in busy.text
        own = await room.as_wearer("alex", "POST", "/api/practice/alex/rehearsal/felt")
        assert own.status_code == 403 and "only sam can say they felt" in own.json()["detail"]

        # alex's two taps are still practice: judged, felt by sam, never a real slow down.
        await room.taps("alex", 2)
        await wait_until(lambda: room.hub.practice.drill.phase == "waiting_for_partner")  # type: ignore[union-attr]
        felt = await room.as_wearer("sam", "POST", "/api/practice/sam/rehearsal/felt")
        assert felt.status_code == 200, felt.text
        (step,) = room.seen.of(RehearsalStep)
        assert step.recognised and step.partner_felt
        assert room.hub.session.held("alex") is None
        assert room.hub.session.awaiting_ack("sam") is None

        ended = await room.as_wearer("alex", "POST", "/api/practice/alex/rehearsal/end")
        assert ended.status_code == 200, ended.text
        assert (await room.state("alex"))["rehearsal"]["phase"] == "finished"


# Every practice route that names a wearer, with a body it takes.
ROUTES = [
    ("POST", "confirm", None),
    ("PATCH", "plan", {"music_and_lighting": "rain"}),
    ("POST", "rehearsal/start", None),
    ("POST", "rehearsal/end", None),
    ("POST", "rehearsal/felt", None),
    ("POST", "tap-calibration/reset", None),
    ("PUT", "check-ins", {"interval_min": 10}),
    ("POST", "check-ins/now", None),
    ("POST", "check-ins/answer", None),
    ("POST", "session/end", None),
    ("POST", "feedback", {"felt_good": "slow", "to_change": "", "comfort": 4}),
]


async def test_each_practice_route_acts_only_as_the_token_wearer(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    async with practice_room(mosquitto.address, pair_id) as room:
        for method, route, body in ROUTES:
            response = await room.as_wearer("sam", method, f"/api/practice/alex/{route}", body)
            assert response.status_code == 403, (route, response.text)
        alex = await room.state("alex")
        assert alex["agreement"]["confirmed"] == {"alex": False, "sam": False}
        assert alex["plan_changes"] == [] and alex["rehearsal"] is None
        assert alex["check_ins"]["interval_s"] is None and alex["aftercare"] is False

        # On their own routes, each acts as themselves only.
        for method, route, body in [ROUTES[0], ROUTES[1], ROUTES[7], ROUTES[8], ROUTES[10]]:
            response = await room.as_wearer("sam", method, f"/api/practice/sam/{route}", body)
            assert response.status_code == 200, (route, response.text)
        alex = await room.state("alex")
        assert alex["agreement"]["confirmed"] == {"alex": False, "sam": True}
        assert alex["plan_changes"][-1]["by"] == "sam"
        assert alex["check_ins"]["answers"] == {"sam": "all_good"}
        assert alex["feedback"] == {"own": None, "partner": None}  # sam's, not shared
        assert (await room.state("sam"))["feedback"]["own"]["felt_good"] == "slow"
