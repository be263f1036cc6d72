"""The rehearsal drill: each gesture of one wearer's vocabulary in turn, judged with a hint.

Pure and clock-free: gestures and ``now`` go in, what happened comes out. A step is judged
once the wearer has been still for ``settle_s`` (so a slow second tap is still seen and named),
or at the latest ``step_timeout_s`` after the step began (so a drill always ends, and the
wearer's gestures are soon signals again). A recognised gesture is then felt by the
partner, who says so (a press, or the page); the drill waits at most ``partner_timeout_s``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hub.practice._gestures import Gesture, GestureKind
from hub.practice._way_out import way_out_words
from signals import ComfortSignal, GestureVocabulary, InputEvent, InputKind


class Hint(StrEnum):
    TOO_SOFT = "too_soft"
    TOO_SLOW = "too_slow"
    TAPS_TOO_FAR_APART = "taps_too_far_apart"
    TOO_MANY = "too_many"
    HELD_TOO_BRIEFLY = "held_too_briefly"
    OTHER_GESTURE = "other_gesture"


@dataclass(frozen=True, slots=True)
class Verdict:
    recognised: bool
    hint: Hint | None = None
    advice: str = ""


def _bursts(times: list[float], gap_s: float) -> list[list[float]]:
    bursts: list[list[float]] = []
    for at in times:
        if bursts and at - bursts[-1][-1] <= gap_s:
            bursts[-1].append(at)
        else:
            bursts.append([at])
    return bursts


def judge(gesture: Gesture, events: list[InputEvent], vocabulary: GestureVocabulary) -> Verdict:
    """Whether ``events`` (one step's gestures, in time order) make ``gesture``, and if not why."""
    if not events:
        return Verdict(
            False, Hint.TOO_SOFT, "nothing reached the hub: tap or press a little more firmly"
        )
    taps = [e for e in events if e.kind is not InputKind.BUTTON]
    presses = [e for e in events if e.kind is InputKind.BUTTON]
    if gesture.kind is GestureKind.TAPS:
        if not taps:
            return Verdict(False, Hint.OTHER_GESTURE, "that was the button: this one is taps")
        # A hardware double tap stands for two taps at one moment.
        times = [e.at for e in taps for _ in range(e.tap_count)]
        return _judge_count(gesture, times, vocabulary.tap_gap_s, "taps")
    if not presses:
        return Verdict(False, Hint.OTHER_GESTURE, "those were taps: this one is the button")
    if gesture.kind is GestureKind.HOLD:
        longest = max(e.held_s for e in presses)
        if longest >= vocabulary.long_press_s:
            return Verdict(True)
        return Verdict(
            False,
            Hint.HELD_TOO_BRIEFLY,
            f"held {longest:.1f} s: keep the button down for {vocabulary.long_press_s:g} s",
        )
    if any(e.held_s >= vocabulary.long_press_s for e in presses):
        return Verdict(False, Hint.OTHER_GESTURE, "a long hold means stop: press briefly")
    return _judge_count(gesture, [e.at for e in presses], vocabulary.press_gap_s, "presses")


def _judge_count(gesture: Gesture, times: list[float], gap_s: float, what: str) -> Verdict:
    bursts = _bursts(times, gap_s)
    first = len(bursts[0])
    # "Four or more taps" is a stop: more taps only make it surer.
    at_least = gesture.signal is ComfortSignal.STOP
    if len(bursts) == 1 and (first == gesture.count or (at_least and first > gesture.count)):
        return Verdict(True)
    if len(bursts) > 1 and len(times) >= gesture.count:
        widest = max(b[0] - a[-1] for a, b in itertools.pairwise(bursts))
        hint = Hint.TAPS_TOO_FAR_APART if what == "taps" else Hint.TOO_SLOW
        return Verdict(
            False,
            hint,
            f"too slow: {widest:.1f} s between {what}; the hub joins {what} up to "
            f"{gap_s:g} s apart, so go a little quicker",
        )
    if first < gesture.count:
        return Verdict(
            False,
            Hint.TOO_SOFT,
            f"only {first} of {gesture.count} {what} reached the hub: a little more firmly",
        )
    return Verdict(
        False, Hint.TOO_MANY, f"{first} {what} instead of {gesture.count}: that means more"
    )


class Phase(StrEnum):
    PERFORMING = "performing"
    PARTNER = "waiting_for_partner"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class StepResult:
    gesture: Gesture
    verdict: Verdict
    # Whether the partner said they felt it; None when there was nothing to feel.
    partner_felt: bool | None
    # What the wearer did: for tap calibration, once it exists (see Practice).
    events: tuple[InputEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Recognised:
    """Effect: the partner should now feel (and hear) ``gesture``."""

    gesture: Gesture


@dataclass(frozen=True, slots=True)
class StepDone:
    result: StepResult


DrillEffect = Recognised | StepDone


@dataclass(frozen=True, slots=True)
class PartnerSignal:
    """The partner's real signal that ended a rehearsal: it waits for the wearer's "I noticed"."""

    partner: str
    signal: ComfortSignal
    # Said by the hub for the partner (their wearable out of reach), not made by them.
    link: bool = False


@dataclass
class Drill:
    wearer: str
    gestures: tuple[Gesture, ...]
    vocabulary: GestureVocabulary
    started_at: float
    settle_s: float = 1.6
    step_timeout_s: float = 20.0
    partner_timeout_s: float = 20.0
    index: int = 0
    phase: Phase = Phase.PERFORMING
    results: list[StepResult] = field(default_factory=list)
    # Ended by a real signal the wearer made during it (see _way_out).
    ended_for_real: bool = False
    # Ended because the partner's real signal reached the wearer (see _rehearsal).
    ended_by_partner: PartnerSignal | None = None
    _events: list[InputEvent] = field(default_factory=list)
    _verdict: Verdict = field(default_factory=lambda: Verdict(False))
    _phase_since: float = 0.0

    def __post_init__(self) -> None:
        self._phase_since = self.started_at
        if not self.gestures:
            self.phase = Phase.FINISHED

    @property
    def current(self) -> Gesture | None:
        return self.gestures[self.index] if self.phase is not Phase.FINISHED else None

    def feed(self, event: InputEvent) -> None:
        if self.phase is Phase.PERFORMING:
            self._events.append(event)

    def partner_felt(self, now: float) -> list[DrillEffect]:
        if self.phase is not Phase.PARTNER:
            return []
        return self._done(True, now)

    def tick(self, now: float) -> list[DrillEffect]:
        if self.phase is Phase.PERFORMING:
            last = self._events[-1].at if self._events else None
            still = last is not None and now - last >= self.settle_s
            if still or now - self._phase_since >= self.step_timeout_s:
                return self._judge(now)
        elif self.phase is Phase.PARTNER and now - self._phase_since >= self.partner_timeout_s:
            return self._done(False, now)
        return []

    def _judge(self, now: float) -> list[DrillEffect]:
        gesture = self.gestures[self.index]
        self._verdict = judge(gesture, self._events, self.vocabulary)
        if self._verdict.recognised:
            self.phase, self._phase_since = Phase.PARTNER, now
            return [Recognised(gesture)]
        return self._done(None, now)

    def _done(self, felt: bool | None, now: float) -> list[DrillEffect]:
        result = StepResult(self.gestures[self.index], self._verdict, felt, tuple(self._events))
        self.results.append(result)
        self._events = []
        self.index += 1
        self._phase_since = now
        self.phase = Phase.PERFORMING if self.index < len(self.gestures) else Phase.FINISHED
        return [StepDone(result)]

    def view(self) -> dict[str, Any]:
        """What the rehearsal pages show of it."""
        current = self.current
        return {
            "wearer": self.wearer,
            "phase": self.phase,
            # How to stop for real from the step being rehearsed, said on the page.
            "way_out": way_out_words(current, self.gestures),
            "ended_for_real": self.ended_for_real,
            "ended_by_partner": None
            if (by := self.ended_by_partner) is None
            else {"partner": by.partner, "signal": by.signal, "link": by.link},
            "current": None if current is None else current.describe(),
            "current_signal": None if current is None else current.signal,
            "step": self.index + 1,
            "steps": len(self.gestures),
            "results": [
                {
                    "gesture": r.gesture.words,
                    "meaning": r.gesture.meaning,
                    "signal": r.gesture.signal,
                    "recognised": r.verdict.recognised,
                    "hint": r.verdict.hint,
                    "advice": r.verdict.advice,
                    "partner_felt": r.partner_felt,
                }
                for r in self.results
            ],
        }
