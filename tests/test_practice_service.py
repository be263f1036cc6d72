"""hub.practice on a fake session and a fake clock: who may rehearse, what a finished rehearsal
hands to tap calibration, and which wrists a check-in asks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from firmware_bridge import Capability
from hub._events import HubEvent, PracticeCheckIn
from hub._messages import SignalMessage, new_signal_id, utc_now
from hub.practice import CHECK_IN_PULSE, Practice, PracticeError, PracticeRecords
from signals import ComfortSignal, HapticPattern, InputEvent, InputKind, SignalSource


class FakeSession:
    """The session hooks, recording what practice asked for."""

    def __init__(self, local: list[str]) -> None:
        self.local_wearers = local
        self.hooks: dict[str, Callable[[InputEvent], bool]] = {}
        self.played: list[tuple[str, str]] = []
        self.rehearsed: list[tuple[str, ComfortSignal]] = []

    def partner_of(self, wearer: str) -> str:
        return "sam" if wearer == "alex" else "alex"

    def divert_gestures(self, wearer: str, hook: Callable[[InputEvent], bool] | None) -> None:
        assert hook is not None
        self.hooks[wearer] = hook

    def play(self, wearer: str, pattern: HapticPattern) -> None:
        self.played.append((wearer, pattern.name))

    def publish_rehearsal(self, wearer: str, signal: ComfortSignal) -> SignalMessage:
        self.rehearsed.append((wearer, signal))
        return SignalMessage(
            id=new_signal_id(), seq=0, signal=signal, source=SignalSource.REHEARSAL, at=utc_now()
        )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def practice(
    local: list[str], calibrate: Callable[[str, list[list[InputEvent]]], None] | None = None
) -> tuple[Practice, FakeSession, Clock, list[HubEvent]]:
    session, clock = FakeSession(local), Clock()
    events: list[HubEvent] = []
    taps_only = frozenset({Capability.TAPS})
    made = Practice(
        session,
        events.append,
        {name: taps_only for name in local},
        records=PracticeRecords(("alex", "sam")),
        clock=clock,
        calibrate=calibrate,
    )
    return made, session, clock, events


def test_a_finished_rehearsal_hands_its_taps_to_calibration_and_lets_go() -> None:
    handed: list[tuple[str, list[list[InputEvent]]]] = []
    hub, session, clock, _ = practice(["alex", "sam"], lambda w, t: handed.append((w, t)))
    hub.start_rehearsal("alex")
    for count in (2, 3, 4):
        start = clock.now
        for index in range(count):
            assert session.hooks["alex"](InputEvent(InputKind.TAP, start + 0.2 * index)) is True
        clock.now = start + 0.2 * count + 2.0
        hub.tick()  # judged: sam feels it
        assert session.played[-1][0] == "sam"
        hub.partner_felt("sam")
    assert session.rehearsed == [
        ("alex", ComfortSignal.SLOW_DOWN),
        ("alex", ComfortSignal.PAUSE),
        ("alex", ComfortSignal.STOP),
    ]
    [(wearer, taps)] = handed
    assert wearer == "alex" and [len(step) for step in taps] == [2, 3, 4]
    # The drill is over: alex's taps are signals again.
    assert session.hooks["alex"](InputEvent(InputKind.TAP, clock.now)) is False


def test_a_step_ends_even_when_the_wearer_never_stops_tapping() -> None:
    hub, session, clock, _ = practice(["alex", "sam"])
    drill = hub.start_rehearsal("alex")
    while clock.now < 25:
        session.hooks["alex"](InputEvent(InputKind.TAP, clock.now))
        clock.now += 0.5
        hub.tick()
    assert drill.results and drill.results[0].verdict.recognised is False


def test_only_a_wearer_on_this_hub_can_rehearse_and_check_ins_ask_only_local_wrists() -> None:
    hub, session, clock, events = practice(["alex"])
    with pytest.raises(PracticeError, match="sam's wearable is on another hub"):
        hub.start_rehearsal("sam")
    hub.set_check_ins(None, answer_within_s=5)
    hub.check_in_now()
    assert session.played == [("alex", CHECK_IN_PULSE.name)]
    clock.now = 6
    hub.tick()
    assert [(e.wearer, e.answer) for e in events if isinstance(e, PracticeCheckIn)] == [
        (None, None),
        ("alex", "no_answer"),
    ]
