"""The way out of a rehearsal, without a hub: which rehearsed gestures are real after all."""

from __future__ import annotations

from firmware_bridge import Capability
from hub.practice._gestures import Gesture, gestures_for
from hub.practice._way_out import WayOut
from signals import GestureVocabulary, InputEvent, InputKind

VOCAB = GestureVocabulary()
STEPS = gestures_for(frozenset({Capability.TAPS, Capability.BUTTONS}), VOCAB)
SLOW_DOWN, PAUSE, STOP_TAPS, STOP_HOLD, NOTICED, RESUME = STEPS


def tap(at: float) -> InputEvent:
    return InputEvent(InputKind.TAP, at)


def press(at: float, held_s: float = 0.1) -> InputEvent:
    return InputEvent(InputKind.BUTTON, at, held_s=held_s)


def real(way_out: WayOut, step: Gesture, events: list[InputEvent]) -> list[InputEvent]:
    """Everything the way out hands on as real while ``events`` are made in ``step``."""
    handed: list[InputEvent] = []
    for event in events:
        handed += way_out.feed(event, step)
    return handed


def test_a_rehearsal_done_as_asked_hands_on_nothing() -> None:
    way_out = WayOut(VOCAB)
    made = {
        SLOW_DOWN: [tap(0.0), tap(0.2)],
        PAUSE: [tap(0.0), tap(0.2), tap(0.4)],
        STOP_TAPS: [tap(0.0), tap(0.2), tap(0.4), tap(0.6), tap(0.8)],  # "or more"
        STOP_HOLD: [press(0.0, held_s=1.5)],
        NOTICED: [press(0.0)],
        RESUME: [press(0.0), press(0.3)],
    }
    for number, step in enumerate(STEPS):
        way_out.next_step()
        later = [InputEvent(e.kind, e.at + 10 * number, e.held_s) for e in made[step]]
        assert real(way_out, step, later) == [], step.describe()


def test_a_stop_while_slow_down_is_rehearsed_is_real_with_every_tap_of_it() -> None:
    taps = [tap(0.0), tap(0.2), tap(0.4), tap(0.6)]
    # The third tap asks for more than slow down: the whole burst goes on, read as ever.
    assert real(WayOut(VOCAB), SLOW_DOWN, taps[:3]) == taps[:3]
    assert real(WayOut(VOCAB), SLOW_DOWN, [press(0.0, held_s=1.2)]) == [press(0.0, held_s=1.2)]
    assert real(WayOut(VOCAB), NOTICED, [tap(0.0), tap(0.3)]) == [tap(0.0), tap(0.3)]


def test_taps_too_far_apart_to_be_one_pattern_are_not_stronger() -> None:
    # Two double taps 1 s apart are two slow downs to the hub, never a stop.
    taps = [tap(0.0), tap(0.2), tap(1.2), tap(1.4)]
    assert real(WayOut(VOCAB), SLOW_DOWN, taps) == []


def test_in_a_stop_step_the_second_stop_is_real() -> None:
    way_out = WayOut(VOCAB)
    first = [tap(0.0), tap(0.2), tap(0.4), tap(0.6), tap(0.8)]
    second = [tap(2.0), tap(2.2), tap(2.4), tap(2.6)]
    assert real(way_out, STOP_TAPS, first) == []
    assert real(way_out, STOP_TAPS, second) == second
    holds = WayOut(VOCAB)
    assert real(holds, STOP_HOLD, [press(0.0, held_s=1.5)]) == []
    assert real(holds, STOP_HOLD, [press(3.0, held_s=1.5)]) == [press(3.0, held_s=1.5)]
    # A new step starts counting again: its first stop is practice.
    holds.next_step()
    assert real(holds, STOP_HOLD, [press(9.0, held_s=1.5)]) == []
