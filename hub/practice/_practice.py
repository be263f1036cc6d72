"""Before, during and after a session, on a running hub: agreement and plan, rehearsal,
check-ins, aftercare and feedback.

This sits beside the pair's signal rules, never in their way: signals are relayed whether or
not the pair has agreed, a check-in's silence changes no level, and a rehearsal only takes the
rehearsing wearer's gestures while it runs (ended at once from the page), and never a real
stop (see :mod:`hub.practice._way_out`). It reaches the session through the narrow
:class:`SessionHooks`, and reports through the hub's observer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from firmware_bridge import AccelBatch, Capability
from hub._events import (
    AftercareStarted,
    AgreementConfirmed,
    FeedbackGiven,
    HubEvent,
    PlanChanged,
    PracticeCheckIn,
    RehearsalChanged,
    RehearsalStep,
)
from hub._messages import SignalMessage
from hub._tap_calibrations import TapCalibrations
from hub.practice._checkins import CHECK_IN_PULSE, Answered, CheckIns, PulseBoth
from hub.practice._drill import Drill, Phase, Recognised, StepDone
from hub.practice._gestures import Gesture, gestures_for
from hub.practice._records import Feedback, PracticeRecords, SharedPlan
from hub.practice._tap_rehearsal import CalibrationOutcome, WearerCalibrations
from hub.practice._way_out import WayOut
from signals import (
    ComfortSignal,
    GestureVocabulary,
    HapticPattern,
    InputEvent,
    InputKind,
    Pulse,
)

# A long, soft swell: the session is over, nothing to answer.
AFTERCARE_PULSE = HapticPattern("practice_aftercare", (Pulse(900, 400, 0.25), Pulse(900, 0, 0.2)))
STEP_TIMEOUT_S = 20.0


class SessionHooks(Protocol):
    """What practice needs from the pair's session, and nothing more."""

    @property
    def local_wearers(self) -> list[str]: ...
    def partner_of(self, wearer: str) -> str: ...
    def divert_gestures(
        self, wearer: str, hook: Callable[[InputEvent], Sequence[InputEvent]] | None
    ) -> None: ...
    def play(self, wearer: str, pattern: HapticPattern) -> None: ...
    def publish_rehearsal(self, wearer: str, signal: ComfortSignal) -> SignalMessage: ...
    def watch_acceleration(self, wearer: str, hook: Callable[[AccelBatch], None]) -> None: ...
    def recalibrate(self, wearer: str) -> None: ...


class PracticeError(ValueError):
    """A request that cannot be done now (the message says why, for the page)."""


