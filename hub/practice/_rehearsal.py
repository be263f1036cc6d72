"""A rehearsal on a running hub: one wearer's gestures, step by step, felt by the partner.

While it runs, the rehearsing wearer's gestures are practice, never signals, but for the way
out (see :mod:`hub.practice._way_out`): a real stop cuts through and ends the rehearsal at
once. The page ends it at once too. The steps judged fit the wearer's tap thresholds to
their own taps (see :mod:`hub.practice._tap_rehearsal`); a rehearsal cut short by a real
signal changes none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from firmware_bridge import AccelBatch
from hub._events import HubEvent, RehearsalChanged, RehearsalStep
from hub._tap_calibrations import TapCalibrations
from hub.practice._drill import Drill, Phase, Recognised, StepDone
from hub.practice._gestures import Gesture
from hub.practice._hooks import PracticeError, SessionHooks
from hub.practice._tap_rehearsal import CalibrationOutcome, WearerCalibrations
from hub.practice._way_out import WayOut
from signals import GestureVocabulary, InputEvent, InputKind

STEP_TIMEOUT_S = 20.0


class Rehearsal:
    """The pair's rehearsals, one at a time, and the tap calibration they feed."""

    def __init__(
        self,
        session: SessionHooks,
        observer: Callable[[HubEvent], None],
        gestures: Mapping[str, tuple[Gesture, ...]],
        vocabulary: GestureVocabulary,
        *,
        partner_of: Callable[[str], str],
        clock: Callable[[], float],
        calibrations: TapCalibrations | None,
    ) -> None:
        self._session = session
        self._observe = observer
        self._gestures = gestures
        self._vocabulary = vocabulary
        self._partner_of = partner_of
        self._clock = clock
        self.drill: Drill | None = None
        # What cuts through the rehearsal as a real signal (see _way_out).
        self._way_out = WayOut(vocabulary)
        # How long a step waits for a gesture the hub does not see at all (a too-soft tap).
        self.step_timeout_s = STEP_TIMEOUT_S
        # A rehearsal fits the tap thresholds to the wearer's own taps (see _tap_rehearsal).
        self.calibration = WearerCalibrations(calibrations, session.recalibrate)

    def _running(self) -> Drill | None:
        drill = self.drill
        return drill if drill is not None and drill.phase is not Phase.FINISHED else None

    def start(self, wearer: str) -> Drill:
        running = self._running()
        if running is not None:
            raise PracticeError(f"{running.wearer}'s rehearsal is still running")
        if wearer not in self._session.local_wearers:
            raise PracticeError(f"{wearer}'s wearable is on another hub: rehearse there")
        if not self._gestures[wearer]:
            raise PracticeError(f"{wearer}'s device has no gestures to rehearse: use the page")
        self.drill = Drill(
            wearer,
            self._gestures[wearer],
            self._vocabulary,
            self._clock(),
            step_timeout_s=self.step_timeout_s,
        )
        self._way_out = WayOut(self._vocabulary)
        self.calibration.start(wearer, self.drill.started_at)
        self._observe(RehearsalChanged(wearer, running=True))
        return self.drill

    def end(self) -> None:
        """Ends the rehearsal now: the wearer's gestures are real signals again at once, and
        the tap steps already judged still calibrate."""
        drill = self._running()
        if drill is not None:
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
        if drill is not None and wearer == self._partner_of(drill.wearer):
            self._carry_out(drill, drill.partner_felt(self._clock()))

    def gesture(self, wearer: str, event: InputEvent) -> tuple[InputEvent, ...]:
        """What of ``wearer``'s gesture reaches the session as a real signal: all of it but
        a rehearsed gesture; and from the rehearsal, the way out (see _way_out)."""
        drill = self._running()
        if drill is None:
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
            self._carry_out(drill, drill.partner_felt(self._clock()))
        return (event,)

    def acceleration(self, wearer: str, batch: AccelBatch) -> None:
        self.calibration.acceleration(wearer, batch)

    def tick(self, now: float) -> None:
        drill = self._running()
        if drill is not None:
            self._carry_out(drill, drill.tick(now))

    def _carry_out(self, drill: Drill, effects: list[Recognised | StepDone]) -> None:
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
        partner = self._partner_of(wearer)
        if partner in self._session.local_wearers:
            self._session.play(partner, gesture.felt_by_partner)
