"""What the rules remember of each wearer: a local wearer's own side and what they wait for,
and a remote wearer as far as their messages tell."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hub._messages import AckMessage, SignalMessage, StateMessage
from hub.rules._memory import Recent
from signals import ComfortSignal, GestureClassifier

# Own signals remembered per wearer (their echo from the broker, their acknowledgement).
OWN_SIGNALS_KEPT = 256


class LinkHold(Enum):
    """Why the hub holds a local wearer's side at pause at least: it cannot hear them."""

    LOST = "the wearable's radio link is lost"
    STALE = "the wearable went silent"
    CONTACT = "the sensor is off the skin"


class Unreachable(Enum):
    """Why a local wearer cannot hear their partner's side (the partner is on another hub)."""

    BROKER = "this hub lost the MQTT broker"
    PARTNER_HUB_OFFLINE = "the partner's hub went offline"
    PARTNER_HUB_SILENT = "the partner's hub stopped sending its heartbeat"


@dataclass
class Sent:
    """A signal of a local wearer's, remembered to recognise its echo and confirm it once."""

    message: SignalMessage
    input_at: float
    confirmed: bool = False


@dataclass
class Pending:
    """The partner's signal a local wearer was alerted to and has not acknowledged."""

    sender: str
    message: SignalMessage
    last_alert_at: float
    realerts: int = 0


@dataclass
class LocalWearer:
    name: str
    partner: str
    classifier: GestureClassifier
    # The retained state this side last published, said again on every (re)connect; None
    # until this side has said anything (a hub that forgot must not clear a level).
    state: StateMessage | None = None
    # The last acknowledgement sent, retained and said again on every (re)connect too: an
    # ack on its way when the broker lost everything still reaches the signaller.
    last_ack: AckMessage | None = None
    next_seq: int = 0
    holds: set[LinkHold] = field(default_factory=set)
    pending: Pending | None = None
    unreachable: set[Unreachable] = field(default_factory=set)
    sent: Recent[Sent] = field(default_factory=lambda: Recent(OWN_SIGNALS_KEPT))
    acks_sent: Recent[None] = field(default_factory=lambda: Recent(OWN_SIGNALS_KEPT))

    @property
    def effective_level(self) -> ComfortSignal | None:
        """What the partner is told: the wearer's own level, at least pause while held."""
        held = self.classifier.held
        if not self.holds:
            return held
        if held is not None and held.severity >= ComfortSignal.PAUSE.severity:
            return held
        return ComfortSignal.PAUSE


@dataclass
class RemoteWearer:
    """A wearer served elsewhere: their level, and which of their signals were taken in."""

    level: ComfortSignal | None = None
    # Whether ``level`` is known: a signal or state of theirs was taken in, or their hub's
    # heartbeat came after this hub's subscriptions had brought any retained state. Until
    # then (a hub just started) a resume may end a level felt before the restart.
    known: bool = False
    # The highest seq whose level was taken: an older signal arriving late changes nothing.
    last_seq: int | None = None
    seen: Recent[None] = field(default_factory=Recent)
