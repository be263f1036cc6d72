"""The gesture classifier: escalation without waiting, timing windows, severity that only rises."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from signals import (
    AckIntent,
    ComfortSignal,
    GestureClassifier,
    GestureVocabulary,
    InputEvent,
    InputKind,
    SignalIntent,
    SignalSource,
)


def tap(at: float) -> InputEvent:
    return InputEvent(InputKind.TAP, at)


def press(at: float, held_s: float = 0.1) -> InputEvent:
    return InputEvent(InputKind.BUTTON, at, held_s)


def signals_of(intents: Sequence[object]) -> list[ComfortSignal]:
    return [i.signal for i in intents if isinstance(i, SignalIntent)]


def test_each_tap_that_completes_a_pattern_emits_at_once_and_later_taps_upgrade() -> None:
    classifier = GestureClassifier()
    emitted = [signals_of(classifier.feed(tap(t))) for t in (0.0, 0.3, 0.6, 0.9, 1.2)]
    # The emission happens on the completing tap itself, not when the window closes.
    assert emitted == [
        [],
        [ComfortSignal.SLOW_DOWN],
        [ComfortSignal.PAUSE],
        [ComfortSignal.STOP],
        [],
    ]
    assert classifier.held is ComfortSignal.STOP


def test_the_emitted_intent_carries_the_completing_taps_time() -> None:
    classifier = GestureClassifier()
    classifier.feed(tap(10.0))
    (intent,) = classifier.feed(tap(10.25))
    assert isinstance(intent, SignalIntent)
    assert intent.at == 10.25
    assert intent.source == "tap"


def test_taps_further_apart_than_the_window_do_not_combine() -> None:
    vocabulary = GestureVocabulary(tap_gap_s=0.5)
    classifier = GestureClassifier(vocabulary)
    times = [0.0, 0.6, 1.2, 1.8]  # four taps, but each gap is beyond the window
    assert all(signals_of(classifier.feed(tap(t))) == [] for t in times)
    assert classifier.held is None


def test_a_gap_just_inside_the_window_still_counts() -> None:
    classifier = GestureClassifier(GestureVocabulary(tap_gap_s=0.5))
    classifier.feed(tap(0.0))
    assert signals_of(classifier.feed(tap(0.5))) == [ComfortSignal.SLOW_DOWN]


def test_hardware_double_tap_counts_as_two_taps() -> None:
    classifier = GestureClassifier()
    assert signals_of(classifier.feed(InputEvent(InputKind.DOUBLE_TAP, 0.0))) == [
        ComfortSignal.SLOW_DOWN
    ]
    assert signals_of(classifier.feed(InputEvent(InputKind.DOUBLE_TAP, 0.3))) == [
        ComfortSignal.STOP
    ]


def test_severity_never_falls_until_the_signaller_resumes() -> None:
    classifier = GestureClassifier()
    for t in (0.0, 0.2, 0.4):
        classifier.feed(tap(t))
    assert classifier.held is ComfortSignal.PAUSE
    # A later, smaller pattern does not lower the level...
    assert signals_of(classifier.feed(tap(5.0))) == []
    assert signals_of(classifier.feed(tap(5.2))) == []
    assert classifier.held is ComfortSignal.PAUSE
    # ...but a bigger one raises it.
    for t in (9.0, 9.2, 9.4):
        classifier.feed(tap(t))
    assert signals_of(classifier.feed(tap(9.6))) == [ComfortSignal.STOP]
    # Two presses resume (and acknowledge nothing); only then can a small pattern be sent again.
    assert classifier.feed(press(20.0)) == []
    assert signals_of(classifier.feed(press(20.3))) == [ComfortSignal.RESUME]
    assert classifier.tick(25.0) == []
    assert classifier.held is None
    classifier.feed(tap(30.0))
    assert signals_of(classifier.feed(tap(30.2))) == [ComfortSignal.SLOW_DOWN]


def test_long_press_is_stop_at_once() -> None:
    classifier = GestureClassifier()
    (intent,) = classifier.feed(press(3.0, held_s=1.0))
    assert intent == SignalIntent(ComfortSignal.STOP, 3.0, "button")  # type: ignore[arg-type]


def test_a_short_press_is_an_acknowledgement_not_a_signal() -> None:
    classifier = GestureClassifier()
    assert classifier.feed(press(1.0, held_s=0.3)) == []
    # Only once no second press came is it an acknowledgement, not the start of a resume.
    assert classifier.tick(1.8) == []
    assert classifier.tick(1.81) == [AckIntent(1.0)]
    assert classifier.tick(5.0) == []
    assert classifier.held is None


def test_a_resume_never_acknowledges_and_the_vocabulary_can_be_swapped() -> None:
    classifier = GestureClassifier(held=ComfortSignal.STOP)
    intents = classifier.feed(press(1.0)) + classifier.feed(press(1.3)) + classifier.tick(9.0)
    assert intents == [SignalIntent(ComfortSignal.RESUME, 1.3, SignalSource.BUTTON)]

    swapped = GestureClassifier(
        GestureVocabulary(ack_presses=2, resume_presses=1), held=ComfortSignal.PAUSE
    )
    assert signals_of(swapped.feed(press(1.0))) == []
    assert swapped.feed(press(1.2)) == [AckIntent(1.2)]
    assert swapped.held is ComfortSignal.PAUSE, "an acknowledgement lifts nothing"
    assert swapped.feed(press(3.0)) == []
    assert signals_of(swapped.tick(3.9)) == [ComfortSignal.RESUME]


def test_a_press_after_a_finished_burst_counts_the_burst_first() -> None:
    classifier = GestureClassifier()
    assert classifier.feed(press(1.0)) == []
    assert classifier.feed(press(5.0)) == [AckIntent(1.0)]


def test_resume_with_nothing_held_sends_nothing() -> None:
    classifier = GestureClassifier()
    classifier.feed(press(1.0))
    assert classifier.feed(press(1.3)) == []


def test_restored_level_is_held() -> None:
    classifier = GestureClassifier(held=ComfortSignal.STOP)
    for t in (0.0, 0.2, 0.4, 0.6):
        assert signals_of(classifier.feed(tap(t))) == []
    classifier.feed(press(2.0))
    assert signals_of(classifier.feed(press(2.2))) == [ComfortSignal.RESUME]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"slow_down_taps": 3, "pause_taps": 3},
        {"tap_gap_s": 0.0},
        {"resume_presses": 1},
        {"ack_presses": 0},
    ],
)
def test_inconsistent_vocabulary_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        GestureVocabulary(**kwargs)  # type: ignore[arg-type]


def test_check_in_is_not_a_level() -> None:
    with pytest.raises(ValueError, match="not a level"):
        GestureClassifier(held=ComfortSignal.CHECK_IN)


def test_a_long_press_right_after_a_resume_is_a_new_stop_and_can_be_resumed_again() -> None:
    classifier = GestureClassifier()
    at = 0.0
    for _ in range(3):
        assert signals_of(classifier.feed(press(at, held_s=1.5))) == [ComfortSignal.STOP]
        classifier.feed(press(at + 0.3))
        assert signals_of(classifier.feed(press(at + 0.4))) == [ComfortSignal.RESUME]
        at += 0.6  # quicker than the press gap: the presses must not run into one burst
