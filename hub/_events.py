"""What happens in a session, as events for the console, the store and the web page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from firmware_bridge import HeartReading, LinkEvent
from hub._messages import AckMessage, SignalMessage
from signals import ComfortSignal


@dataclass(frozen=True, slots=True)
class SignalSent:
    """A local wearer's gesture became a signal, handed to the relay."""

    wearer: str
    message: SignalMessage
    input_at: float


@dataclass(frozen=True, slots=True)
class PartnerAlerted:
    """A local wearer's device was told to buzz for the partner's signal."""

    wearer: str
    sender: str
    message: SignalMessage
    at: float
    # From the signaller's gesture reaching this hub to the buzz command; None when the
    # signal came from another hub (their clocks are not ours).
    latency_ms: float | None


@dataclass(frozen=True, slots=True)
class AlertUndelivered:
    """The alert could not be played: the wearer's device is not connected."""

    wearer: str
    message: SignalMessage


@dataclass(frozen=True, slots=True)
class Realerted:
    """An unacknowledged pause or stop was played again, now with sound."""

    wearer: str
    sender: str
    message: SignalMessage
    count: int
    at: float


@dataclass(frozen=True, slots=True)
class StateRestored:
    """After a restart the hub found ``wearer`` holding ``level`` and says so."""

    wearer: str
    level: ComfortSignal
    since: datetime | None


@dataclass(frozen=True, slots=True)
class PartnerUnreachable:
    """The partner's side cannot be heard (this hub lost the broker, or their hub is gone).

    The local wearer is told to pause until it is back.
    """

    wearer: str
    partner: str
    reason: str
    back: bool


@dataclass(frozen=True, slots=True)
class AckSent:
    wearer: str
    message: AckMessage


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The signaller felt the confirmation that ``by`` acknowledged their signal."""

    wearer: str
    signal_id: str
    by: str
    at: float
    delivered: bool


@dataclass(frozen=True, slots=True)
class DuplicateDropped:
    wearer: str
    signal_id: str


@dataclass(frozen=True, slots=True)
class Refused:
    """A message that broke a consent rule (e.g. an ack of one's own signal)."""

    wearer: str
    reason: str


@dataclass(frozen=True, slots=True)
class LinkChanged:
    wearer: str
    event: LinkEvent


@dataclass(frozen=True, slots=True)
class HeartRate:
    wearer: str
    reading: HeartReading


@dataclass(frozen=True, slots=True)
class RawTapsOff:
    """Taps are not looked for in this wearer's raw acceleration, and why (said once)."""

    wearer: str
    device: str
    rate_hz: float
    reason: str


@dataclass(frozen=True, slots=True)
class BrokerChanged:
    connected: bool
    at: float


# -- before, during and after (hub.practice) -----------------------------------------------
# These never carry a private feedback answer: events reach every page and the journal.


@dataclass(frozen=True, slots=True)
class AgreementConfirmed:
    """``wearer`` confirmed the signals of their own device (``vocabulary``, in words)."""

    wearer: str
    vocabulary: tuple[str, ...]
    both_agreed: bool


@dataclass(frozen=True, slots=True)
class PlanChanged:
    """``by`` changed the shared plan; ``changes`` holds the new value of each changed field."""

    by: str
    changes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RehearsalStep:
    """One gesture of a rehearsal, judged. Practice only: never a signal, never a level."""

    wearer: str
    gesture: str
    meaning: str
    recognised: bool
    hint: str | None
    partner_felt: bool | None


@dataclass(frozen=True, slots=True)
class RehearsalChanged:
    """A rehearsal of ``wearer``'s gestures started or ended; ``for_real`` when it ended
    because the wearer made a real signal during it, ``partner_signal`` when the partner's
    real signal (waiting for the wearer's "I noticed") ended it."""

    wearer: str
    running: bool
    for_real: bool = False
    partner_signal: ComfortSignal | None = None


@dataclass(frozen=True, slots=True)
class PracticeCheckIn:
    """A check-in pulse went to both wrists (``answer`` None), or one wearer's answer to it:
    ``all_good``, or ``no_answer`` when the time to answer passed (never a pause or stop)."""

    check_in_id: str
    wearer: str | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class AftercareStarted:
    """The session ended: both wrists got a soft pulse and the pages suggest calm closeness."""

    by: str


@dataclass(frozen=True, slots=True)
class FeedbackGiven:
    """``wearer`` filled in their form. ``shared`` answers only; private ones stay out."""

    wearer: str
    shared: dict[str, str | int] | None


PracticeEvent = (
    AgreementConfirmed
    | PlanChanged
    | RehearsalStep
    | RehearsalChanged
    | PracticeCheckIn
    | AftercareStarted
    | FeedbackGiven
)

HubEvent = (
    SignalSent
    | PartnerAlerted
    | AlertUndelivered
    | Realerted
    | StateRestored
    | PartnerUnreachable
    | AckSent
    | Confirmed
    | DuplicateDropped
    | Refused
    | LinkChanged
    | HeartRate
    | RawTapsOff
    | BrokerChanged
    | PracticeEvent
)
