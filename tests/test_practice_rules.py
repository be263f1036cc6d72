"""The practice rules without a hub: judging rehearsed gestures, check-in answers, records."""

from __future__ import annotations

import pytest

from firmware_bridge import Capability
from hub.practice import (
    GestureKind,
    Hint,
    gestures_for,
    judge,
)
from hub.practice._checkins import Answered, CheckIns, PulseBoth
from signals import GestureVocabulary, InputEvent, InputKind

VOCAB = GestureVocabulary()
TAPS_AND_BUTTONS = frozenset({Capability.TAPS, Capability.BUTTONS})


def taps(*times: float) -> list[InputEvent]:
    return [InputEvent(InputKind.TAP, at) for at in times]


def gesture(meaning: str, kind: GestureKind | None = None):  # type: ignore[no-untyped-def]
    return next(
        g
        for g in gestures_for(TAPS_AND_BUTTONS, VOCAB)
        if g.meaning.startswith(meaning) and (kind is None or g.kind is kind)
    )


def test_each_device_offers_only_the_gestures_it_can_make() -> None:
    assert [g.describe() for g in gestures_for(TAPS_AND_BUTTONS)] == [
        "two taps: slow down",
        "three taps: pause",
        "four taps or more: stop",
        "holding the button for 1 s: stop",
        "one press: I noticed",
        "two presses: resume (lift my own signal)",
    ]
    strap = gestures_for({Capability.RAW_ACCEL, Capability.HEART_RATE})
    assert [g.meaning for g in strap] == ["slow down", "pause", "stop"]
    assert gestures_for({Capability.HEART_RATE}) == ()
    custom = gestures_for({Capability.TAPS}, GestureVocabulary(slow_down_taps=1, pause_taps=2))
    assert [g.describe() for g in custom] == [
        "one tap: slow down",
        "two taps: pause",
        "four taps or more: stop",
    ]


@pytest.mark.parametrize(
    ("meaning", "kind", "events", "hint"),
    [
        ("slow down", None, taps(0.0, 0.3), None),
        ("slow down", None, taps(0.0, 1.2), Hint.TAPS_TOO_FAR_APART),
        ("slow down", None, taps(0.0), Hint.TOO_SOFT),
        ("slow down", None, [], Hint.TOO_SOFT),
        ("slow down", None, taps(0.0, 0.2, 0.4), Hint.TOO_MANY),
        ("stop", GestureKind.TAPS, taps(0.0, 0.2, 0.4, 0.6, 0.8), None),
        (
            "stop",
            GestureKind.HOLD,
            [InputEvent(InputKind.BUTTON, 0.0, held_s=0.4)],
            Hint.HELD_TOO_BRIEFLY,
        ),
        ("stop", GestureKind.HOLD, [InputEvent(InputKind.BUTTON, 0.0, held_s=1.2)], None),
        ("resume", None, [InputEvent(InputKind.BUTTON, t) for t in (0.0, 1.5)], Hint.TOO_SLOW),
        ("resume", None, [InputEvent(InputKind.BUTTON, t) for t in (0.0, 0.3)], None),
        ("pause", None, [InputEvent(InputKind.BUTTON, 0.0)], Hint.OTHER_GESTURE),
        (
            "pause",
            None,
            [InputEvent(InputKind.DOUBLE_TAP, 0.0), InputEvent(InputKind.TAP, 0.3)],
            None,
        ),
    ],
)
def test_a_rehearsed_gesture_is_judged_with_a_hint_when_it_is_not_recognised(
    meaning: str, kind: GestureKind | None, events: list[InputEvent], hint: Hint | None
) -> None:
    verdict = judge(gesture(meaning, kind), events, VOCAB)
    assert verdict.recognised is (hint is None)
    assert verdict.hint is hint
    assert bool(verdict.advice) is (hint is not None)


def test_one_lone_tap_answers_a_check_in_and_several_taps_do_not() -> None:
    check_ins = CheckIns(("alex", "sam"), tap_gap_s=0.8, answer_window_s=30)
    check_ins.configure(600, now=0.0)
    assert check_ins.tick(599.0) == []
    [pulse] = check_ins.tick(600.0)
    assert isinstance(pulse, PulseBoth)
    for at in (601.0, 601.3, 601.6):  # three taps: a pause, not an answer
        check_ins.gesture("alex", InputEvent(InputKind.TAP, at))
    check_ins.gesture("sam", InputEvent(InputKind.TAP, 602.0))
    assert check_ins.tick(602.5) == []  # a second tap could still come
    assert check_ins.tick(602.9) == [Answered(pulse.check_in_id, "sam", "all_good")]
    assert check_ins.tick(630.0) == [Answered(pulse.check_in_id, "alex", "no_answer")]
    assert check_ins.open_id is None
    [again] = check_ins.tick(1200.0)
    assert isinstance(again, PulseBoth)
    check_ins.configure(None, now=1201.0)
    assert check_ins.tick(5000.0) == [
        Answered(again.check_in_id, w, "no_answer") for w in ("alex", "sam")
    ]
    with pytest.raises(ValueError, match="at least 60 s"):
        check_ins.configure(10, now=0.0)
