"""Before, during and after a session, on a running hub: agreement and plan, rehearsal,
check-ins, aftercare and feedback.

This sits beside the pair's signal rules, never in their way: signals are relayed whether or
not the pair has agreed, a check-in's silence changes no level, and a rehearsal only takes the
rehearsing wearer's gestures while it runs (ended at once from the page), and never a real
stop (see :mod:`hub.practice._rehearsal`). It reaches the session through the narrow
:class:`SessionHooks`, and reports through the hub's observer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from firmware_bridge import AccelBatch, Capability
from hub._events import (
    AftercareStarted,
    AgreementConfirmed,
    FeedbackGiven,
    HubEvent,
    PlanChanged,
    PracticeCheckIn,
)
from hub._tap_calibrations import TapCalibrations
from hub.practice._checkins import CHECK_IN_PULSE, Answered, CheckIns, PulseBoth
from hub.practice._drill import Drill
from hub.practice._gestures import gestures_for
from hub.practice._hooks import PracticeError, SessionHooks
from hub.practice._records import Feedback, PracticeRecords, SharedPlan
from hub.practice._rehearsal import Rehearsal
from hub.practice._tap_rehearsal import CalibrationOutcome
from signals import GestureVocabulary, HapticPattern, InputEvent, Pulse

# A long, soft swell: the session is over, nothing to answer.
AFTERCARE_PULSE = HapticPattern("practice_aftercare", (Pulse(900, 400, 0.25), Pulse(900, 0, 0.2)))


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
        self.rehearsal = Rehearsal(
            session,
            observer,
            self.gestures,
            self.vocabulary,
            partner_of=self._partner,
            clock=clock,
            calibrations=calibrations,
        )
        # Only wrists on this hub can feel a check-in, so only they are asked to answer it.
        self.check_ins = CheckIns(tuple(session.local_wearers), tap_gap_s=self.vocabulary.tap_gap_s)
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
        return self.rehearsal.start(wearer)

    def end_rehearsal(self) -> None:
        """Ends the rehearsal now (see :meth:`Rehearsal.end`)."""
        self.rehearsal.end()

    def reset_calibration(self, wearer: str) -> CalibrationOutcome:
        """``wearer``'s taps go back to the default thresholds, at once."""
        return self.rehearsal.reset_calibration(wearer)

    def partner_felt(self, wearer: str) -> None:
        self.rehearsal.partner_felt(wearer)

    def _partner(self, wearer: str) -> str:
        return self.records.partner_of(wearer)

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
        a rehearsed gesture (see :meth:`Rehearsal.gesture`); a check-in hears it all."""

        def hook(event: InputEvent) -> tuple[InputEvent, ...]:
            self.check_ins.gesture(wearer, event)
            return self.rehearsal.gesture(wearer, event)

        return hook

    def _acceleration_hook(self, wearer: str) -> Callable[[AccelBatch], None]:
        def hook(batch: AccelBatch) -> None:
            self.rehearsal.acceleration(wearer, batch)

        return hook

    def tick(self) -> None:
        now = self._clock()
        self.rehearsal.tick(now)
        self._carry_out_check_ins(self.check_ins.tick(now))

    # -- looking in -----------------------------------------------------------------------

    def overview(self, viewer: str) -> dict[str, Any]:
        """Everything ``viewer``'s page shows; never the partner's private answers."""
        partner = self._partner(viewer)
        drill = self.rehearsal.drill
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
            "tap_calibration": self.rehearsal.calibration.view(viewer),
            "check_ins": {
                "interval_s": self.check_ins.interval_s,
                "open": self.check_ins.open_id,
                "answers": dict(self.check_ins.last_answers),
            },
            "aftercare": self.aftercare_started,
            "feedback": self.records.feedback_seen_by(viewer),
        }
