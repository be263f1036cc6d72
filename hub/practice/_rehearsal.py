"""A rehearsal on a running hub: one wearer's drill, its way out, its tap calibration, and
their partner first.

While a wearer rehearses, their gestures are practice, never signals. Two things make them
real again at once:

- the wearer's own way out, a stop stronger than the step (see :mod:`hub.practice._way_out`);
- their partner's real signal. A signal of the partner's waiting for the wearer's "I noticed"
  (slow down, pause, stop, the pause said for a partner out of reach, a check-in asked by their
  heart) ends the rehearsal as soon as the hub sees it waiting, at the latest on the next tick
  and before any gesture of the wearer's is read: the wearer's press acknowledges it as always.
  While one waits, a rehearsal does not start.

The rehearsal is its wearer's: only they end it from their page, and only their partner says
they felt a step.
"""

from __future__ import annotations

from collections.abc import Callable

from hub._events import HubEvent, RehearsalChanged, RehearsalStep
from hub._messages import SignalMessage
from hub.practice._drill import Drill, PartnerSignal, Phase, Recognised, StepDone
from hub.practice._gestures import Gesture
from hub.practice._hooks import NotYours, PracticeError, SessionHooks
from hub.practice._tap_rehearsal import WearerCalibrations
from hub.practice._way_out import WayOut
from signals import ComfortSignal, GestureVocabulary, InputEvent, InputKind, SignalSource

STEP_TIMEOUT_S = 20.0


def _in_words(signal: ComfortSignal) -> str:
    return str(signal).replace("_", " ")


class Rehearsal:
    """The pair's rehearsal on this hub: one wearer's at a time."""

    def __init__(
        self,
        session: SessionHooks,
        observer: Callable[[HubEvent], None],
        gestures: dict[str, tuple[Gesture, ...]],
        vocabulary: GestureVocabulary,
        calibration: WearerCalibrations,
        partner_of: Callable[[str], str],
        clock: Callable[[], float],
    ) -> None:
        self._session = session
        self._observe = observer
        self._gestures = gestures
        self._vocabulary = vocabulary
        self.calibration = calibration
        self._partner = partner_of
        self._clock = clock
        self.drill: Drill | None = None
        # What cuts through the rehearsal as a real signal (see _way_out).
        self._way_out = WayOut(vocabulary)
        # How long a step waits for a gesture the hub does not see at all (a too-soft tap).
        self.step_timeout_s = STEP_TIMEOUT_S

    def running(self) -> Drill | None:
        drill = self.drill
        return drill if drill is not None and drill.phase is not Phase.FINISHED else None

    def start(self, wearer: str) -> Drill:
        if (drill := self.running()) is not None:
            raise PracticeError(f"{drill.wearer}'s rehearsal is still running")
        if wearer not in self._session.local_wearers:
            raise PracticeError(f"{wearer}'s wearable is on another hub: rehearse there")
        if not self._gestures[wearer]:
            raise PracticeError(f"{wearer}'s device has no gestures to rehearse: use the page")
        if (waiting := self._session.awaiting(wearer)) is not None:
            # The wearer's press must stay an "I noticed" for it, never become practice.
            raise PracticeError(
                f"{self._partner(wearer)}'s {_in_words(waiting.signal)} is waiting for your "
                '"I noticed": press your button once (or "I noticed" on the live page) first'
            )
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

    def end(self, wearer: str) -> None:
        """``wearer`` ends their rehearsal now: their gestures are real signals again at once,
        and the tap steps already judged still calibrate. Nobody ends another's rehearsal:
        the partner's gestures would turn real under them."""
        drill = self.running()
        if drill is None:
            return
        if drill.wearer != wearer:
            raise NotYours(
                f"this is {drill.wearer}'s rehearsal: only {drill.wearer} can end it, from "
                f"their page (or by making their stop); your own signals work throughout"
            )
        drill.phase = Phase.FINISHED
        self._observe(RehearsalChanged(drill.wearer, running=False))
        self.calibration.finish()

    def partner_felt(self, wearer: str) -> None:
        drill = self.running()
        if drill is None:
            return
        if wearer == drill.wearer:
            raise NotYours(
                f"only {self._partner(wearer)} can say they felt your rehearsed gestures, "
                "from their page or with a press"
            )
        if wearer == self._partner(drill.wearer):
            self._carry_out(drill, drill.partner_felt(self._clock()))

    def _end_for_real(self, drill: Drill) -> None:
        """A real signal cut through: the rehearsal is over at once, and a rehearsal cut
        short changes no tap threshold (nothing moves under a wearer who means it)."""
        drill.phase = Phase.FINISHED
        drill.ended_for_real = True
        self.calibration.abandon()
        self._observe(RehearsalChanged(drill.wearer, running=False, for_real=True))

    def _end_for_partner(self, drill: Drill, waiting: SignalMessage) -> None:
        """The partner's real signal waits for the wearer: the rehearsal is over at once, so
        the wearer's next press is the "I noticed" it waits for. Cut short, it changes no tap
        threshold either."""
        drill.phase = Phase.FINISHED
        drill.ended_by_partner = PartnerSignal(
            self._partner(drill.wearer), waiting.signal, waiting.source is SignalSource.LINK
        )
        self.calibration.abandon()
        self._observe(RehearsalChanged(drill.wearer, running=False, partner_signal=waiting.signal))

    def _partner_first(self, drill: Drill) -> bool:
        """Ends ``drill`` if a partner's signal waits for its wearer; whether it did."""
        waiting = self._session.awaiting(drill.wearer)
        if waiting is not None:
            self._end_for_partner(drill, waiting)
        return waiting is not None

    def gesture(self, wearer: str, event: InputEvent) -> tuple[InputEvent, ...]:
        """What of ``wearer``'s gesture reaches the session as a real signal: all of it but
        a rehearsed gesture; and from the rehearsal, the way out (see _way_out)."""
        drill = self.running()
        if drill is None:
            return (event,)
        if wearer == drill.wearer:
            if self._partner_first(drill):
                return (event,)  # an "I noticed" (or a signal), never practice
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

    def tick(self) -> None:
        drill = self.running()
        if drill is not None and not self._partner_first(drill):
            self._carry_out(drill, drill.tick(self._clock()))

    def _carry_out(self, drill: Drill, effects: list[Recognised | StepDone]) -> None:
        for effect in effects:
            if isinstance(effect, Recognised):
                self.calibration.performed(effect.gesture, self._clock())
                self._let_partner_feel(drill.wearer, effect.gesture)
                continue
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