class Practice:
    def __init__(
        self,
        session: SessionHooks,
        observer: Callable[[HubEvent], None],
        capabilities: Mapping[str, frozenset[Capability]],
        *,
        records: PracticeRecords,
        vocabulary: GestureVocabulary | None = None,
        clock: Callable[[], float] = time.monotonic,
        calibrations: TapCalibrations | None = None,
    ) -> None:
        self._session = session
        self._observe = observer
        self.records = records
        self.vocabulary = vocabulary or GestureVocabulary()
        self._clock = clock
        self.gestures = {
            wearer: gestures_for(capabilities.get(wearer, frozenset()), self.vocabulary)
            for wearer in records.pair
        }
        self.drill: Drill | None = None
        # What cuts through the rehearsal as a real signal (see _way_out).
        self._way_out = WayOut(self.vocabulary)
        # How long a step waits for a gesture the hub does not see at all (a too-soft tap).
        self.step_timeout_s = STEP_TIMEOUT_S
        # Only wrists on this hub can feel a check-in, so only they are asked to answer it.
        self.check_ins = CheckIns(tuple(session.local_wearers), tap_gap_s=self.vocabulary.tap_gap_s)
        # A rehearsal fits the tap thresholds to the wearer's own taps (see _tap_rehearsal).
        self.calibration = WearerCalibrations(calibrations, session.recalibrate)
        self.aftercare_started = False
        # The signals of a wearer on another hub, in words, as their hub said them.
        self.partner_signals: dict[str, tuple[str, ...]] = {}
        # Told the local wearer whose agreement or plan changes (see _sync), to say it on.
        self.on_agreement: Callable[[str], None] = lambda wearer: None
        for wearer in session.local_wearers:
            session.divert_gestures(wearer, self._gesture_hook(wearer))
            session.watch_acceleration(wearer, self._acceleration_hook(wearer))

    # -- agreement and plan ---------------------------------------------------------------

    def confirm(self, wearer: str) -> None:
        self.records.confirm(wearer)
        lines = tuple(g.describe() for g in self.gestures[wearer])
        self._observe(AgreementConfirmed(wearer, lines, self.records.both_confirmed()))
        self.on_agreement(wearer)

    def change_plan(self, by: str, plan: SharedPlan, fields: set[str]) -> dict[str, str]:
        changes = self.records.change_plan(by, plan, fields)
        if changes:
            self._observe(PlanChanged(by, tuple(changes.items())))
            self.on_agreement(by)
        return changes

    def signal_words(self, wearer: str) -> tuple[str, ...]:
        """``wearer``'s signals in words: of their device here, or as their own hub said."""
        if wearer in self._session.local_wearers:
            return tuple(g.describe() for g in self.gestures[wearer])
        return self.partner_signals.get(wearer, ())

    # -- rehearsal ------------------------------------------------------------------------

    def start_rehearsal(self, wearer: str) -> Drill:
        if self.drill is not None and self.drill.phase is not Phase.FINISHED:
            raise PracticeError(f"{self.drill.wearer}'s rehearsal is still running")
        if wearer not in self._session.local_wearers:
            raise PracticeError(f"{wearer}'s wearable is on another hub: rehearse there")
        if not self.gestures[wearer]:
            raise PracticeError(f"{wearer}'s device has no gestures to rehearse: use the page")
        self.drill = Drill(
            wearer,
            self.gestures[wearer],
            self.vocabulary,
            self._clock(),
            step_timeout_s=self.step_timeout_s,
        )
        self._way_out = WayOut(self.vocabulary)
        self.calibration.start(wearer, self.drill.started_at)
        self._observe(RehearsalChanged(wearer, running=True))
        return self.drill

    def end_rehearsal(self) -> None:
        """Ends the rehearsal now: the wearer's gestures are real signals again at once, and
        the tap steps already judged still calibrate."""
        drill = self.drill
        if drill is not None and drill.phase is not Phase.FINISHED:
            drill.phase = Phase.FINISHED
            self._observe(RehearsalChanged(drill.wearer, running=False))
            self.calibration.finish()

    def _end_for_real(self, drill: Drill) -> None:
        """A real signal cut through: the rehearsal is over at once, and a rehearsal cut
        short changes no tap threshold (nothing moves under a wearer who means it)."""
        drill.phase = Phase.FINISHED
        drill.ended_for_real = True
        self.calibration.abandon()
        self._observe(RehearsalChanged(drill.wearer, running=False, for_real=True))

    def reset_calibration(self, wearer: str) -> CalibrationOutcome:
        """``wearer``'s taps go back to the default thresholds, at once."""
        return self.calibration.reset(wearer)

    def partner_felt(self, wearer: str) -> None:
        drill = self.drill
        if drill is not None and wearer == self._partner(drill.wearer):
            self._carry_out_drill(drill.partner_felt(self._clock()))

    def _partner(self, wearer: str) -> str:
        return self.records.partner_of(wearer)

    def _carry_out_drill(self, effects: list[Recognised | StepDone]) -> None:
        drill = self.drill
        assert drill is not None
        for effect in effects:
            if isinstance(effect, Recognised):
                self.calibration.performed(effect.gesture, self._clock())
                self._let_partner_feel(drill.wearer, effect.gesture)
            else:
                result = effect.result
                self.calibration.performed(result.gesture, self._clock())
                self.calibration.next_step(self._clock())
                self._way_out.next_step()
                self._observe(
                    RehearsalStep(
                        drill.wearer,
                        result.gesture.words,
                        result.gesture.meaning,
                        result.verdict.recognised,
                        result.verdict.hint,
                        result.partner_felt,
                    )
                )
                if drill.phase is Phase.FINISHED:
                    self._observe(RehearsalChanged(drill.wearer, running=False))
                    self.calibration.finish()

    def _let_partner_feel(self, wearer: str, gesture: Gesture) -> None:
        if gesture.signal is not None:
            self._session.publish_rehearsal(wearer, gesture.signal)
        partner = self._partner(wearer)
        if partner in self._session.local_wearers:
            self._session.play(partner, gesture.felt_by_partner)

    # -- check-ins ------------------------------------------------------------------------

    def set_check_ins(self, interval_s: float | None, answer_within_s: float | None = None) -> None:
        try:
            self.check_ins.configure(interval_s, self._clock(), answer_within_s=answer_within_s)
        except ValueError as error:
            raise PracticeError(str(error)) from None

    def check_in_now(self) -> None:
        self._carry_out_check_ins(self.check_ins.start(self._clock()))

    def answer_check_in(self, wearer: str) -> None:
        self._carry_out_check_ins(self.check_ins.answer(wearer))

    def _carry_out_check_ins(self, effects: list[PulseBoth | Answered]) -> None:
        for effect in effects:
            if isinstance(effect, PulseBoth):
                for wearer in self._session.local_wearers:
                    self._session.play(wearer, CHECK_IN_PULSE)
                self._observe(PracticeCheckIn(effect.check_in_id, None, None))
            else:
                self._observe(PracticeCheckIn(effect.check_in_id, effect.wearer, effect.answer))

    # -- aftercare --------------------------------------------------------------------------

    def end_session(self, by: str) -> None:
        self.aftercare_started = True
        self.check_ins.configure(None, self._clock())
        for wearer in self._session.local_wearers:
            self._session.play(wearer, AFTERCARE_PULSE)
        self._observe(AftercareStarted(by))

    def give_feedback(self, wearer: str, feedback: Feedback) -> None:
        self.records.give_feedback(wearer, feedback)
        # The event reaches every page and the journal: private answers stay out of it.
        self._observe(FeedbackGiven(wearer, feedback.answers() if feedback.share else None))

    # -- gestures and time ----------------------------------------------------------------

    def _gesture_hook(self, wearer: str) -> Callable[[InputEvent], tuple[InputEvent, ...]]:
        """What of ``wearer``'s gesture reaches the session as a real signal: all of it but
        a rehearsed gesture; and from the rehearsal, the way out (see _way_out)."""

        def hook(event: InputEvent) -> tuple[InputEvent, ...]:
            self.check_ins.gesture(wearer, event)
            drill = self.drill
            if drill is None or drill.phase is Phase.FINISHED:
                return (event,)
            if wearer == drill.wearer:
                step = drill.current
                assert step is not None  # a drill not finished has a step
                real = self._way_out.feed(event, step)
                if real:
                    self._end_for_real(drill)
                    return real
                drill.feed(event)
                return ()  # rehearsed: practice, never a signal
            if drill.phase is Phase.PARTNER and event.kind is InputKind.BUTTON:
                # The partner's press says "felt it", and still reaches the session as ever.
                self._carry_out_drill(drill.partner_felt(self._clock()))
            return (event,)

        return hook

    def _acceleration_hook(self, wearer: str) -> Callable[[AccelBatch], None]:
        def hook(batch: AccelBatch) -> None:
            self.calibration.acceleration(wearer, batch)

        return hook

    def tick(self) -> None:
        now = self._clock()
        if self.drill is not None and self.drill.phase is not Phase.FINISHED:
            self._carry_out_drill(self.drill.tick(now))
        self._carry_out_check_ins(self.check_ins.tick(now))

    # -- looking in -----------------------------------------------------------------------

    def overview(self, viewer: str) -> dict[str, Any]:
        """Everything ``viewer``'s page shows; never the partner's private answers."""
        partner = self._partner(viewer)
        drill = self.drill
        return {
            "wearer": viewer,
            "partner": partner,
            "agreement": {
                "both_confirmed": self.records.both_confirmed(),
                "confirmed": {n: self.records.confirmed(n) is not None for n in self.records.pair},
                "gestures": list(self.signal_words(viewer)),
                "partner_gestures": list(self.signal_words(partner)),
            },
            "plan": self.records.plan.model_dump(),
            "plan_changes": [c.model_dump(mode="json") for c in self.records.plan_changes[-5:]],
            "rehearsal": None if drill is None else drill.view(),
            # The viewer's own tap calibration: what the last rehearsal changed, or why not.
            "tap_calibration": self.calibration.view(viewer),
            "check_ins": {
                "interval_s": self.check_ins.interval_s,
                "open": self.check_ins.open_id,
                "answers": dict(self.check_ins.last_answers),
            },
            "aftercare": self.aftercare_started,
            "feedback": self.records.feedback_seen_by(viewer),
        }
